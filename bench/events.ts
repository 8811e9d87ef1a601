/**
 * `npm run bench -- events`: change-triggered evaluation end to end. The simulator runs in this process
 * (20 ms per call, emission to the hub's event queue on); `startService` consumes the queue with the real
 * target runner and the default coalescing window. Changes are made with the real SDK write calls through
 * each account's OrganizationAccountAccessRole, spread over a minute, each one reverted half the spread
 * later. For each change: the latency from the write call's success to the import that reflects it,
 * observed in the simulator's Security Hub (a hook on its stored findings records when each import
 * landed; the finding must carry the status the change implies, so an earlier import never counts).
 * Then a storm: 10,000 duplicates of 10 real change events sent with SendMessageBatch.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeleteGroupPolicyCommand,
  DeletePolicyCommand,
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  IAMClient,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  SetDefaultPolicyVersionCommand,
} from '@aws-sdk/client-iam';
import {
  CancelKeyDeletionCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  KMSClient,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { executeScan } from '../src/compose.js';
import { parseConfig } from '../src/config/index.js';
import { silentLogger } from '../src/log/index.js';
import { startService } from '../src/serve.js';
import type { RunningService } from '../src/serve.js';
import type { RunningSimulator } from '../src/simulator/index.js';
import {
  ADMIN_ROLE,
  DEFAULT_EXTERNAL_ID,
  DEFAULT_MEMBER_ROLE,
  startSimulator,
} from '../src/simulator/index.js';
import { LATENCY_MS, REGIONS } from './scan.js';

const ACCOUNTS = Number(process.env['BENCH_ACCOUNTS'] ?? 20);
const CHANGES = Number(process.env['BENCH_EVENTS_CHANGES'] ?? 200);
const SPREAD_MS = Number(process.env['BENCH_EVENTS_SPREAD_S'] ?? 60) * 1000;
const STORM_EVENTS = Number(process.env['BENCH_STORM_EVENTS'] ?? 10_000);
const STORM_RESOURCES = 10;
const HUB_REGION = 'us-east-1';
const TOKEN = 'bench-events-token-0123456789';
/** keywarden's default coalescing window (events.coalesceMs). */
const COALESCE_MS = 2_000;

const OPEN_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'BenchOpen', Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }],
});
const publicKeyPolicy = () =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'BenchPublic', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' },
    ],
  });
const privateKeyPolicy = (account: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  });

/** What the finding of (control, resource) must show once a change is reflected. */
type Expect = { status: 'PASSED' | 'FAILED' } | { archived: true };

interface Change {
  /** The write call, e.g. `kms:DisableKeyRotation`. */
  operation: string;
  control: string;
  arn: string;
  expect: Expect;
  write: () => Promise<unknown>;
  /** performance.now() when the write call succeeded / when the import reflecting it landed. */
  doneAt?: number;
  reflectedAt?: number;
  error?: string;
}

interface Admin {
  iam: IAMClient;
  kms: (region: string) => KMSClient;
}

const findingKey = (control: string, arn: string) => `${control}|${arn}`;

type Baseline = Map<string, { status: string | undefined; archived: boolean }>;

/** Every stored finding by (control, resource ARN). */
function baselineOf(sim: RunningSimulator): Baseline {
  const out: Baseline = new Map();
  for (const account of sim.state.accounts.values())
    for (const hub of account.hubs.values())
      for (const finding of hub.findings.values()) {
        const f = finding as {
          Compliance?: { Status?: string; SecurityControlId?: string };
          Resources?: { Id: string }[];
          RecordState?: string;
        };
        out.set(findingKey(f.Compliance?.SecurityControlId ?? '', f.Resources?.[0]?.Id ?? ''), {
          status: f.Compliance?.Status,
          archived: f.RecordState === 'ARCHIVED',
        });
      }
  return out;
}

/**
 * The test hook: each import that lands in any Security Hub of the simulator is reported with its time.
 * (The simulator runs in this process; its hubs keep findings in a Map, and every import goes through `set`.)
 */
