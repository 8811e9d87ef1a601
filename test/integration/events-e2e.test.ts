/**
 * Issue 15's "Done when", end to end: `serve` (startService with the real target runner) consumes the
 * simulator's event queue while a user changes a member account through its OrganizationAccountAccessRole
 * with the real @aws-sdk clients. Each change becomes the matching finding in that account's Security Hub
 * without any scan (the store holds none); a custom action fired on three findings re-reads exactly their
 * three resources; a forged event for an account outside the scope evaluates nothing; malformed messages
 * land in the dead-letter queue. Expected verdicts come from SEMANTICS.md, not from keywarden's code.
 */
import { mkdtempSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreatePolicyCommand,
  DeletePolicyCommand,
  DeleteRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CancelKeyDeletionCommand,
  CreateKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyRotationCommand,
  GetKeyPolicyCommand,
  KMSClient,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import type { RunningService } from '../../src/serve.js';
import { startService } from '../../src/serve.js';
import { silentLogger } from '../../src/log/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { ADMIN_ROLE, DEFAULT_EXTERNAL_ID } from '../../src/simulator/index.js';
import { waitFor } from '../helpers/wait.js';
import { startAws, type Stored } from './harness.js';

const TOKEN = 'events-e2e-token-0123456789';
const HOME = 'us-east-1';
const KEY_REGION = 'eu-west-1';
const REGIONS = [HOME, KEY_REGION];
const OUTSIDE = '999988887777';
const DECRYPT_ON_ALL_KEYS = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'DecryptAnything', Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }],
});
const READ_ONE_KEY = (arn: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: arn }],
  });
const OPEN_TO_EVERYONE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'Everyone', Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }],
});
const WAIT = { timeoutMs: 20_000 };

let aws: RunningSimulator;
let hub: string;
let member: string;
let queueUrl: string;
let deadLetterQueueUrl: string;
let running: RunningService;
let iam: IAMClient;
let kms: KMSClient;
let sqs: SQSClient;

