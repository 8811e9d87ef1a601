/**
 * The simulator's write calls through the real @aws-sdk/client-iam and client-kms over HTTP: each success
 * changes what the read calls answer and delivers exactly one EventBridge event to the hub account's queue,
 * which keywarden's parser (`changeTargets`) maps to the changed resource; a refused call changes nothing
 * and sends nothing; and the delivery faults (delay, duplication, reordering) behave. The expected targets
 * and controls come from what the test did and from SEMANTICS.md's table, not from the simulator.
 */
import {
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeleteGroupPolicyCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetAccountAuthorizationDetailsCommand,
  IAMClient,
  PutGroupPolicyCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  DeleteUserPermissionsBoundaryCommand,
  DeleteUserCommand,
  DeleteGroupCommand,
  SetDefaultPolicyVersionCommand,
} from '@aws-sdk/client-iam';
import {
  CancelKeyDeletionCommand,
  CreateKeyCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  ReplicateKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { changeTargets, type ChangeTarget } from '../../src/events/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { ADMIN_ROLE, DEFAULT_EXTERNAL_ID, startSimulator } from '../../src/simulator/index.js';

const HOME = 'us-east-1';
const OTHER = 'eu-west-1';
let sim: RunningSimulator;
let member: string;
let queueUrl: string;
let sqs: SQSClient;

const DOC = (action: string, resource = '*') =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: action, Resource: resource }],
  });