function onImport(
  sim: RunningSimulator,
  listener: (finding: Record<string, unknown>, at: number) => void,
): void {
  for (const account of sim.state.accounts.values())
    for (const hub of account.hubs.values()) {
      const findings = hub.findings;
      const set = findings.set.bind(findings);
      findings.set = (id, finding) => {
        const result = set(id, finding);
        listener(finding, performance.now());
        return result;
      };
    }
}

async function adminSession(sim: RunningSimulator, account: string): Promise<Admin> {
  const sts = new STSClient({ region: HUB_REGION, credentials: sim.hubCredentials });
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/${ADMIN_ROLE}`,
      RoleSessionName: 'bench-events',
    }),
  );
  sts.destroy();
  const credentials = {
    accessKeyId: c!.AccessKeyId!,
    secretAccessKey: c!.SecretAccessKey!,
    sessionToken: c!.SessionToken!,
  };
  const kms = new Map<string, KMSClient>();
  return {
    iam: new IAMClient({ region: HUB_REGION, credentials }),
    kms: (region) => {
      let client = kms.get(region);
      if (client === undefined) kms.set(region, (client = new KMSClient({ region, credentials })));
      return client;
    },
  };
}

const KINDS = [
  'rotation',
  'deletion',
  'key-policy',
  'key-state',
  'role-inline',
  'user-inline',
  'group-inline',
  'policy-version',
  'new-policy',
] as const;
type Kind = (typeof KINDS)[number];

/**
 * A change and its revert on one resource whose baseline finding differs from what the change implies
 * (so the import that reflects each is told apart from every earlier one), or undefined if the account has
 * no such resource left.
 */
function pairFor(
  kind: Kind,
  sim: RunningSimulator,
  accountId: string,
  admin: Admin,
  baseline: Baseline,
  used: Set<string>,
  serial: number,
): [Change, Change] | undefined {
  const account = sim.state.accounts.get(accountId)!;
  const is = (control: string, arn: string, status: string) => {
    const b = baseline.get(findingKey(control, arn));
    return b !== undefined && !b.archived && b.status === status;
  };
  const take = (arn: string) => (used.has(arn) ? false : (used.add(arn), true));
  const key = (control: string, wanted: (k: { keyState: string; keySpec: string }) => boolean) => {
    // Each pair starts at another region, so the changes spread over them.
    for (let r = 0; r < REGIONS.length; r++) {
      const at = REGIONS[(r + serial) % REGIONS.length]!;
      for (const k of account.keys.get(at) ?? []) {
        const arn = `arn:aws:kms:${at}:${accountId}:key/${k.keyId}`;
        if (k.keyManager === 'CUSTOMER' && wanted(k) && is(control, arn, 'PASSED') && take(arn))
          return { region: at, keyId: k.keyId, arn };
      }
    }
    return undefined;
  };
  const change = (
    operation: string,
    control: string,
    arn: string,
    expect: Expect,
    write: () => Promise<unknown>,
  ): Change => ({
    operation,
    control,
    arn,
    expect,
    write,
  });
  switch (kind) {
    case 'rotation': {
      const k = key('KMS.4', (k) => k.keyState === 'Enabled');
      if (!k) return undefined;
      const kms = admin.kms(k.region);
      return [
        change('kms:DisableKeyRotation', 'KMS.4', k.arn, { status: 'FAILED' }, () =>
          kms.send(new DisableKeyRotationCommand({ KeyId: k.keyId })),
        ),
        change('kms:EnableKeyRotation', 'KMS.4', k.arn, { status: 'PASSED' }, () =>
          kms.send(new EnableKeyRotationCommand({ KeyId: k.keyId })),
        ),
      ];
    }
    case 'deletion': {
      const k = key('KMS.3', (k) => k.keyState === 'Enabled');
      if (!k) return undefined;
      const kms = admin.kms(k.region);
      return [
        change('kms:ScheduleKeyDeletion', 'KMS.3', k.arn, { status: 'FAILED' }, () =>
          kms.send(new ScheduleKeyDeletionCommand({ KeyId: k.keyId, PendingWindowInDays: 7 })),
        ),
        change('kms:CancelKeyDeletion', 'KMS.3', k.arn, { status: 'PASSED' }, () =>
          kms.send(new CancelKeyDeletionCommand({ KeyId: k.keyId })),
        ),
      ];
    }
    case 'key-policy': {
      const k = key('KMS.5', () => true);
      if (!k) return undefined;
      const kms = admin.kms(k.region);
      return [
        change('kms:PutKeyPolicy', 'KMS.5', k.arn, { status: 'FAILED' }, () =>
          kms.send(
            new PutKeyPolicyCommand({ KeyId: k.keyId, PolicyName: 'default', Policy: publicKeyPolicy() }),
          ),
        ),
        change('kms:PutKeyPolicy', 'KMS.5', k.arn, { status: 'PASSED' }, () =>
          kms.send(
            new PutKeyPolicyCommand({
              KeyId: k.keyId,
              PolicyName: 'default',
              Policy: privateKeyPolicy(accountId),
            }),
          ),
        ),
      ];
    }
    case 'key-state': {
      // KMS.4 covers enabled keys only: disabling archives the finding, enabling brings it back.
      const k = key('KMS.4', (k) => k.keyState === 'Enabled');
      if (!k) return undefined;
      const kms = admin.kms(k.region);
      return [
        change('kms:DisableKey', 'KMS.4', k.arn, { archived: true }, () =>
          kms.send(new DisableKeyCommand({ KeyId: k.keyId })),
        ),
        change('kms:EnableKey', 'KMS.4', k.arn, { status: 'PASSED' }, () =>
          kms.send(new EnableKeyCommand({ KeyId: k.keyId })),
        ),
      ];
    }
    case 'role-inline':
    case 'user-inline':
    case 'group-inline': {
      const type = kind.split('-')[0] as 'role' | 'user' | 'group';
      const Type = type === 'role' ? 'Role' : type === 'user' ? 'User' : 'Group';
      const arnOf = (name: string) => `arn:aws:iam::${accountId}:${type}/${name}`;
      // An identity whose inline policies pass (the revert passes again) or that has none (it archives).
      const identity = account.identities.find(
        (i) =>
          i.kind === type &&
          i.path === '/' &&
          (i.inlinePolicies.length === 0
            ? !baseline.has(findingKey('KMS.2', arnOf(i.name)))
            : is('KMS.2', arnOf(i.name), 'PASSED')) &&
          take(arnOf(i.name)),
      );
      if (!identity) return undefined;
      const arn = arnOf(identity.name);
      const revert: Expect = identity.inlinePolicies.length === 0 ? { archived: true } : { status: 'PASSED' };
      const n = identity.name;
      const p = { PolicyName: 'bench-open' };
      const doc = { ...p, PolicyDocument: OPEN_POLICY };
      const { iam } = admin;
      const [put, del] =
        type === 'role'
          ? [
              () => iam.send(new PutRolePolicyCommand({ RoleName: n, ...doc })),
              () => iam.send(new DeleteRolePolicyCommand({ RoleName: n, ...p })),
            ]
          : type === 'user'
            ? [
                () => iam.send(new PutUserPolicyCommand({ UserName: n, ...doc })),
                () => iam.send(new DeleteUserPolicyCommand({ UserName: n, ...p })),
              ]
            : [
                () => iam.send(new PutGroupPolicyCommand({ GroupName: n, ...doc })),
                () => iam.send(new DeleteGroupPolicyCommand({ GroupName: n, ...p })),
              ];
      return [
        change(`iam:Put${Type}Policy`, 'KMS.2', arn, { status: 'FAILED' }, put),
        change(`iam:Delete${Type}Policy`, 'KMS.2', arn, revert, del),
      ];
    }
    case 'policy-version': {
      const policy = account.policies.find((p) => {
        const arn = `arn:aws:iam::${accountId}:policy${p.path}${p.name}`;
        return (
          p.versions.length < 5 &&
          p.permissionsBoundaryUsageCount === 0 &&
          is('KMS.1', arn, 'PASSED') &&
          take(arn)
        );
      });
      if (!policy) return undefined;
      const arn = `arn:aws:iam::${accountId}:policy${policy.path}${policy.name}`;
      const original = policy.versions.find((v) => v.isDefault)!.versionId;
      return [
        change('iam:CreatePolicyVersion', 'KMS.1', arn, { status: 'FAILED' }, () =>
          admin.iam.send(
            new CreatePolicyVersionCommand({
              PolicyArn: arn,
              PolicyDocument: OPEN_POLICY,
              SetAsDefault: true,
            }),
          ),
        ),
        change('iam:SetDefaultPolicyVersion', 'KMS.1', arn, { status: 'PASSED' }, () =>
          admin.iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: original })),
        ),
      ];
    }
    case 'new-policy': {
      const name = `bench-open-${serial}`;
      const arn = `arn:aws:iam::${accountId}:policy/${name}`;
      take(arn);
      return [
        change('iam:CreatePolicy', 'KMS.1', arn, { status: 'FAILED' }, () =>
          admin.iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: OPEN_POLICY })),
        ),
        change('iam:DeletePolicy', 'KMS.1', arn, { archived: true }, () =>
          admin.iam.send(new DeletePolicyCommand({ PolicyArn: arn })),
        ),
      ];
    }
  }
}

const reflects = (finding: Record<string, unknown>, expect: Expect): boolean => {
  const archived = finding['RecordState'] === 'ARCHIVED';
  if ('archived' in expect) return archived;
  return !archived && (finding['Compliance'] as { Status?: string } | undefined)?.Status === expect.status;
};

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every 20 ms until it holds; throws at the deadline (never passes silently). */
async function until(
  what: string,
  probe: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await probe())) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(20);
  }
}

interface EventsStatus {
  state: string;
  held: number;
  pending: number;
  inFlight: number;
  counters: { received: number; coalesced: number; deleted: number; outcomes: Record<string, number> };
}

async function eventsStatus(running: RunningService): Promise<EventsStatus> {
  const response = await running.app.inject({
    method: 'GET',
    url: '/v1/events/status',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  if (response.statusCode !== 200)
    throw new Error(`GET /v1/events/status: ${response.statusCode} ${response.body}`);
  return response.json();
}

const evaluations = (s: EventsStatus) => Object.values(s.counters.outcomes).reduce((a, b) => a + b, 0);
const idle = (s: EventsStatus) => s.held === 0 && s.pending === 0 && s.inFlight === 0;

function callsSince(
  sim: RunningSimulator,
  before: Map<string, number>,
  own: Map<string, number>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [operation, count] of sim.counters.byOperation) {
    const n = count - (before.get(operation) ?? 0) - (own.get(operation) ?? 0);
    if (n > 0) out.set(operation, n);
  }
  return out;
}

export async function runEventsBench(): Promise<void> {
  console.log(
    `events benchmark: ${ACCOUNTS} accounts, ${REGIONS.length} regions, ${LATENCY_MS} ms per call, ${CHANGES} changes over ${SPREAD_MS / 1000} s, ` +
      `coalescing ${COALESCE_MS} ms, storm of ${STORM_EVENTS} events on ${STORM_RESOURCES} resources (simulator in this process)`,
  );
  const sim = await startSimulator({
    organization: { accounts: ACCOUNTS, regions: REGIONS, keysPerRegion: 20, policiesPerAccount: 30 },
    faults: { latencyMs: LATENCY_MS },
  });
  process.env['AWS_ENDPOINT_URL'] = sim.endpoint;
  process.env['AWS_ACCESS_KEY_ID'] = sim.hubCredentials.accessKeyId;
  process.env['AWS_SECRET_ACCESS_KEY'] = sim.hubCredentials.secretAccessKey;
  process.env['AWS_REGION'] = HUB_REGION;
  const hub = sim.state.managementAccountId;
  const config = {
    memberRole: { externalId: DEFAULT_EXTERNAL_ID },
    regions: { mode: 'list', list: REGIONS },
    api: { tokens: [TOKEN] },
    store: { dataDir: mkdtempSync(join(tmpdir(), 'kw-bench-events-')) },
  };

  // The baseline: one scan, so every resource has its finding and a change has something to update.
  let t0 = performance.now();
  const scan = await executeScan(parseConfig(config, 'bench'), { scanId: 'bench-baseline' });
  console.log(`baseline scan: ${scan.summary.state} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const baseline = baselineOf(sim);

  // Accounts whose member role reads everything (the generator denies kms:DescribeKey in one) and whose
  // hubs are enabled in every region.
  const accounts = [...sim.state.accounts.values()].filter(
    (a) =>
      a.status === 'ACTIVE' &&
      a.roles.get(DEFAULT_MEMBER_ROLE)?.kmsActions === undefined &&
      REGIONS.every((r) => a.hubs.get(r)?.enabled === true),
  );
  const admins = new Map<string, Admin>();
  for (const a of accounts) admins.set(a.id, await adminSession(sim, a.id));
  const used = new Set<string>();
  const firsts: Change[] = [];
  const reverts: Change[] = [];
  for (let j = 0, tries = 0; firsts.length < CHANGES / 2; j++, tries++) {
    if (tries > CHANGES * 10) throw new Error('the organization has too few resources for the changes asked');
    const account = accounts[j % accounts.length]!;
    const pair = pairFor(
      KINDS[j % KINDS.length]!,
      sim,
      account.id,
      admins.get(account.id)!,
      baseline,
      used,
      j,
    );
    if (pair) {
      firsts.push(pair[0]);
      reverts.push(pair[1]);
    }
  }
  // Slot k at k * spread / changes: the changes first, their reverts half the spread later.
  const changes = [...firsts, ...reverts];
  const waiting = new Map<string, Change[]>();
  for (const c of changes)
    waiting.set(findingKey(c.control, c.arn), [...(waiting.get(findingKey(c.control, c.arn)) ?? []), c]);
  onImport(sim, (finding, at) => {
    const f = finding as { Compliance?: { SecurityControlId?: string }; Resources?: { Id: string }[] };
    for (const c of waiting.get(
      findingKey(f.Compliance?.SecurityControlId ?? '', f.Resources?.[0]?.Id ?? ''),
    ) ?? [])
      if (
        c.doneAt !== undefined &&
        c.reflectedAt === undefined &&
        at >= c.doneAt &&
        reflects(finding, c.expect)
      )
        c.reflectedAt = at;
  });

  const { queueUrl } = sim.events.createQueues(hub, HUB_REGION);
  const running = await startService({
    loaded: parseConfig({ ...config, events: { queueUrl } }, 'bench'),
    logger: silentLogger(),
  });
  try {
    await until(
      'the event consumer to start',
      async () => (await eventsStatus(running)).state === 'running',
      30_000,
    );
    const before = new Map(sim.counters.byOperation);
    const statusBefore = await eventsStatus(running);
    const own = new Map<string, number>();
    const cpuBefore = process.cpuUsage();
    t0 = performance.now();
    const writes = changes.map(async (c, k) => {
      await sleep(t0 + (k * SPREAD_MS) / changes.length - performance.now());
      own.set(c.operation, (own.get(c.operation) ?? 0) + 1);
      try {
        await c.write();
        c.doneAt = performance.now();
      } catch (error) {
        c.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
    });
    await Promise.all(writes);
    const writtenAt = performance.now();
    try {
      await until(
        'every change reflected in Security Hub',
        () => changes.every((c) => c.error !== undefined || c.reflectedAt !== undefined),
        30_000 + COALESCE_MS,
      );
    } catch (error) {
      // Reported with the figures below (the unreflected changes are listed); the run fails at the end.
      console.log(`  ${(error as Error).message}`);
      process.exitCode = 1;
    }
    await until('the consumer to go idle', async () => idle(await eventsStatus(running)), 60_000);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpuBefore);
    const status = await eventsStatus(running);
    const calls = callsSince(sim, before, own);

    const failedWrites = changes.filter((c) => c.error !== undefined);
    const reflected = changes.filter((c) => c.reflectedAt !== undefined);
    const latencies = reflected.map((c) => c.reflectedAt! - c.doneAt!).sort((a, b) => a - b);
    const done = changes.length - failedWrites.length;
    const evaluated = evaluations(status) - evaluations(statusBefore);
    const received = status.counters.received - statusBefore.counters.received;
    const sqsCalls = [...calls].filter(([op]) => op.startsWith('sqs:')).reduce((n, [, c]) => n + c, 0);
    const awsCalls = [...calls].filter(([op]) => !op.startsWith('sqs:')).reduce((n, [, c]) => n + c, 0);
    const byKind = new Map<string, number[]>();
    for (const c of reflected)
      byKind.set(c.operation, [...(byKind.get(c.operation) ?? []), c.reflectedAt! - c.doneAt!]);

    console.log(
      `\nchanges: ${changes.length} (${done} written, ${failedWrites.length} refused), ${reflected.length} reflected in Security Hub`,
    );
    for (const c of failedWrites.slice(0, 5)) console.log(`  refused ${c.operation} on ${c.arn}: ${c.error}`);
    for (const c of changes.filter((c) => c.doneAt !== undefined && c.reflectedAt === undefined).slice(0, 5))
      console.log(
        `  not reflected: ${c.operation} on ${c.arn} (${c.control}, expected ${JSON.stringify(c.expect)})`,
      );
    console.log(
      `latency from the write to the import: p50 ${(quantile(latencies, 0.5) / 1000).toFixed(2)} s, p95 ${(quantile(latencies, 0.95) / 1000).toFixed(2)} s, ` +
        `max ${(quantile(latencies, 1) / 1000).toFixed(2)} s (target: p95 under ${(2 + COALESCE_MS / 1000).toFixed(1)} s)`,
    );
    for (const [operation, values] of [...byKind].sort()) {
      values.sort((a, b) => a - b);
      console.log(
        `    ${operation.padEnd(28)} ${String(values.length).padStart(3)} changes, p50 ${(quantile(values, 0.5) / 1000).toFixed(2)} s, max ${(quantile(values, 1) / 1000).toFixed(2)} s`,
      );
    }
    console.log(
      `events received ${received} over ${(wallMs / 1000).toFixed(1)} s (the writes took ${((writtenAt - t0) / 1000).toFixed(1)} s): ` +
        `${(received / (wallMs / 1000)).toFixed(2)} events/s sustained (offered ${(changes.length / (SPREAD_MS / 1000)).toFixed(2)}/s)`,
    );
    console.log(
      `evaluations ${evaluated} (${(evaluated / done).toFixed(2)} per change; outcomes ${JSON.stringify(status.counters.outcomes)}), ` +
        `AWS calls ${awsCalls} (${(awsCalls / done).toFixed(2)} per change), SQS calls ${sqsCalls}`,
    );
    console.log(
      `process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (keywarden and the simulator, one process)`,
    );
    for (const [operation, count] of [...calls].sort())
      console.log(`    ${operation.padEnd(40)} ${String(count).padStart(7)}`);

    await storm(sim, running, admins, accounts[0]!.id, queueUrl);
  } finally {
    await running.shutdown();
    for (const admin of admins.values()) admin.iam.destroy();
    await sim.stop();
  }
}

