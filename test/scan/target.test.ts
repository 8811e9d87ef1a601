/**
 * Change-triggered evaluation of one resource (issue 15 item 2), end to end: the real SDK clients of
 * `targetRunner` against the simulator. Each test changes the simulator's state directly (as a write call
 * would), runs a target, and reads the findings back from the member account's Security Hub with a
 * SecurityHubClient. What a finding must say comes from SEMANTICS.md and the simulator's generator, never
 * from keywarden's code.
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import type { ChangeResource, ChangeTarget } from '../../src/events/targets.js';
import type { AsffFinding } from '../../src/findings/index.js';
import type { TargetOutcome, TargetRunner } from '../../src/scan/target-runner.js';
import { targetRunner } from '../../src/scan/target-runner.js';
import type { ExpectedResult, RunningSimulator } from '../../src/simulator/index.js';
import { DEFAULT_EXTERNAL_ID } from '../../src/simulator/index.js';
import type { SimKey } from '../../src/simulator/state.js';
import { scan, simulatedRegions, startAws, storedFindings } from '../integration/harness.js';

const REGIONS = ['us-east-1', 'eu-west-1'];
const HOME = 'us-east-1';
const DECRYPT_ON_ALL_KEYS = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'DecryptAnything', Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }],
};
const OPEN_TO_EVERYONE = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'Everyone', Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }],
};

let aws: RunningSimulator;
let runner: TargetRunner;
let account: string;
let other: string;
const hubs = new Map<string, SecurityHubClient>();

function config(extra: Record<string, unknown> = {}) {
  return parseConfig(
    {
      memberRole: { externalId: DEFAULT_EXTERNAL_ID },
      aws: { maxAttempts: 3, retryMode: 'standard', requestTimeoutMs: 5000 },
      ...simulatedRegions(),
      ...extra,
    },
    'test',
  );
}

beforeAll(async () => {
  aws = await startAws({
    organization: {
      accounts: 3,
      regions: REGIONS,
      keysPerRegion: 33,
      identitiesPerAccount: 36,
      seed: 15,
      kms5: false,
      lockedKeys: true,
    },
  });
  // The tests read Security Hub as often as they like; the runner's own pacing is not what they check.
  aws.faults.throttling = false;
  const members = [...aws.state.accounts.keys()].filter((id) => id !== aws.state.managementAccountId);
  [account, other] = members as [string, string];
  const baseline = await scan();
  expect(baseline.summary.state).not.toBe('failed');
  runner = targetRunner(config());
}, 60_000);

afterAll(async () => {
  runner?.destroy();
  for (const client of hubs.values()) client.destroy();
  await aws?.stop();
});

/** A SecurityHubClient in the member account (its own credentials, as Security Hub requires). */
async function hubOf(accountId: string, region: string): Promise<SecurityHubClient> {
  const key = `${accountId}/${region}`;
  const known = hubs.get(key);
  if (known) return known;
  const sts = new STSClient({ endpoint: aws.endpoint, region: HOME, credentials: aws.hubCredentials });
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${accountId}:role/KeywardenMemberRole`,
      RoleSessionName: 'test-reader',
      ExternalId: DEFAULT_EXTERNAL_ID,
    }),
  );
  sts.destroy();
  const client = new SecurityHubClient({
    endpoint: aws.endpoint,
    region,
    credentials: {
      accessKeyId: c!.AccessKeyId!,
      secretAccessKey: c!.SecretAccessKey!,
      sessionToken: c!.SessionToken!,
    },
  });
  hubs.set(key, client);
  return client;
}

/** The finding of (control, resource), active or archived, read back from Security Hub. */
async function findingOf(
  accountId: string,
  region: string,
  controlId: string,
  resourceArn: string,
): Promise<AwsSecurityFinding | undefined> {
  const client = await hubOf(accountId, region);
  const { Findings } = await client.send(
    new GetFindingsCommand({
      Filters: {
        ResourceId: [{ Value: resourceArn, Comparison: 'EQUALS' }],
        ComplianceSecurityControlId: [{ Value: controlId, Comparison: 'EQUALS' }],
      },
    }),
  );
  expect((Findings ?? []).length).toBeLessThanOrEqual(1);
  return Findings?.[0];
}

function target(
  accountId: string,
  region: string,
  controls: string[],
  resource: ChangeResource,
): ChangeTarget {
  return {
    accountId,
    region,
    controls,
    resource,
    source: { eventId: `test-${Math.random()}`, time: new Date().toISOString(), name: 'test' },
  };
}

const expectedOf = (filter: (e: ExpectedResult) => boolean) => aws.expected.filter(filter);
const keyArn = (accountId: string, region: string, keyId: string) =>
  `arn:aws:kms:${region}:${accountId}:key/${keyId}`;

/**
 * Customer managed keys whose policy lets the audit role read them and whose scan verdicts were PASSED for KMS.3 and KMS.4,
 * handed out once each.
 */
const taken = new Set<string>();
function healthyKey(accountId = account, region = HOME): SimKey {
  const passing = (controlId: string, arn: string) =>
    expectedOf((e) => e.resourceArn === arn && e.controlId === controlId && e.status === 'PASSED').length ===
    1;
  const key = aws.state.keys(accountId, region).find((k) => {
    const arn = keyArn(accountId, region, k.keyId);
    const refuses = expectedOf((e) => e.resourceArn === arn && e.reasonCode !== undefined).length > 0;
    return !taken.has(arn) && !refuses && ['KMS.3', 'KMS.4'].every((c) => passing(c, arn));
  });
  if (key === undefined) throw new Error('no healthy key left');
  taken.add(keyArn(accountId, region, key.keyId));
  return key;
}

/** A role whose KMS.2 verdict was PASSED in the scan, handed out once. */
function passingRole(accountId: string): { name: string; arn: string } {
  const wanted = expectedOf(
    (e) =>
      e.accountId === accountId &&
      e.controlId === 'KMS.2' &&
      e.status === 'PASSED' &&
      e.resourceArn.includes(':role/'),
  ).find((e) => !taken.has(e.resourceArn))!;
  taken.add(wanted.resourceArn);
  return { name: wanted.resourceArn.split('/').pop()!, arn: wanted.resourceArn };
}
const identity = (accountId: string, name: string) =>
  aws.state.account(accountId)!.identities.find((i) => i.name === name)!;

/** Id -> UpdatedAt of every finding stored in an account. */
function updatedAtOf(accountId: string): Map<string, string> {
  return new Map(
    storedFindings(aws)
      .filter((s) => s.accountId === accountId)
      .map((s) => [s.finding.Id, s.finding.UpdatedAt]),
  );
}

/** The Ids whose UpdatedAt differs between two views (or that appeared). */
function changedIds(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after].filter(([id, at]) => before.get(id) !== at).map(([id]) => id);
}

const status = (f: AwsSecurityFinding | undefined) => f?.Compliance?.Status;

describe('a key re-read after a change', () => {
  it('rotation disabled -> KMS.4 FAILED, re-enabled -> PASSED; CreatedAt and FirstObservedAt carried; nothing else changes', async () => {
    const key = healthyKey();
    const arn = keyArn(account, HOME, key.keyId);
    const before = await findingOf(account, HOME, 'KMS.4', arn);
    expect(status(before)).toBe('PASSED');
    const untouched = updatedAtOf(account);

    key.rotationEnabled = false;
    const disabled = await runner.run(
      target(account, HOME, ['KMS.3', 'KMS.4'], { kind: 'key', keyId: key.keyId, arn }),
    );
    expect(disabled).toMatchObject({ state: 'evaluated', imported: 2, archived: 0, errors: [] });
    const failed = await findingOf(account, HOME, 'KMS.4', arn);
    expect(status(failed)).toBe('FAILED');
    expect(failed?.Severity?.Label).toBe('MEDIUM');
    expect(failed?.RecordState).toBe('ACTIVE');
    expect(failed?.CreatedAt).toBe(before?.CreatedAt);
    expect(failed?.FirstObservedAt).toBe(before?.FirstObservedAt);
    expect(Date.parse(failed!.UpdatedAt!)).toBeGreaterThan(Date.parse(before!.UpdatedAt!));
    // Only this key's two findings (KMS.3 re-imported unchanged, KMS.4 now FAILED) moved.
    const moved = changedIds(untouched, updatedAtOf(account));
    expect(moved.sort()).toEqual([before!.Id!, (await findingOf(account, HOME, 'KMS.3', arn))!.Id!].sort());

    key.rotationEnabled = true;
    const enabled = await runner.run(target(account, HOME, ['KMS.4'], { kind: 'key', keyId: key.keyId }));
    expect(enabled.state).toBe('evaluated');
    const passed = await findingOf(account, HOME, 'KMS.4', arn);
    expect(status(passed)).toBe('PASSED');
    expect(passed?.CreatedAt).toBe(before?.CreatedAt);
  });

  it('scheduled for deletion -> KMS.3 FAILED (CRITICAL), with the deletion date in the reason', async () => {
    const key = healthyKey(account, 'eu-west-1');
    const arn = keyArn(account, 'eu-west-1', key.keyId);
    key.keyState = 'PendingDeletion';
    key.pendingWindowDays = 7;
    key.deletionDate = new Date(Date.now() + 7 * 86_400_000);
    const outcome = await runner.run(
      target(account, 'eu-west-1', ['KMS.3', 'KMS.4'], { kind: 'key', keyId: key.keyId }),
    );
    expect(outcome.state).toBe('evaluated');
    const kms3 = await findingOf(account, 'eu-west-1', 'KMS.3', arn);
    expect(status(kms3)).toBe('FAILED');
    expect(kms3?.Severity?.Label).toBe('CRITICAL');
    expect(JSON.stringify(kms3?.Compliance?.StatusReasons)).toContain(
      key.deletionDate.toISOString().slice(0, 10),
    );
    // Pending deletion leaves KMS.4's scope: its finding is archived, as a scan archives it.
    expect((await findingOf(account, 'eu-west-1', 'KMS.4', arn))?.RecordState).toBe('ARCHIVED');
    expect(outcome.archived).toBe(1);
  });

  it('a key policy opened to everyone -> KMS.5 FAILED', async () => {
    const key = healthyKey();
    const arn = keyArn(account, HOME, key.keyId);
    key.policy = OPEN_TO_EVERYONE;
    const outcome = await runner.run(target(account, HOME, ['KMS.5'], { kind: 'key', keyId: key.keyId }));
    expect(outcome.state).toBe('evaluated');
    const kms5 = await findingOf(account, HOME, 'KMS.5', arn);
    expect(status(kms5)).toBe('FAILED');
    expect(JSON.stringify(kms5?.Compliance?.StatusReasons)).toContain('Everyone');
  });

  it('an alias names the key: it is resolved through DescribeKey', async () => {
    const key = healthyKey();
    const arn = keyArn(account, HOME, key.keyId);
    key.rotationEnabled = false;
    // The simulator's alias of a customer managed key (kms-orgs.ts aliasOf).
    const alias = `alias/${key.description.replace(/[^A-Za-z0-9/_-]/g, '-')}-${key.keyId.slice(0, 8)}`;
    const outcome = await runner.run(target(account, HOME, ['KMS.4'], { kind: 'key', keyId: alias }));
    expect(outcome.state).toBe('evaluated');
    expect(status(await findingOf(account, HOME, 'KMS.4', arn))).toBe('FAILED');
    const missing = await runner.run(
      target(account, HOME, ['KMS.4'], { kind: 'key', keyId: 'alias/never-created' }),
    );
    expect(missing).toMatchObject({ state: 'skipped', imported: 0, archived: 0 });
  });

  it('a key that no longer exists (NotFoundException) -> its findings are archived', async () => {
    const key = healthyKey(other);
    const arn = keyArn(other, HOME, key.keyId);
    const keys = aws.state.keys(other, HOME);
    keys.splice(keys.indexOf(key), 1);
    const outcome = await runner.run(
      target(other, HOME, ['KMS.3', 'KMS.4', 'KMS.5'], { kind: 'key', keyId: key.keyId }),
    );
    expect(outcome).toMatchObject({ state: 'gone', imported: 0, archived: 3 });
    for (const control of ['KMS.3', 'KMS.4', 'KMS.5'])
      expect((await findingOf(other, HOME, control, arn))?.RecordState).toBe('ARCHIVED');
  });

  it('evaluates only the target controls: KMS.4 is not read when only KMS.3 is asked for', async () => {
    const key = healthyKey();
    const arn = keyArn(account, HOME, key.keyId);
    key.rotationEnabled = false;
    aws.counters.reset();
    const outcome = await runner.run(target(account, HOME, ['KMS.3'], { kind: 'key', keyId: key.keyId }));
    expect(outcome).toMatchObject({ state: 'evaluated', imported: 1 });
    expect(aws.counters.byOperation.get('kms:GetKeyRotationStatus')).toBeUndefined();
    expect(status(await findingOf(account, HOME, 'KMS.4', arn))).toBe('PASSED');
  });

  it('a control the configuration disables is never evaluated, even when the target names it', async () => {
    const key = healthyKey();
    const arn = keyArn(account, HOME, key.keyId);
    key.rotationEnabled = false;
    const limited = targetRunner(config({ controls: { 'KMS.4': { enabled: false } } }));
    try {
      const outcome = await limited.run(target(account, HOME, ['KMS.4'], { kind: 'key', keyId: key.keyId }));
      expect(outcome).toMatchObject({ state: 'skipped', imported: 0 });
    } finally {
      limited.destroy();
    }
    expect(status(await findingOf(account, HOME, 'KMS.4', arn))).toBe('PASSED');
  });

  it('reads one key, not the account: the calls of one target', async () => {
    const key = healthyKey(other, 'eu-west-1');
    const run = () =>
      runner.run(target(other, 'eu-west-1', ['KMS.3', 'KMS.4', 'KMS.5'], { kind: 'key', keyId: key.keyId }));
    await run(); // the account's credentials, once per runner
    aws.counters.reset();
    expect((await run()).state).toBe('evaluated');
    expect(Object.fromEntries(aws.counters.byOperation)).toEqual({
      'kms:DescribeKey': 1,
      'kms:GetKeyRotationStatus': 1,
      'kms:GetKeyPolicy': 1,
      'securityhub:DescribeHub': 1,
      'securityhub:GetFindings': 1,
      'securityhub:BatchImportFindings': 1,
    });
  });
});

describe('a key the audit role is locked out of (issue 16)', () => {
  it('gets the same findings as the scan gave it', async () => {
    const locked = expectedOf(
      (e) => e.accountId === account && e.region === HOME && e.reasonCode === 'KEY_UNREADABLE_BY_AUDIT_ROLE',
    );
    expect(locked.length).toBeGreaterThan(0);
    for (const arn of new Set(locked.map((e) => e.resourceArn))) {
      const keyId = arn.split('/').pop()!;
      const wanted = expectedOf((e) => e.resourceArn === arn);
      const outcome = await runner.run(
        target(account, HOME, ['KMS.3', 'KMS.4', 'KMS.5'], { kind: 'key', keyId, arn }),
      );
      expect(outcome.state).toBe('evaluated');
      for (const expected of wanted) {
        const finding = await findingOf(account, HOME, expected.controlId, arn);
        expect([expected.controlId, status(finding), finding?.RecordState]).toEqual([
          expected.controlId,
          expected.status,
          'ACTIVE',
        ]);
        if (expected.reasonCode)
          expect(finding?.Compliance?.StatusReasons?.[0]?.ReasonCode).toBe(expected.reasonCode);
      }
    }
  });
});

describe('IAM resources', () => {
  it('an inline kms:Decrypt on * put on a role -> KMS.2 FAILED, removed -> PASSED (imported in the home region)', async () => {
    const role = passingRole(account);
    const before = await findingOf(account, HOME, 'KMS.2', role.arn);
    expect(status(before)).toBe('PASSED');
    identity(account, role.name).inlinePolicies.push({ name: 'decrypt-all', document: DECRYPT_ON_ALL_KEYS });
    // IAM's events come from us-east-1; a role is global whatever region the target says.
    const put = await runner.run(target(account, 'eu-west-1', ['KMS.2'], { kind: 'role', name: role.name }));
    expect(put).toMatchObject({ state: 'evaluated', imported: 1 });
    const failed = await findingOf(account, HOME, 'KMS.2', role.arn);
    expect(status(failed)).toBe('FAILED');
    expect(JSON.stringify(failed?.Compliance?.StatusReasons)).toContain('decrypt-all');
    expect(failed?.FirstObservedAt).toBe(before?.FirstObservedAt);
    expect(await findingOf(account, 'eu-west-1', 'KMS.2', role.arn)).toBeUndefined();

    const policies = identity(account, role.name).inlinePolicies;
    policies.splice(
      policies.findIndex((p) => p.name === 'decrypt-all'),
      1,
    );
    await runner.run(target(account, HOME, ['KMS.2'], { kind: 'role', name: role.name }));
    expect(status(await findingOf(account, HOME, 'KMS.2', role.arn))).toBe('PASSED');
  });

  it('re-reads the identity with a handful of IAM calls, never GetAccountAuthorizationDetails', async () => {
    const role = passingRole(account);
    const inline = identity(account, role.name).inlinePolicies.length;
    aws.counters.reset();
    await runner.run(target(account, HOME, ['KMS.2'], { kind: 'role', name: role.name }));
    const calls = Object.fromEntries(aws.counters.byOperation);
    expect(calls).toEqual({
      'iam:GetRole': 1,
      'iam:ListRolePolicies': 1,
      'iam:GetRolePolicy': inline,
      'securityhub:DescribeHub': 1,
      'securityhub:GetFindings': 1,
      'securityhub:BatchImportFindings': 1,
    });
  });

  it('excludeRoleByManagementAccount: a role only the management account may assume leaves KMS.2 (organization described once)', async () => {
    const management = `arn:aws:iam::${aws.state.managementAccountId}:root`;
    const trusted = aws.state
      .account(account)!
      .identities.filter(
        (i) =>
          i.kind === 'role' &&
          i.inlinePolicies.length > 0 &&
          !taken.has(`arn:aws:iam::${account}:role/${i.name}`) &&
          JSON.stringify(i.trustPolicy).includes(management),
      )
      .slice(0, 2);
    expect(trusted).toHaveLength(2);
    const exempting = targetRunner(
      config({ controls: { 'KMS.2': { parameters: { excludeRoleByManagementAccount: true } } } }),
    );
    aws.counters.reset();
    try {
      for (const role of trusted) {
        const arn = `arn:aws:iam::${account}:role/${role.name}`;
        taken.add(arn);
        expect((await findingOf(account, HOME, 'KMS.2', arn))?.RecordState).toBe('ACTIVE');
        const outcome = await exempting.run(
          target(account, HOME, ['KMS.2'], { kind: 'role', name: role.name }),
        );
        expect(outcome).toMatchObject({ state: 'evaluated', imported: 0, archived: 1 });
        expect((await findingOf(account, HOME, 'KMS.2', arn))?.RecordState).toBe('ARCHIVED');
      }
    } finally {
      exempting.destroy();
    }
    expect(aws.counters.byOperation.get('organizations:DescribeOrganization')).toBe(1);
    expect(aws.counters.byOperation.get('organizations:ListAccounts')).toBeUndefined();
  });

  it('a deleted role -> its KMS.2 finding is archived (state gone)', async () => {
    const role = passingRole(other);
    const identities = aws.state.account(other)!.identities;
    identities.splice(identities.indexOf(identity(other, role.name)), 1);
    const outcome = await runner.run(target(other, HOME, ['KMS.2'], { kind: 'role', name: role.name }));
    expect(outcome).toMatchObject({ state: 'gone', archived: 1, imported: 0 });
    expect((await findingOf(other, HOME, 'KMS.2', role.arn))?.RecordState).toBe('ARCHIVED');
  });

  it('a deleted managed policy -> its KMS.1 finding is archived; a new default version is re-judged', async () => {
    const policies = aws.state.account(account)!.policies;
    const arnOf = (name: string) => `arn:aws:iam::${account}:policy/${name}`;
    const judged = policies.filter((p) => expectedOf((e) => e.resourceArn === arnOf(p.name)).length === 1);
    const [deleted, changed] = judged as [(typeof policies)[number], (typeof policies)[number]];
    expect(status(await findingOf(account, HOME, 'KMS.1', arnOf(deleted.name)))?.length).toBeGreaterThan(0);

    policies.splice(policies.indexOf(deleted), 1);
    const gone = await runner.run(
      target(account, HOME, ['KMS.1'], { kind: 'managed-policy', arn: arnOf(deleted.name) }),
    );
    expect(gone).toMatchObject({ state: 'gone', archived: 1 });
    expect((await findingOf(account, HOME, 'KMS.1', arnOf(deleted.name)))?.RecordState).toBe('ARCHIVED');

    // CreatePolicyVersion + SetDefaultPolicyVersion: only the default version decides.
    for (const version of changed.versions) version.isDefault = false;
    changed.versions.push({
      versionId: 'v9',
      isDefault: true,
      document: DECRYPT_ON_ALL_KEYS,
      createDate: new Date().toISOString(),
    });
    changed.attachmentCount = 1;
    changed.permissionsBoundaryUsageCount = 0;
    await runner.run(target(account, HOME, ['KMS.1'], { kind: 'managed-policy', arn: arnOf(changed.name) }));
    const finding = await findingOf(account, HOME, 'KMS.1', arnOf(changed.name));
    expect(status(finding)).toBe('FAILED');
    expect(finding?.Resources?.[0]?.Details?.AwsIamPolicy?.DefaultVersionId).toBe('v9');
  });

  it('a policy that becomes a permissions boundary only (an account-wide target) leaves KMS.1: archived', async () => {
    const policies = aws.state.account(other)!.policies;
    const arnOf = (name: string) => `arn:aws:iam::${other}:policy/${name}`;
    const policy = policies.find(
      (p) =>
        p.permissionsBoundaryUsageCount === 0 &&
        expectedOf((e) => e.resourceArn === arnOf(p.name)).length === 1,
    )!;
    policy.attachmentCount = 0;
    policy.permissionsBoundaryUsageCount = 1;
    const outcome = await runner.run(target(other, HOME, ['KMS.1'], { kind: 'account' }));
    expect(outcome.state).toBe('evaluated');
    expect(outcome.archived).toBeGreaterThanOrEqual(1);
    expect((await findingOf(other, HOME, 'KMS.1', arnOf(policy.name)))?.RecordState).toBe('ARCHIVED');
  });
});

describe('errors change nothing', () => {
  it('AccessDenied for the member role itself -> failed, the finding unchanged', async () => {
    const key = healthyKey();
    const arn = keyArn(account, HOME, key.keyId);
    const before = await findingOf(account, HOME, 'KMS.4', arn);
    key.rotationEnabled = false;
    const role = aws.state.account(account)!.roles.get('KeywardenMemberRole')!;
    const kept = role.kmsActions;
    role.kmsActions = ['kms:ListKeys', 'kms:DescribeKey', 'kms:GetKeyPolicy'];
    let outcome: TargetOutcome;
    try {
      outcome = await runner.run(
        target(account, HOME, ['KMS.3', 'KMS.4'], { kind: 'key', keyId: key.keyId }),
      );
    } finally {
      role.kmsActions = kept;
    }
    expect(outcome).toMatchObject({ state: 'failed', imported: 0, archived: 0 });
    expect(outcome.errors[0]?.code).toBe('AccessDeniedException');
    const after = await findingOf(account, HOME, 'KMS.4', arn);
    expect([status(after), after?.UpdatedAt]).toEqual([status(before), before?.UpdatedAt]);
    expect(status(after)).toBe('PASSED');
  });

  it('throttling and 5xx on a read -> failed, the finding unchanged', async () => {
    const role = passingRole(other);
    const arn = role.arn;
    const before = await findingOf(other, HOME, 'KMS.2', arn);
    identity(other, role.name).inlinePolicies.push({ name: 'decrypt-all', document: DECRYPT_ON_ALL_KEYS });
    const impatient = targetRunner(
      config({ aws: { maxAttempts: 1, retryMode: 'standard', requestTimeoutMs: 5000 } }),
    );
    try {
      aws.faults.failingOperations.add('iam:GetRolePolicy');
      const failing = await impatient.run(target(other, HOME, ['KMS.2'], { kind: 'role', name: role.name }));
      aws.faults.failingOperations.clear();
      expect(failing).toMatchObject({ state: 'failed', imported: 0, archived: 0 });
      expect(failing.errors[0]?.code).toBe('ServiceUnavailable');

      aws.faults.throttling = true;
      // One token of burst, refilled every 1,000 s: the first IAM call passes, the next is throttled.
      aws.faults.iamRate = 0.001;
      const throttled = await impatient.run(
        target(other, HOME, ['KMS.2'], { kind: 'role', name: role.name }),
      );
      expect(throttled).toMatchObject({ state: 'failed', imported: 0, archived: 0 });
      expect(throttled.errors[0]?.code).toBe('Throttling');
    } finally {
      aws.faults.failingOperations.clear();
      aws.faults.throttling = false;
      aws.faults.iamRate = 20;
      impatient.destroy();
    }
    const after = await findingOf(other, HOME, 'KMS.2', arn);
    expect([status(after), after?.UpdatedAt, after?.RecordState]).toEqual([
      status(before),
      before?.UpdatedAt,
      'ACTIVE',
    ]);
  });

  it('Security Hub not enabled in the region -> skipped, nothing imported', async () => {
    const key = healthyKey(other);
    aws.faults.hubDisabled.add(`${other}/${HOME}`);
    try {
      const outcome = await runner.run(target(other, HOME, ['KMS.3'], { kind: 'key', keyId: key.keyId }));
      expect(outcome).toMatchObject({ state: 'skipped', imported: 0, archived: 0 });
      expect(outcome.reason).toMatch(/not enabled/);
    } finally {
      aws.faults.hubDisabled.clear();
    }
  });
});

describe('settings of the import', () => {
  it('dry run: the findings go to the sink, Security Hub is not touched', async () => {
    const key = healthyKey(other);
    const arn = keyArn(other, HOME, key.keyId);
    key.rotationEnabled = false;
    const produced: AsffFinding[] = [];
    const dry = targetRunner(config({ import: { dryRun: true } }), {
      findingSink: (f) => void produced.push(...f),
    });
    const untouched = updatedAtOf(other);
    try {
      const outcome = await dry.run(target(other, HOME, ['KMS.4'], { kind: 'key', keyId: key.keyId }));
      expect(outcome).toMatchObject({ state: 'evaluated', imported: 0, archived: 0 });
    } finally {
      dry.destroy();
    }
    expect(
      produced.map((f) => [f.Compliance?.SecurityControlId, f.Compliance?.Status, f.Resources[0]?.Id]),
    ).toEqual([['KMS.4', 'FAILED', arn]]);
    expect(changedIds(untouched, updatedAtOf(other))).toEqual([]);
  });

  it('without importPassed, a FAILED finding whose resource now passes is archived, as a scan does', async () => {
    const key = healthyKey(other);
    const arn = keyArn(other, HOME, key.keyId);
    key.rotationEnabled = false;
    await runner.run(target(other, HOME, ['KMS.4'], { kind: 'key', keyId: key.keyId }));
    expect(status(await findingOf(other, HOME, 'KMS.4', arn))).toBe('FAILED');
    key.rotationEnabled = true;
    const failedOnly = targetRunner(config({ import: { importPassed: false } }));
    try {
      const outcome = await failedOnly.run(target(other, HOME, ['KMS.4'], { kind: 'key', keyId: key.keyId }));
      expect(outcome).toMatchObject({ state: 'evaluated', imported: 0, archived: 1 });
    } finally {
      failedOnly.destroy();
    }
    const finding = await findingOf(other, HOME, 'KMS.4', arn);
    expect([status(finding), finding?.RecordState]).toEqual(['FAILED', 'ARCHIVED']);
  });

  it('a full scan afterwards gives the changed resources exactly the findings their targets gave', async () => {
    const [rotated, deleting, opened] = [
      healthyKey(other),
      healthyKey(other, 'eu-west-1'),
      healthyKey(other),
    ];
    rotated.rotationEnabled = false;
    deleting.keyState = 'PendingDeletion';
    deleting.pendingWindowDays = 30;
    deleting.deletionDate = new Date(Date.now() + 30 * 86_400_000);
    opened.policy = OPEN_TO_EVERYONE;
    const role = passingRole(other);
    identity(other, role.name).inlinePolicies.push({ name: 'decrypt-all', document: DECRYPT_ON_ALL_KEYS });
    const keys: [SimKey, string][] = [
      [rotated, HOME],
      [deleting, 'eu-west-1'],
      [opened, HOME],
    ];
    for (const [key, region] of keys) {
      const outcome = await runner.run(
        target(other, region, ['KMS.3', 'KMS.4', 'KMS.5'], { kind: 'key', keyId: key.keyId }),
      );
      expect(outcome.state).toBe('evaluated');
    }
    await runner.run(target(other, HOME, ['KMS.2'], { kind: 'role', name: role.name }));
    const arns = new Set([...keys.map(([key, region]) => keyArn(other, region, key.keyId)), role.arn]);
    // Status, reason codes and record state; the reason's text may hold times derived from the clock.
    const view = () =>
      new Map(
        storedFindings(aws)
          .filter((s) => arns.has(s.finding.Resources[0]!.Id))
          .map((s) => {
            const f = s.finding as unknown as AsffFinding;
            const codes = f.Compliance?.StatusReasons?.map((r) => r.ReasonCode).join(',');
            return [f.Id, `${f.RecordState} ${f.Compliance?.Status} ${codes}`];
          }),
      );
    const targeted = view();
    expect([...targeted.values()].filter((v) => v.startsWith('ACTIVE FAILED'))).toHaveLength(4);
    await scan();
    expect(view()).toEqual(targeted);
  }, 60_000);
});