async function session(account: string, role: string, region: string) {
  const c = (
    await new STSClient({
      endpoint: sim.endpoint,
      region: HOME,
      credentials: sim.hubCredentials,
      maxAttempts: 1,
    }).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${account}:role/${role}`,
        RoleSessionName: 'events-test',
        ExternalId: DEFAULT_EXTERNAL_ID,
      }),
    )
  ).Credentials!;
  const credentials = {
    accessKeyId: c.AccessKeyId!,
    secretAccessKey: c.SecretAccessKey!,
    sessionToken: c.SessionToken!,
  };
  const options = { endpoint: sim.endpoint, region, credentials, maxAttempts: 1 };
  return { iam: new IAMClient(options), kms: new KMSClient(options) };
}
const admin = (region = HOME) => session(member, ADMIN_ROLE, region);

/** Everything delivered so far, deleted from the queue; waits for delayed or held events first. */
async function drain(): Promise<{ event: Record<string, unknown>; message: Message }[]> {
  await sim.events.settled();
  const out: { event: Record<string, unknown>; message: Message }[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['SentTimestamp'],
      }),
    );
    if (Messages.length === 0) return out;
    for (const message of Messages)
      out.push({ event: JSON.parse(message.Body!) as Record<string, unknown>, message });
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}

const FIXTURES = new URL('../fixtures/events/', import.meta.url);

/**
 * The event has the members of the recorded example of its kind (test/fixtures/events), CloudTrail's
 * record the same fields, and the response the same top-level members (or null when the example has none).
 */
function expectShapeOfFixture(name: string, event: Record<string, unknown>): void {
  const file = new URL(`${name.replace(/ /g, '-')}.json`, FIXTURES);
  const fixture = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const keys = (value: unknown) => Object.keys(value as Record<string, unknown>).sort();
  expect(keys(event), name).toEqual(keys(fixture));
  const detail = event['detail'] as Record<string, unknown>;
  const expected = fixture['detail'] as Record<string, unknown>;
  // tlsDetails describes the caller's TLS connection, which the simulator's plain HTTP does not have.
  expect(keys(detail), name).toEqual(keys(expected).filter((k) => k !== 'tlsDetails'));
  if (!('responseElements' in expected)) return;
  const response = detail['responseElements'];
  if (expected['responseElements'] === null) expect(response, name).toBeNull();
  else expect(keys(response), name).toEqual(keys(expected['responseElements']));
}

/** The one event the last call sent, and the one target keywarden's parser reads from it. */
async function oneTarget(
  eventName: string,
): Promise<{ event: Record<string, unknown>; target: ChangeTarget }> {
  const events = (await drain()).map((d) => d.event);
  expect(events).toHaveLength(1);
  const event = events[0]!;
  expect((event['detail'] as { eventName?: string }).eventName ?? event['detail-type']).toBe(eventName);
  expectShapeOfFixture(eventName, event);
  const parsed = changeTargets(event);
  expect(parsed, JSON.stringify(parsed)).toHaveProperty('targets');
  const targets = (parsed as { targets: ChangeTarget[] }).targets;
  expect(targets).toHaveLength(1);
  return { event, target: targets[0]! };
}

async function nothingSent(): Promise<void> {
  expect(await drain()).toEqual([]);
}

/** SEMANTICS.md, "Change-triggered evaluation": which controls each change touches. */
const KMS1 = ['KMS.1'];
const KMS2 = ['KMS.2'];
const KEY_STATE = ['KMS.3', 'KMS.4'];
const KEY_POLICY = ['KMS.5'];

beforeAll(async () => {
  sim = await startSimulator({
    organization: { accounts: 2, regions: [HOME, OTHER], seed: 5 },
    faults: { throttling: false },
  });
  member = [...sim.state.accounts.keys()][1]!;
  ({ queueUrl } = sim.events.createQueues(sim.state.managementAccountId, HOME));
  sqs = new SQSClient({
    endpoint: sim.endpoint,
    region: HOME,
    credentials: sim.hubCredentials,
    maxAttempts: 1,
  });
});
afterAll(async () => sim.stop());
beforeEach(async () => {
  Object.assign(sim.faults, { eventDelayMs: 0, eventDuplicateRate: 0, eventReorderWindow: 0 });
  await drain();
});

async function details(iam: IAMClient) {
  return iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1000 }));
}

describe('IAM managed policies', () => {
  it('CreatePolicy, CreatePolicyVersion, SetDefaultPolicyVersion, DeletePolicyVersion, DeletePolicy', async () => {
    const { iam } = await admin();
    const created = await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'KeyReaders',
        Path: '/team/',
        PolicyDocument: DOC('kms:Decrypt'),
      }),
    );
    const arn = `arn:aws:iam::${member}:policy/team/KeyReaders`;
    expect(created.Policy).toMatchObject({ Arn: arn, DefaultVersionId: 'v1', AttachmentCount: 0 });
    const first = await oneTarget('CreatePolicy');
    let { target } = first;
    const { event } = first;
    expect(target).toMatchObject({ accountId: member, region: HOME, controls: KMS1 });
    expect(target.resource).toEqual({ kind: 'managed-policy', arn });
    expect(event).toMatchObject({ source: 'aws.iam', account: member, region: HOME });
    expect(event['detail']).toMatchObject({
      eventSource: 'iam.amazonaws.com',
      awsRegion: HOME,
      recipientAccountId: member,
      requestParameters: { policyName: 'KeyReaders', path: '/team/', policyDocument: DOC('kms:Decrypt') },
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${member}:assumed-role/${ADMIN_ROLE}/events-test`,
      },
    });

    // The same name again: EntityAlreadyExists, and no event.
    await expect(
      iam.send(new CreatePolicyCommand({ PolicyName: 'KeyReaders', PolicyDocument: DOC('kms:Decrypt') })),
    ).rejects.toMatchObject({ name: 'EntityAlreadyExistsException', $metadata: { httpStatusCode: 409 } });
    await nothingSent();

    const v2 = await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: arn,
        PolicyDocument: DOC('kms:Encrypt'),
        SetAsDefault: true,
      }),
    );
    expect(v2.PolicyVersion).toMatchObject({ VersionId: 'v2', IsDefaultVersion: true });
    ({ target } = await oneTarget('CreatePolicyVersion'));
    expect(target.resource).toEqual({ kind: 'managed-policy', arn });
    const listed = (await details(iam)).Policies!.find((p) => p.Arn === arn)!;
    expect(listed.DefaultVersionId).toBe('v2');
    const defaultDoc = listed.PolicyVersionList!.find((v) => v.IsDefaultVersion)!.Document!;
    expect(JSON.parse(decodeURIComponent(defaultDoc))).toEqual(JSON.parse(DOC('kms:Encrypt')));

    // Five versions at most: the sixth is LimitExceeded (409), with no event.
    for (let i = 3; i <= 5; i++)
      await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: DOC('kms:Encrypt') }));
    expect(await drain()).toHaveLength(3);
    await expect(
      iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: DOC('kms:Encrypt') })),
    ).rejects.toMatchObject({ name: 'LimitExceededException', $metadata: { httpStatusCode: 409 } });
    await nothingSent();

    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }));
    ({ target } = await oneTarget('SetDefaultPolicyVersion'));
    expect(target.resource).toEqual({ kind: 'managed-policy', arn });
    expect((await details(iam)).Policies!.find((p) => p.Arn === arn)!.DefaultVersionId).toBe('v1');

    // The default version cannot be deleted; the policy cannot be deleted while it has other versions.
    await expect(
      iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' })),
    ).rejects.toMatchObject({
      name: 'DeleteConflictException',
      $metadata: { httpStatusCode: 409 },
    });
    await expect(iam.send(new DeletePolicyCommand({ PolicyArn: arn }))).rejects.toMatchObject({
      name: 'DeleteConflictException',
    });
    await expect(
      iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v9' })),
    ).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      $metadata: { httpStatusCode: 404 },
    });
    await nothingSent();
    for (const VersionId of ['v2', 'v3', 'v4', 'v5']) {
      await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId }));
      ({ target } = await oneTarget('DeletePolicyVersion'));
      expect(target.resource).toEqual({ kind: 'managed-policy', arn });
    }
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
    ({ target } = await oneTarget('DeletePolicy'));
    expect(target.resource).toEqual({ kind: 'managed-policy', arn });
    expect((await details(iam)).Policies!.some((p) => p.Arn === arn)).toBe(false);
    await expect(iam.send(new DeletePolicyCommand({ PolicyArn: arn }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
    });
    await nothingSent();
  });

  it('a malformed document is MalformedPolicyDocument and changes nothing', async () => {
    const { iam } = await admin();
    await expect(
      iam.send(new CreatePolicyCommand({ PolicyName: 'Broken', PolicyDocument: '{not json' })),
    ).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException', $metadata: { httpStatusCode: 400 } });
    expect((await details(iam)).Policies!.some((p) => p.PolicyName === 'Broken')).toBe(false);
    await nothingSent();
  });
});