beforeAll(async () => {
  aws = await startAws({ organization: { accounts: 3, regions: REGIONS, seed: 15 } });
  // The test reads Security Hub's state directly; the runner's own pacing is not what it checks.
  aws.faults.throttling = false;
  hub = aws.state.managementAccountId;
  member = [...aws.state.accounts.keys()].find((id) => id !== hub)!;
  ({ queueUrl, deadLetterQueueUrl } = aws.events.createQueues(hub, HOME, {
    visibilityTimeoutSeconds: 5,
    maxReceiveCount: 3,
  }));
  running = await startService({
    loaded: parseConfig({
      memberRole: { externalId: DEFAULT_EXTERNAL_ID },
      aws: { maxAttempts: 3, retryMode: 'standard', requestTimeoutMs: 5000 },
      api: { tokens: [TOKEN], rateLimitPerMinute: 100_000 },
      store: { dataDir: mkdtempSync(join(tmpdir(), 'kw-e2e-')) },
      regions: { mode: 'list', list: REGIONS },
      shutdownGraceSeconds: 5,
      events: { queueUrl, coalesceMs: 200, waitTimeSeconds: 1 },
    }),
    logger: silentLogger(),
  });
  // The user's session in the member account: OrganizationAccountAccessRole, assumed from the management account.
  const sts = new STSClient({ region: HOME, credentials: aws.hubCredentials, maxAttempts: 1 });
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/${ADMIN_ROLE}`, RoleSessionName: 'alice' }),
  );
  sts.destroy();
  const credentials = {
    accessKeyId: c!.AccessKeyId!,
    secretAccessKey: c!.SecretAccessKey!,
    sessionToken: c!.SessionToken!,
  };
  iam = new IAMClient({ region: HOME, credentials, maxAttempts: 1 });
  kms = new KMSClient({ region: KEY_REGION, credentials, maxAttempts: 1 });
  sqs = new SQSClient({ region: HOME, credentials: aws.hubCredentials, maxAttempts: 1 });
}, 30_000);

afterAll(async () => {
  await running?.shutdown();
  for (const client of [iam, kms, sqs]) client?.destroy();
  await aws?.stop();
});

interface EventsStatus {
  state: string;
  held: number;
  pending: number;
  inFlight: number;
  counters: {
    received: number;
    evaluated: number;
    deadLettered: number;
    ignored: Record<string, number>;
    outcomes: Record<string, number>;
  };
  customAction?: { state: string; actionTargets: Record<string, string> };
}
async function status(): Promise<EventsStatus> {
  const res = await running.app.inject({
    method: 'GET',
    url: '/v1/events/status',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(res.statusCode).toBe(200);
  return res.json<EventsStatus>();
}

/** The finding of (control, resource) in the account's Security Hub in `region`, active or archived. */
function findingOf(accountId: string, region: string, control: string, arn: string): Stored | undefined {
  const found = [...aws.state.hub(accountId, region).findings.values()]
    .map((f) => f as unknown as Stored)
    .filter((f) => f.Compliance?.SecurityControlId === control && f.Resources[0]?.Id === arn);
  expect(found.length).toBeLessThanOrEqual(1);
  return found[0];
}

/** Waits until that finding is ACTIVE with `status`, or ARCHIVED; fails with what it last saw. */
function becomes(
  region: string,
  control: string,
  arn: string,
  wanted: { status: string } | 'ARCHIVED',
): Promise<Stored> {
  const what =
    wanted === 'ARCHIVED' ? `${control} of ${arn} archived` : `${control} of ${arn} ${wanted.status}`;
  return waitFor(
    what,
    () => {
      const finding = findingOf(member, region, control, arn);
      if (finding === undefined) return undefined;
      const ok =
        wanted === 'ARCHIVED'
          ? finding.RecordState === 'ARCHIVED'
          : finding.RecordState === 'ACTIVE' && finding.Compliance?.Status === wanted.status;
      return ok && finding;
    },
    WAIT,
  );
}

/** Nothing left to do: the queue empty, no resource waiting, no evaluation running. */
const quiet = () =>
  waitFor(
    'the consumer to be idle',
    async () => {
      const s = await status();
      const q = aws.sqs.counts(hub, HOME, 'keywarden-events');
      return (
        aws.events.pending() === 0 &&
        q.visible + q.inFlight + q.delayed === 0 &&
        s.held + s.pending + s.inFlight === 0 &&
        s
      );
    },
    WAIT,
  );

const keyArn = (keyId: string) => `arn:aws:kms:${KEY_REGION}:${member}:key/${keyId}`;
let rotationKey: string;
let policyKey: string;
let roleArn: string;
let roleName: string;

describe('a change in a member account becomes its finding, without any scan', () => {
  it('KMS.4: rotation disabled on an enabled symmetric key is FAILED, enabled again PASSED', async () => {
    rotationKey = (await kms.send(new CreateKeyCommand({ Description: 'orders' }))).KeyMetadata!.KeyId!;
    await kms.send(new EnableKeyRotationCommand({ KeyId: rotationKey }));
    await becomes(KEY_REGION, 'KMS.4', keyArn(rotationKey), { status: 'PASSED' });
    await kms.send(new DisableKeyRotationCommand({ KeyId: rotationKey }));
    await becomes(KEY_REGION, 'KMS.4', keyArn(rotationKey), { status: 'FAILED' });
    await kms.send(new EnableKeyRotationCommand({ KeyId: rotationKey }));
    await becomes(KEY_REGION, 'KMS.4', keyArn(rotationKey), { status: 'PASSED' });
  });

  it('KMS.2: a kms:Decrypt on * inline policy on a role is FAILED, deleted again PASSED', async () => {
    const role = aws.state.account(member)!.identities.find((i) => i.kind === 'role')!;
    roleName = role.name;
    roleArn = `arn:aws:iam::${member}:role${role.path}${role.name}`;
    // The role keeps only a harmless inline policy, so its finding is PASSED before and after.
    for (const p of [...role.inlinePolicies])
      await iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: p.name }));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'read-orders-key',
        PolicyDocument: READ_ONE_KEY(keyArn(rotationKey)),
      }),
    );
    await becomes(HOME, 'KMS.2', roleArn, { status: 'PASSED' });
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'decrypt-everything',
        PolicyDocument: DECRYPT_ON_ALL_KEYS,
      }),
    );
    await becomes(HOME, 'KMS.2', roleArn, { status: 'FAILED' });
    await iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: 'decrypt-everything' }));
    await becomes(HOME, 'KMS.2', roleArn, { status: 'PASSED' });
  });

  it('KMS.3: a key scheduled for deletion is FAILED, its deletion cancelled PASSED', async () => {
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: rotationKey, PendingWindowInDays: 7 }));
    await becomes(KEY_REGION, 'KMS.3', keyArn(rotationKey), { status: 'FAILED' });
    // A key pending deletion is out of KMS.4's scope: its rotation finding is archived.
    await becomes(KEY_REGION, 'KMS.4', keyArn(rotationKey), 'ARCHIVED');
    await kms.send(new CancelKeyDeletionCommand({ KeyId: rotationKey }));
    await becomes(KEY_REGION, 'KMS.3', keyArn(rotationKey), { status: 'PASSED' });
  });

  it('KMS.5: a key policy opened to * is FAILED, put back PASSED', async () => {
    policyKey = (await kms.send(new CreateKeyCommand({ Description: 'payments' }))).KeyMetadata!.KeyId!;
    await becomes(KEY_REGION, 'KMS.5', keyArn(policyKey), { status: 'PASSED' });
    const original = (await kms.send(new GetKeyPolicyCommand({ KeyId: policyKey, PolicyName: 'default' })))
      .Policy!;
    await kms.send(
      new PutKeyPolicyCommand({ KeyId: policyKey, PolicyName: 'default', Policy: OPEN_TO_EVERYONE }),
    );
    await becomes(KEY_REGION, 'KMS.5', keyArn(policyKey), { status: 'FAILED' });
    await kms.send(new PutKeyPolicyCommand({ KeyId: policyKey, PolicyName: 'default', Policy: original }));
    await becomes(KEY_REGION, 'KMS.5', keyArn(policyKey), { status: 'PASSED' });
  });

  it('KMS.1: a customer managed policy granting kms:Decrypt on * is FAILED; deleting it archives its finding', async () => {
    const created = await iam.send(
      new CreatePolicyCommand({ PolicyName: 'decrypt-all-keys', PolicyDocument: DECRYPT_ON_ALL_KEYS }),
    );
    const arn = created.Policy!.Arn!;
    await becomes(HOME, 'KMS.1', arn, { status: 'FAILED' });
    // Never attached (AttachmentCount 0), so DeletePolicy is allowed.
    expect(created.Policy!.AttachmentCount ?? 0).toBe(0);
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
    await becomes(HOME, 'KMS.1', arn, 'ARCHIVED');
  });

  it('ran no scan: every finding came from an event', async () => {
    expect((await running.store.listScans({ limit: 10 })).items).toEqual([]);
    expect(aws.counters.byOperation.get('iam:GetAccountAuthorizationDetails') ?? 0).toBe(0);
    expect(aws.counters.byOperation.get('kms:ListKeys') ?? 0).toBe(0);
  });
});

describe('the console re-check', () => {
  it('a custom action fired on three findings re-reads exactly their three resources and updates them', async () => {
    const action = await waitFor('the custom action', async () => {
      const s = (await status()).customAction;
      return s?.state === 'done' && s.actionTargets[HOME];
    });
    await quiet();
    const chosen = [
      { region: KEY_REGION, control: 'KMS.4', arn: keyArn(rotationKey) },
      { region: HOME, control: 'KMS.2', arn: roleArn },
      { region: KEY_REGION, control: 'KMS.5', arn: keyArn(policyKey) },
    ];
    const before = chosen.map((c) => findingOf(member, c.region, c.control, c.arn)!);
    // Changed behind keywarden's back (no write call, no event), so only the re-check can see it: the first
    // key (Disabled since its deletion was cancelled, so its KMS.4 finding is archived) enabled with
    // rotation off, the decrypt-everything policy back on the role, the second key's policy open to all.
    const target = aws.state.keys(member, KEY_REGION).find((k) => k.keyId === rotationKey)!;
    target.keyState = 'Enabled';
    target.rotationEnabled = false;
    aws.state
      .account(member)!
      .identities.find((i) => i.kind === 'role' && i.name === roleName)!
      .inlinePolicies.push({ name: 'quiet-change', document: JSON.parse(DECRYPT_ON_ALL_KEYS) });
    aws.state.keys(member, KEY_REGION).find((k) => k.keyId === policyKey)!.policy = JSON.parse(
      OPEN_TO_EVERYONE,
    ) as Record<string, unknown>;
    const evaluated = (await status()).counters.outcomes['evaluated']!;

    aws.requestLog.start();
    aws.securityHub.fireCustomAction({
      accountId: hub,
      region: HOME,
      actionTargetArn: action,
      findings: before.map((f, i) => ({ accountId: member, region: chosen[i]!.region, id: f.Id })),
    });
    for (const c of chosen) await becomes(c.region, c.control, c.arn, { status: 'FAILED' });
    await waitFor(
      'three evaluations',
      async () => (await status()).counters.outcomes['evaluated']! >= evaluated + 3,
    );
    await quiet();
    const requests = aws.requestLog.stop();

    // Reads of KMS and IAM name a resource (a key by id or ARN), and only the three chosen ones.
    const reads = requests.filter((r) => r.operation.startsWith('kms:') || r.operation.startsWith('iam:'));
    expect(reads.filter((r) => r.resource === undefined)).toEqual([]);
    const named = (resource: string) => resource.replace(/^arn:aws:kms:[^:]+:\d{12}:key\//, '');
    expect([...new Set(reads.map((r) => `${r.accountId}/${r.region}/${named(r.resource!)}`))].sort()).toEqual(
      [
        `${member}/${KEY_REGION}/${rotationKey}`,
        `${member}/${KEY_REGION}/${policyKey}`,
        `${member}/${HOME}/${roleName}`,
      ].sort(),
    );
    expect((await status()).counters.outcomes['evaluated']).toBe(evaluated + 3);
  });
});

describe('what must evaluate nothing', () => {
  const fixture = (name: string, account: string) => {
    const text = readFileSync(join(import.meta.dirname, '../fixtures/events', `${name}.json`), 'utf8');
    const event = JSON.parse(text.replaceAll('111122223333', account)) as Record<string, unknown>;
    event['id'] = `forged-${name}`;
    event['time'] = new Date().toISOString();
    return JSON.stringify(event);
  };
  const send = (bodies: string[]) =>
    sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.map((body, i) => ({ Id: `m${i}`, MessageBody: body })),
      }),
    );

  it('a forged event for an account outside the organization: no AssumeRole into it, counted as ignored', async () => {
    await quiet();
    const before = await status();
    aws.requestLog.start();
    await send([fixture('PutRolePolicy', OUTSIDE), fixture('PutKeyPolicy', OUTSIDE)]);
    await waitFor(
      'two ignored events',
      async () =>
        ((await status()).counters.ignored['account-out-of-scope'] ?? 0) ===
        (before.counters.ignored['account-out-of-scope'] ?? 0) + 2,
      WAIT,
    );
    await quiet();
    const requests = aws.requestLog.stop();
    expect(requests.filter((r) => r.accountId === OUTSIDE || r.resource?.includes(OUTSIDE))).toEqual([]);
    expect(requests.filter((r) => r.operation === 'sts:AssumeRole')).toEqual([]);
    const after = await status();
    expect(after.counters.outcomes).toEqual(before.counters.outcomes);
  });

  it('malformed messages land in the dead-letter queue', async () => {
    await quiet();
    const before = await status();
    await send(['{not json', JSON.stringify({ hello: 'world' }), JSON.stringify({ 'detail-type': 'Nope' })]);
    const dlqName = deadLetterQueueUrl.split('/').pop()!;
    await waitFor(
      'three messages in the dead-letter queue',
      () => aws.sqs.counts(hub, HOME, dlqName).visible === 3,
      WAIT,
    );
    await quiet();
    const after = await status();
    expect(after.counters.deadLettered).toBe(before.counters.deadLettered + 3);
    expect(after.counters.outcomes).toEqual(before.counters.outcomes);
    expect(after.state).toBe('running');
  });
});