/**
 * 10 real change events (captured on a side queue), each sent STORM_EVENTS / 10 times, interleaved, with
 * SendMessageBatch: the number of evaluations and the time until the queue and the consumer are empty.
 */
async function storm(
  sim: RunningSimulator,
  running: RunningService,
  admins: Map<string, Admin>,
  accountId: string,
  queueUrl: string,
): Promise<void> {
  const hub = sim.state.managementAccountId;
  const target = sim.events.target!;
  const source = 'bench-storm-source';
  const sourceUrl = sim.sqs.createQueue(hub, HUB_REGION, source);
  sim.events.deliverTo({ accountId: hub, region: HUB_REGION, name: source });
  const admin = admins.get(accountId)!;
  const account = sim.state.accounts.get(accountId)!;
  // Ten enabled customer managed keys of one account: rotation turned on (a real write each).
  const keys = REGIONS.flatMap((region) =>
    (account.keys.get(region) ?? [])
      .filter(
        (k) =>
          k.keyManager === 'CUSTOMER' &&
          k.keyState === 'Enabled' &&
          k.keySpec === 'SYMMETRIC_DEFAULT' &&
          k.origin === 'AWS_KMS',
      )
      .map((k) => ({ region, keyId: k.keyId })),
  ).slice(0, STORM_RESOURCES);
  for (const k of keys) await admin.kms(k.region).send(new EnableKeyRotationCommand({ KeyId: k.keyId }));
  const sqs = new SQSClient({ region: HUB_REGION, credentials: sim.hubCredentials });
  const bodies: string[] = [];
  while (bodies.length < keys.length) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: sourceUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 5 }),
    );
    if (Messages.length === 0) throw new Error('the storm source events did not arrive');
    bodies.push(...Messages.map((m) => m.Body!));
  }
  sim.events.deliverTo(target);
  const statusBefore = await eventsStatus(running);
  const callsBefore = new Map(sim.counters.byOperation);
  const started = performance.now();
  const batches = Math.ceil(STORM_EVENTS / 10);
  let next = 0;
  const sender = async () => {
    while (next < batches) {
      const b = next++;
      const entries = Array.from({ length: Math.min(10, STORM_EVENTS - b * 10) }, (_, i) => ({
        Id: String(i),
        MessageBody: bodies[(b * 10 + i) % bodies.length]!,
      }));
      const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      if ((out.Failed ?? []).length > 0)
        throw new Error(`SendMessageBatch failed: ${JSON.stringify(out.Failed)}`);
    }
  };
  await Promise.all(Array.from({ length: 20 }, sender));
  const sentMs = performance.now() - started;
  await until(
    'the storm to drain',
    async () => {
      const counts = sim.sqs.counts(hub, HUB_REGION, target.name);
      return counts.visible + counts.inFlight + counts.delayed === 0 && idle(await eventsStatus(running));
    },
    600_000,
  );
  const drainMs = performance.now() - started;
  const status = await eventsStatus(running);
  sqs.destroy();
  // keywarden's calls: all but the benchmark's own SendMessageBatch.
  const calls = callsSince(sim, callsBefore, new Map([['sqs:SendMessageBatch', batches]]));
  const evaluated = evaluations(status) - evaluations(statusBefore);
  console.log(
    `\nstorm: ${STORM_EVENTS} events on ${keys.length} resources sent in ${(sentMs / 1000).toFixed(1)} s; drained in ${(drainMs / 1000).toFixed(1)} s ` +
      `(${(STORM_EVENTS / (drainMs / 1000)).toFixed(0)} events/s); evaluations ${evaluated} (target <= 20), ` +
      `received ${status.counters.received - statusBefore.counters.received}, coalesced ${status.counters.coalesced - statusBefore.counters.coalesced}`,
  );
  console.log(`  keywarden's calls: ${[...calls].map(([operation, n]) => `${operation} ${n}`).join(', ')}`);
}