describe('IAM inline policies, boundaries and identities', () => {
  const identity = (kind: 'user' | 'group' | 'role') =>
    sim.state.account(member)!.identities.find((i) => i.kind === kind)!.name;

  it('Put/Delete{Role,User,Group}Policy name the identity, and the read calls see the change', async () => {
    // The IAM client signs for another region: IAM is global and its events come from us-east-1.
    const { iam } = await admin(OTHER);
    const P = 'decrypt-everything';
    const D = DOC('kms:Decrypt');
    const cases = [
      {
        kind: 'role' as const,
        put: (n: string) => new PutRolePolicyCommand({ RoleName: n, PolicyName: P, PolicyDocument: D }),
        del: (n: string) => new DeleteRolePolicyCommand({ RoleName: n, PolicyName: P }),
      },
      {
        kind: 'user' as const,
        put: (n: string) => new PutUserPolicyCommand({ UserName: n, PolicyName: P, PolicyDocument: D }),
        del: (n: string) => new DeleteUserPolicyCommand({ UserName: n, PolicyName: P }),
      },
      {
        kind: 'group' as const,
        put: (n: string) => new PutGroupPolicyCommand({ GroupName: n, PolicyName: P, PolicyDocument: D }),
        del: (n: string) => new DeleteGroupPolicyCommand({ GroupName: n, PolicyName: P }),
      },
    ];
    for (const c of cases) {
      const name = identity(c.kind);
      const kind = c.kind[0]!.toUpperCase() + c.kind.slice(1);
      await iam.send(c.put(name) as never);
      const { target, event } = await oneTarget(`Put${kind}Policy`);
      expect(target).toMatchObject({ accountId: member, region: HOME, controls: KMS2 });
      expect(target.resource).toEqual({ kind: c.kind, name });
      expect(event['region']).toBe(HOME);
      const list = (await details(iam)) as unknown as Record<string, Record<string, unknown>[]>;
      const entry = list[`${kind}DetailList`]!.find((e) => e[`${kind}Name`] === name)!;
      const policies = entry[`${kind}PolicyList`] as { PolicyName: string; PolicyDocument: string }[];
      expect(policies.find((p) => p.PolicyName === 'decrypt-everything')).toBeDefined();

      await iam.send(c.del(name) as never);
      const deleted = await oneTarget(`Delete${kind}Policy`);
      expect(deleted.target.resource).toEqual({ kind: c.kind, name });
      await expect(iam.send(c.del(name) as never)).rejects.toMatchObject({
        name: 'NoSuchEntityException',
        $metadata: { httpStatusCode: 404 },
      });
      await nothingSent();
    }
    await expect(
      iam.send(
        new PutRolePolicyCommand({ RoleName: 'nobody', PolicyName: 'p', PolicyDocument: DOC('kms:Decrypt') }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await expect(
      iam.send(
        new PutRolePolicyCommand({ RoleName: identity('role'), PolicyName: 'p', PolicyDocument: '[]' }),
      ),
    ).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException' });
    await nothingSent();
  });

  it('permissions boundaries re-check the account and move PermissionsBoundaryUsageCount', async () => {
    const { iam } = await admin();
    await iam.send(new CreatePolicyCommand({ PolicyName: 'Boundary', PolicyDocument: DOC('kms:*') }));
    await drain();
    const arn = `arn:aws:iam::${member}:policy/Boundary`;
    const usage = async () =>
      (await details(iam)).Policies!.find((p) => p.Arn === arn)!.PermissionsBoundaryUsageCount;
    await iam.send(
      new PutRolePermissionsBoundaryCommand({ RoleName: identity('role'), PermissionsBoundary: arn }),
    );
    let { target } = await oneTarget('PutRolePermissionsBoundary');
    expect(target).toMatchObject({ accountId: member, controls: KMS1, resource: { kind: 'account' } });
    await iam.send(
      new PutUserPermissionsBoundaryCommand({ UserName: identity('user'), PermissionsBoundary: arn }),
    );
    ({ target } = await oneTarget('PutUserPermissionsBoundary'));
    expect(target.resource).toEqual({ kind: 'account' });
    expect(await usage()).toBe(2);
    // A boundary in use cannot be deleted.
    await expect(iam.send(new DeletePolicyCommand({ PolicyArn: arn }))).rejects.toMatchObject({
      name: 'DeleteConflictException',
    });
    await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: identity('role') }));
    ({ target } = await oneTarget('DeleteRolePermissionsBoundary'));
    expect(target.resource).toEqual({ kind: 'account' });
    await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: identity('user') }));
    await oneTarget('DeleteUserPermissionsBoundary');
    expect(await usage()).toBe(0);
    await expect(
      iam.send(
        new PutRolePermissionsBoundaryCommand({
          RoleName: identity('role'),
          PermissionsBoundary: `arn:aws:iam::${member}:policy/Missing`,
        }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await nothingSent();
  });

  it('DeleteRole/User/Group: DeleteConflict while inline policies remain, then gone from the read calls', async () => {
    const { iam } = await admin();
    const cases = [
      {
        kind: 'role' as const,
        list: 'RoleDetailList',
        key: 'RoleName',
        send: (n: string) => new DeleteRoleCommand({ RoleName: n }),
        del: (n: string, p: string) => new DeleteRolePolicyCommand({ RoleName: n, PolicyName: p }),
        put: (n: string) =>
          new PutRolePolicyCommand({ RoleName: n, PolicyName: 'x', PolicyDocument: DOC('s3:*') }),
      },
      {
        kind: 'user' as const,
        list: 'UserDetailList',
        key: 'UserName',
        send: (n: string) => new DeleteUserCommand({ UserName: n }),
        del: (n: string, p: string) => new DeleteUserPolicyCommand({ UserName: n, PolicyName: p }),
        put: (n: string) =>
          new PutUserPolicyCommand({ UserName: n, PolicyName: 'x', PolicyDocument: DOC('s3:*') }),
      },
      {
        kind: 'group' as const,
        list: 'GroupDetailList',
        key: 'GroupName',
        send: (n: string) => new DeleteGroupCommand({ GroupName: n }),
        del: (n: string, p: string) => new DeleteGroupPolicyCommand({ GroupName: n, PolicyName: p }),
        put: (n: string) =>
          new PutGroupPolicyCommand({ GroupName: n, PolicyName: 'x', PolicyDocument: DOC('s3:*') }),
      },
    ];
    for (const c of cases) {
      const name = identity(c.kind);
      await iam.send(c.put(name) as never);
      await drain();
      await expect(iam.send(c.send(name) as never)).rejects.toMatchObject({
        name: 'DeleteConflictException',
        $metadata: { httpStatusCode: 409 },
      });
      await nothingSent();
      const policies = sim.state
        .account(member)!
        .identities.find((i) => i.kind === c.kind && i.name === name)!.inlinePolicies;
      for (const policy of [...policies]) await iam.send(c.del(name, policy.name) as never);
      await drain();
      await iam.send(c.send(name) as never);
      const kind = c.kind[0]!.toUpperCase() + c.kind.slice(1);
      const { target } = await oneTarget(`Delete${kind}`);
      expect(target).toMatchObject({ accountId: member, controls: KMS2, resource: { kind: c.kind, name } });
      const list = (await details(iam)) as unknown as Record<string, Record<string, unknown>[]>;
      expect(list[c.list]!.some((e) => e[c.key] === name)).toBe(false);
    }
  });

  it('the member role reads but may not write: AccessDenied (403), nothing changes, no event', async () => {
    const { iam } = await session(member, 'KeywardenMemberRole', HOME);
    const before = JSON.stringify(sim.state.account(member)!.identities);
    await expect(
      iam.send(
        new PutRolePolicyCommand({
          RoleName: identity('role'),
          PolicyName: 'p',
          PolicyDocument: DOC('kms:Decrypt'),
        }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(JSON.stringify(sim.state.account(member)!.identities)).toBe(before);
    await nothingSent();
  });
});

describe('KMS keys', () => {
  it('CreateKey, rotation, deletion, enable/disable and PutKeyPolicy each name the key', async () => {
    const { kms } = await admin(OTHER);
    const created = (
      await kms.send(new CreateKeyCommand({ Description: 'orders', KeySpec: 'SYMMETRIC_DEFAULT' }))
    ).KeyMetadata!;
    const keyId = created.KeyId!;
    const arn = `arn:aws:kms:${OTHER}:${member}:key/${keyId}`;
    expect(created).toMatchObject({ Arn: arn, KeyState: 'Enabled', KeyManager: 'CUSTOMER', Enabled: true });
    let { target, event } = await oneTarget('CreateKey');
    expect(target).toMatchObject({
      accountId: member,
      region: OTHER,
      controls: [...KEY_STATE, ...KEY_POLICY],
    });
    expect(target.resource).toMatchObject({ kind: 'key', keyId });
    expect(event).toMatchObject({ source: 'aws.kms', region: OTHER, account: member });
    expect(event['detail']).toMatchObject({
      requestParameters: { description: 'orders', keySpec: 'SYMMETRIC_DEFAULT' },
      responseElements: { keyMetadata: { keyId, arn, keyState: 'Enabled', AWSAccountId: member } },
    });

    await kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 180 }));
    ({ target } = await oneTarget('EnableKeyRotation'));
    expect(target).toMatchObject({ region: OTHER, controls: KEY_STATE, resource: { kind: 'key', keyId } });
    expect(await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).toMatchObject({
      KeyRotationEnabled: true,
      RotationPeriodInDays: 180,
    });
    await kms.send(new DisableKeyRotationCommand({ KeyId: arn }));
    ({ target } = await oneTarget('DisableKeyRotation'));
    expect(target.resource).toMatchObject({ kind: 'key', keyId });
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyRotationEnabled).toBe(
      false,
    );

    // The window is 7 to 30 days.
    await expect(
      kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 6 })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await nothingSent();
    const scheduled = await kms.send(
      new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }),
    );
    expect(scheduled).toMatchObject({ KeyId: arn, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    ({ target, event } = await oneTarget('ScheduleKeyDeletion'));
    expect(target).toMatchObject({ controls: KEY_STATE, resource: { kind: 'key', keyId } });
    expect(event['detail']).toMatchObject({
      responseElements: { keyId: arn, keyState: 'PendingDeletion', pendingWindowInDays: 7 },
    });
    expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata).toMatchObject({
      KeyState: 'PendingDeletion',
    });
    // A key pending deletion can be neither enabled nor scheduled again.
    for (const command of [
      new EnableKeyCommand({ KeyId: keyId }),
      new ScheduleKeyDeletionCommand({ KeyId: keyId }),
      new EnableKeyRotationCommand({ KeyId: keyId }),
    ])
      await expect(kms.send(command as never)).rejects.toMatchObject({ name: 'KMSInvalidStateException' });
    await nothingSent();

    await kms.send(new CancelKeyDeletionCommand({ KeyId: keyId }));
    ({ target } = await oneTarget('CancelKeyDeletion'));
    expect(target.resource).toMatchObject({ kind: 'key', keyId });
    expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState).toBe('Disabled');
    await expect(kms.send(new CancelKeyDeletionCommand({ KeyId: keyId }))).rejects.toMatchObject({
      name: 'KMSInvalidStateException',
    });
    await kms.send(new EnableKeyCommand({ KeyId: keyId }));
    await oneTarget('EnableKey');
    expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState).toBe('Enabled');
    await kms.send(new DisableKeyCommand({ KeyId: keyId }));
    await oneTarget('DisableKey');
    expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState).toBe('Disabled');

    const open = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }],
    });
    await kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: open }));
    ({ target } = await oneTarget('PutKeyPolicy'));
    expect(target).toMatchObject({ controls: KEY_POLICY, resource: { kind: 'key', keyId } });
    expect(JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: keyId }))).Policy!)).toEqual(
      JSON.parse(open),
    );
  });

  it('refused calls change nothing and send nothing', async () => {
    const { kms } = await admin(OTHER);
    const asymmetric = (
      await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }))
    ).KeyMetadata!.KeyId!;
    await drain();
    await expect(kms.send(new EnableKeyRotationCommand({ KeyId: asymmetric }))).rejects.toMatchObject({
      name: 'UnsupportedOperationException',
    });
    await expect(
      kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'ENCRYPT_DECRYPT' })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      kms.send(new DisableKeyCommand({ KeyId: '00000000-0000-0000-0000-000000000000' })),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(
      kms.send(new PutKeyPolicyCommand({ KeyId: asymmetric, Policy: '{not json' })),
    ).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException' });
    await nothingSent();

    // The member role may read keys, not change them: its IAM policy has no kms:ScheduleKeyDeletion.
    const reader = await session(member, 'KeywardenMemberRole', OTHER);
    const before = sim.state.keys(member, OTHER).find((k) => k.keyId === asymmetric)!.keyState;
    await expect(
      reader.kms.send(new ScheduleKeyDeletionCommand({ KeyId: asymmetric, PendingWindowInDays: 7 })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(reader.kms.send(new CreateKeyCommand({}))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    expect(sim.state.keys(member, OTHER).find((k) => k.keyId === asymmetric)!.keyState).toBe(before);
    await nothingSent();
  });
});

describe('KMS replicas, imported key material and KMS’s own events', () => {
  it('ReplicateKey names the replica in its region; a second replica there is AlreadyExists', async () => {
    const { kms } = await admin(HOME);
    const primary = (await kms.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!.KeyId!;
    expect(primary).toMatch(/^mrk-[0-9a-f]{32}$/);
    await drain();
    const answer = await kms.send(new ReplicateKeyCommand({ KeyId: primary, ReplicaRegion: OTHER }));
    expect(answer.ReplicaKeyMetadata).toMatchObject({
      KeyId: primary,
      Arn: `arn:aws:kms:${OTHER}:${member}:key/${primary}`,
      MultiRegionConfiguration: { MultiRegionKeyType: 'REPLICA' },
    });
    const { target, event } = await oneTarget('ReplicateKey');
    expect(event['region']).toBe(HOME);
    expect(target).toMatchObject({
      accountId: member,
      region: OTHER,
      controls: [...KEY_STATE, ...KEY_POLICY],
      resource: { kind: 'key', keyId: primary },
    });
    const inOther = (await admin(OTHER)).kms;
    expect((await inOther.send(new DescribeKeyCommand({ KeyId: primary }))).KeyMetadata!.KeyState).toBe(
      'Enabled',
    );
    await expect(
      kms.send(new ReplicateKeyCommand({ KeyId: primary, ReplicaRegion: OTHER })),
    ).rejects.toMatchObject({
      name: 'AlreadyExistsException',
    });
    const single = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await drain();
    await expect(
      kms.send(new ReplicateKeyCommand({ KeyId: single, ReplicaRegion: OTHER })),
    ).rejects.toMatchObject({
      name: 'UnsupportedOperationException',
    });
    await nothingSent();
  });

  it('imported key material: PendingImport until ImportKeyMaterial with the token, back after deleting it', async () => {
    const { kms } = await admin(OTHER);
    const keyId = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!.KeyId!;
    await drain();
    const state = async () =>
      (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState;
    expect(await state()).toBe('PendingImport');
    const params = await kms.send(
      new GetParametersForImportCommand({
        KeyId: keyId,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    await expect(
      kms.send(
        new ImportKeyMaterialCommand({
          KeyId: keyId,
          ImportToken: new Uint8Array([1, 2, 3]),
          EncryptedKeyMaterial: new Uint8Array(32),
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidImportTokenException' });
    await nothingSent();
    await kms.send(
      new ImportKeyMaterialCommand({
        KeyId: keyId,
        ImportToken: params.ImportToken!,
        EncryptedKeyMaterial: new Uint8Array(32),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    );
    let { target, event } = await oneTarget('ImportKeyMaterial');
    expect(target).toMatchObject({ controls: KEY_STATE, resource: { kind: 'key', keyId } });
    // The key material and the import token are not recorded.
    expect(JSON.stringify(event)).not.toContain(Buffer.from(params.ImportToken!).toString('base64'));
    expect(await state()).toBe('Enabled');
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));
    ({ target, event } = await oneTarget('DeleteImportedKeyMaterial'));
    expect(target.resource).toMatchObject({ kind: 'key', keyId });
    expect(await state()).toBe('PendingImport');
  });

  it('KMS CMK Deletion ends a pending deletion (the key is gone); KMS CMK Rotation names a rotating key', async () => {
    const { kms } = await admin(OTHER);
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
    await drain();
    sim.kms.rotateKey({ accountId: member, region: OTHER, keyId });
    let { target } = await oneTarget('KMS CMK Rotation');
    expect(target).toMatchObject({ accountId: member, region: OTHER, resource: { kind: 'key', keyId } });
    expect(() => sim.kms.completeKeyDeletion({ accountId: member, region: OTHER, keyId })).toThrow(
      /not PendingDeletion/,
    );
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    await drain();
    sim.kms.completeKeyDeletion({ accountId: member, region: OTHER, keyId });
    ({ target } = await oneTarget('KMS CMK Deletion'));
    expect(target).toMatchObject({ accountId: member, region: OTHER, resource: { kind: 'key', keyId } });
    await expect(kms.send(new DescribeKeyCommand({ KeyId: keyId }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });
});

describe('delivery', () => {
  const roleName = () => sim.state.account(member)!.identities.find((i) => i.kind === 'role')!.name;
  const put = async (iam: IAMClient, n: number) =>
    iam.send(
      new PutRolePolicyCommand({ RoleName: roleName(), PolicyName: `p${n}`, PolicyDocument: DOC('s3:*') }),
    );

  it('emission is off without a queue', async () => {
    const { iam } = await admin();
    const target = sim.events.target;
    sim.events.deliverTo(undefined);
    try {
      const emitted = sim.events.counts.emitted;
      await put(iam, 0);
      expect(sim.events.counts.emitted).toBe(emitted);
    } finally {
      sim.events.deliverTo(target);
    }
    await nothingSent();
  });

  it('delay: the event reaches the queue no sooner than eventDelayMs after the call', async () => {
    const { iam } = await admin();
    sim.faults.eventDelayMs = 300;
    const before = Date.now();
    await put(iam, 1);
    expect(sim.events.pending()).toBe(1);
    const delivered = await drain();
    expect(delivered).toHaveLength(1);
    expect(Number(delivered[0]!.message.Attributes!.SentTimestamp) - before).toBeGreaterThanOrEqual(300);
  });

  it('duplication: the same event (same id) twice', async () => {
    const { iam } = await admin();
    sim.faults.eventDuplicateRate = 1;
    await put(iam, 2);
    const delivered = (await drain()).map((d) => d.event);
    expect(delivered).toHaveLength(2);
    expect(delivered[0]).toEqual(delivered[1]);
  });

  it('reordering: a window is held until full, then delivered shuffled; a lone event waits at most the hold', async () => {
    const { iam } = await admin();
    sim.faults.eventReorderWindow = 6;
    sim.faults.eventReorderHoldMs = 60_000;
    const order: string[] = [];
    for (let n = 0; n < 5; n++) {
      await put(iam, 10 + n);
      order.push(`p${10 + n}`);
    }
    // Held: nothing is in the queue yet (a receive sees nothing).
    expect(sim.events.pending()).toBe(5);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }),
    );
    expect(Messages).toEqual([]);
    await put(iam, 15);
    order.push('p15');
    const received = (await drain()).map(
      (d) =>
        ((d.event['detail'] as Record<string, unknown>)['requestParameters'] as { policyName: string })
          .policyName,
    );
    expect([...received].sort()).toEqual([...order].sort());
    expect(received).not.toEqual(order);

    sim.faults.eventReorderHoldMs = 100;
    await put(iam, 16);
    expect(sim.events.pending()).toBe(1);
    expect(await drain()).toHaveLength(1);
  });
});
