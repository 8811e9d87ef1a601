/**
 * `serve` with events.queueUrl: the consumer on the simulator's SQS queue (real @aws-sdk/client-sqs over
 * HTTP, Organizations for the scope), with a recording TargetRunner in place of the targeted evaluation.
 * Events from test/fixtures/events reach the runner as the right targets; out-of-scope ones are ignored and
 * counted; a failed evaluation leaves its message; malformed ones are dead-lettered; the status endpoint and
 * the metrics say so; a shutdown mid-burst deletes only what completed.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import type { ChangeTarget } from '../../src/events/targets.js';
import { createLogger, type Logger, silentLogger } from '../../src/log/index.js';
import type { TargetOutcome, TargetRunner } from '../../src/scan/target-runner.js';
import type { RunningService } from '../../src/serve.js';
import { startService } from '../../src/serve.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { DEFAULT_EXTERNAL_ID } from '../../src/simulator/index.js';
import { startAws } from '../integration/harness.js';
import { waitFor, within } from '../helpers/wait.js';

const TOKEN = 'events-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const HUB_REGION = 'us-east-1';
const OUTSIDE = '999988887777';
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

let aws: RunningSimulator;
let sqs: SQSClient;
let hub: string;
let member: string;
let serial = 0;
const services: RunningService[] = [];

beforeAll(async () => {
  aws = await startAws({ organization: { accounts: 2, regions: ['us-east-1', 'eu-west-1'] } });
  hub = aws.state.managementAccountId;
  member = [...aws.state.accounts.values()].find((a) => a.status === 'ACTIVE' && a.id !== hub)!.id;
  sqs = new SQSClient({ region: HUB_REGION, credentials: aws.hubCredentials, maxAttempts: 1 });
});
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.shutdown()));
});
afterAll(async () => {
  sqs.destroy();
  await aws.stop();
});

interface Queues {
  url: string;
  name: string;
  dlqName: string;
}

/** The event queue and its dead-letter queue, in the hub account, as the security-account template makes them. */
function queues(maxReceiveCount = 10, visibilityTimeout = 30): Queues {
  const dlqName = `kw-events-dlq-${++serial}`;
  aws.sqs.createQueue(hub, HUB_REGION, dlqName);
  const name = `kw-events-${serial}`;
  const url = aws.sqs.createQueue(hub, HUB_REGION, name, {
    VisibilityTimeout: String(visibilityTimeout),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: `arn:aws:sqs:${HUB_REGION}:${hub}:${dlqName}`,
      maxReceiveCount,
    }),
  });
  return { url, name, dlqName };
}
const counts = (q: Queues) => aws.sqs.counts(hub, HUB_REGION, q.name);
const dlqCounts = (q: Queues) => aws.sqs.counts(hub, HUB_REGION, q.dlqName);

/** A fixture event as it would come from `account`, now (optionally from another region). */
function event(name: string, account: string, edit: (text: string) => string = (t) => t): string {
  const text = readFileSync(join(import.meta.dirname, '../fixtures/events', `${name}.json`), 'utf8');
  const parsed = JSON.parse(edit(text.replaceAll('111122223333', account))) as {
    id: string;
    time: string;
    detail: { eventTime?: string };
  };
  const now = new Date().toISOString();
  parsed.id = `${parsed.id}-${++serial}`;
  parsed.time = now;
  if (parsed.detail.eventTime !== undefined) parsed.detail.eventTime = now;
  return JSON.stringify(parsed);
}

async function send(q: Queues, bodies: string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: q.url,
        Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: `m${i + j}`, MessageBody: body })),
      }),
    );
    expect(out.Failed ?? []).toEqual([]);
  }
}

const done = (target: ChangeTarget): TargetOutcome => ({
  state: 'evaluated',
  imported: target.controls.length,
  archived: 0,
  errors: [],
});

/** A TargetRunner that records what it is asked, and answers with `decide`. */
function recordingRunner(decide: (target: ChangeTarget) => TargetOutcome | Promise<TargetOutcome> = done) {
  const calls: ChangeTarget[] = [];
  let destroyed = false;
  const runner: TargetRunner = {
    run: async (target) => {
      calls.push(target);
      return decide(target);
    },
    destroy: () => void (destroyed = true),
  };
  return { runner, calls, destroyed: () => destroyed };
}

async function serve(
  q: Queues,
  runner: TargetRunner,
  events: Record<string, unknown> = {},
  config: Record<string, unknown> = {},
  logger: Logger = silentLogger(),
): Promise<RunningService> {
  const running = await startService({
    loaded: parseConfig({
      memberRole: { externalId: DEFAULT_EXTERNAL_ID },
      aws: { maxAttempts: 2, retryMode: 'standard', requestTimeoutMs: 5000 },
      api: { tokens: [TOKEN], rateLimitPerMinute: 100_000 },
      store: { dataDir: mkdtempSync(join(tmpdir(), 'kw-events-')) },
      regions: { mode: 'list', list: ['us-east-1', 'eu-west-1'] },
      shutdownGraceSeconds: 5,
      events: { queueUrl: q.url, coalesceMs: 100, waitTimeSeconds: 1, ...events },
      ...config,
    }),
    logger,
    targetRunner: runner,
  });
  services.push(running);
  return running;
}

interface Status {
  enabled: boolean;
  queue?: string;
  state: string;
  held: number;
  pending: number;
  inFlight: number;
  counters: {
    received: number;
    coalesced: number;
    evaluated: number;
    failed: number;
    deleted: number;
    deadLettered: number;
    ignored: Record<string, number>;
    outcomes: Record<string, number>;
  };
}
async function status(running: RunningService): Promise<Status> {
  const res = await running.app.inject({ method: 'GET', url: '/v1/events/status', headers: auth });
  expect(res.statusCode).toBe(200);
  return res.json<Status>();
}
async function metrics(running: RunningService): Promise<string> {
  const res = await running.app.inject({ method: 'GET', url: '/metrics', headers: auth });
  expect(res.statusCode).toBe(200);
  return res.body;
}
/** The value of one sample line of the Prometheus text, or undefined when absent. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('serve consumes the event queue', () => {
  it('delivers the fixture events to the runner as targets, then deletes their messages', async () => {
    const q = queues();
    const { runner, calls } = recordingRunner();
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: 'info',
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    const running = await serve(q, runner, {}, {}, logger);
    await send(q, [
      event('PutRolePolicy', member),
      event('PutKeyPolicy', member),
      event('ScheduleKeyDeletion', member),
    ]);
    // The key's two events fall in one coalescing window: one evaluation with both events' controls.
    await waitFor('two evaluations', () => calls.length === 2);
    await waitFor('three deletes', async () => (await status(running)).counters.deleted === 3);
    const [role, key] = [...calls].sort((a, b) => a.resource.kind.localeCompare(b.resource.kind)).reverse();
    expect(role).toMatchObject({
      accountId: member,
      region: 'us-east-1',
      controls: ['KMS.2'],
      resource: { kind: 'role', name: 'app-deployer' },
    });
    expect(key).toMatchObject({
      accountId: member,
      region: 'eu-west-1',
      resource: { kind: 'key', keyId: KEY_ID },
    });
    expect([...key!.controls].sort()).toEqual(['KMS.3', 'KMS.4', 'KMS.5']);
    expect(counts(q)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(dlqCounts(q).visible).toBe(0);

    const s = await status(running);
    expect(s).toMatchObject({ enabled: true, queue: q.name, state: 'running', held: 0, inFlight: 0 });
    expect(s.counters).toMatchObject({ received: 3, coalesced: 1, evaluated: 2, failed: 0, deadLettered: 0 });
    expect(s.counters.outcomes).toEqual({ evaluated: 2, gone: 0, skipped: 0, failed: 0 });
    const text = await metrics(running);
    expect(sample(text, 'keywarden_events_received_total')).toBe(3);
    expect(sample(text, 'keywarden_events_coalesced_total')).toBe(1);
    expect(sample(text, 'keywarden_events_evaluated_total{outcome="evaluated"}')).toBe(2);
    expect(sample(text, 'keywarden_event_latency_seconds_count')).toBe(2);
    // The change happened just before it was sent: well under a minute to "imported".
    expect(sample(text, 'keywarden_event_latency_seconds_bucket{le="60"}')).toBe(2);
    // A second scrape adds nothing that did not happen.
    expect(sample(await metrics(running), 'keywarden_events_received_total')).toBe(3);
    // One log line per evaluated resource, naming it and the outcome; never a credential.
    const evaluated = lines.filter((l) => l['msg'] === 'change evaluated');
    expect(evaluated.map((l) => l['target']).sort()).toEqual([
      `${member}/eu-west-1/key/${KEY_ID}`,
      `${member}/global/role/app-deployer`,
    ]);
    expect(evaluated.every((l) => l['outcome'] === 'evaluated')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain(aws.hubCredentials.secretAccessKey);
  });

  it('a forged event for an account outside the organization, a region or control outside the scope: nothing evaluated, each counted', async () => {
    const q = queues();
    const { runner, calls } = recordingRunner();
    const running = await serve(q, runner, {}, { controls: { 'KMS.1': { enabled: false } } });
    await send(q, [
      event('PutRolePolicy', OUTSIDE),
      event('PutKeyPolicy', OUTSIDE),
      event('PutKeyPolicy', member, (t) => t.replaceAll('eu-west-1', 'ap-southeast-2')),
      event('CreatePolicy', member),
    ]);
    await waitFor('four deletes', async () => (await status(running)).counters.deleted === 4);
    expect(calls).toEqual([]);
    const s = await status(running);
    expect(s.counters.ignored).toEqual({
      'account-out-of-scope': 2,
      'region-out-of-scope': 1,
      'control-not-enabled': 1,
    });
    expect(s.counters.outcomes).toEqual({ evaluated: 0, gone: 0, skipped: 0, failed: 0 });
    expect(counts(q)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    const text = await metrics(running);
    expect(sample(text, 'keywarden_events_ignored_total{reason="account-out-of-scope"}')).toBe(2);
    expect(sample(text, 'keywarden_events_ignored_total{reason="region-out-of-scope"}')).toBe(1);
    expect(sample(text, 'keywarden_events_ignored_total{reason="control-not-enabled"}')).toBe(1);

    // The scope does not stop the next in-scope event.
    await send(q, [event('PutRolePolicy', member)]);
    await waitFor('the in-scope event', () => calls.length === 1);
    expect(calls[0]!.accountId).toBe(member);
  });

  it("narrows a target's controls to those the catalog supports in its region", async () => {
    const q = queues();
    const { runner, calls } = recordingRunner();
    const running = await serve(q, runner, {}, { regions: { mode: 'enabled', list: [], exclude: [] } });
    // KMS.3 and KMS.4 watch both events. KMS.3 is not offered in Osaka (ap-northeast-3), KMS.4 not in the
    // UAE (me-central-1), KMS.5 not in Thailand (ap-southeast-7).
    await send(q, [
      event('ScheduleKeyDeletion', member, (t) => t.replaceAll('eu-west-1', 'ap-northeast-3')),
      event('DisableKeyRotation', member, (t) => t.replaceAll('eu-west-1', 'me-central-1')),
      event('PutKeyPolicy', member, (t) => t.replaceAll('eu-west-1', 'ap-southeast-7')),
    ]);
    await waitFor('three deletes', async () => (await status(running)).counters.deleted === 3);
    const byRegion = Object.fromEntries(calls.map((t) => [t.region, t.controls]));
    expect(byRegion).toEqual({ 'ap-northeast-3': ['KMS.4'], 'me-central-1': ['KMS.3'] });
    expect((await status(running)).counters.ignored).toEqual({ 'control-unsupported-in-region': 1 });
  });

  it('a failed evaluation leaves its message: it comes back, and after maxReceives goes to the dead-letter queue', async () => {
    const q = queues(10, 1);
    const { runner, calls } = recordingRunner((target) => ({
      state: 'failed',
      reason: `AccessDenied assuming the member role in ${target.accountId}`,
      imported: 0,
      archived: 0,
      errors: [],
    }));
    const running = await serve(q, runner, { maxReceives: 2 });
    const body = event('PutRolePolicy', member);
    await send(q, [body]);
    await waitFor(
      'the move to the dead-letter queue',
      async () => (await status(running)).counters.deadLettered === 1,
      { timeoutMs: 15_000 },
    );
    expect(dlqCounts(q).visible).toBe(1);
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url.replace(q.name, q.dlqName) }));
    expect(dead.Messages?.[0]?.Body).toBe(body);
    // Received twice (visible again after the first failure), evaluated twice, then moved.
    expect(calls).toHaveLength(2);
    expect(counts(q)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    const s = await status(running);
    expect(s.counters).toMatchObject({ failed: 2, evaluated: 0, deleted: 0, deadLettered: 1 });
    expect(s.counters.outcomes.failed).toBe(2);
    const text = await metrics(running);
    expect(sample(text, 'keywarden_events_evaluated_total{outcome="failed"}')).toBe(2);
    expect(sample(text, 'keywarden_events_dead_lettered_total')).toBe(1);
    // No latency for a change whose findings were not imported.
    expect(sample(text, 'keywarden_event_latency_seconds_count')).toBe(0);
  });

  it('gone and skipped outcomes complete their messages; a runner that throws counts as failed', async () => {
    const q = queues(10, 1);
    const { runner, calls } = recordingRunner((target) => {
      const name = (target.resource as { name?: string }).name;
      if (name === 'gone-role') return { state: 'gone', imported: 0, archived: 1, errors: [] };
      if (name === 'hubless-role')
        return { state: 'skipped', reason: 'Security Hub not enabled', imported: 0, archived: 0, errors: [] };
      throw new Error('boom');
    });
    const running = await serve(q, runner, { maxReceives: 1 });
    const role = (name: string) =>
      event('PutRolePolicy', member, (t) => t.replace('"app-deployer"', JSON.stringify(name)));
    await send(q, [role('gone-role'), role('hubless-role'), role('throwing-role')]);
    await waitFor(
      'the throwing one dead-lettered',
      async () => (await status(running)).counters.deadLettered === 1,
      {
        timeoutMs: 15_000,
      },
    );
    expect(dlqCounts(q).visible).toBe(1);
    expect(counts(q)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    const s = await status(running);
    expect(s.counters).toMatchObject({ deleted: 2, deadLettered: 1 });
    expect(s.counters.outcomes).toEqual({ evaluated: 0, gone: 1, skipped: 1, failed: 1 });
    expect(calls).toHaveLength(3);
  });

  it('malformed and unknown messages go to the dead-letter queue; the consumer goes on', async () => {
    const q = queues();
    const { runner, calls } = recordingRunner();
    const running = await serve(q, runner);
    await send(q, ['{not json', JSON.stringify({ hello: 'world' })]);
    await waitFor('two dead-lettered', async () => (await status(running)).counters.deadLettered === 2);
    expect(dlqCounts(q).visible).toBe(2);
    expect(calls).toEqual([]);
    await send(q, [event('PutKeyPolicy', member)]);
    await waitFor('the next event evaluated', () => calls.length === 1);
    const s = await status(running);
    expect(s.state).toBe('running');
    expect(s.counters.deadLettered).toBe(2);
    expect(sample(await metrics(running), 'keywarden_events_dead_lettered_total')).toBe(2);
  });

  it('a shutdown mid-burst finishes the evaluations in flight, deletes only them, hands the rest back', async () => {
    const q = queues();
    const release: (() => void)[] = [];
    const { runner, calls, destroyed } = recordingRunner(
      (target) => new Promise((resolve) => release.push(() => resolve(done(target)))),
    );
    const running = await serve(q, runner, { concurrency: 2 });
    const roles = Array.from({ length: 6 }, (_, i) =>
      event('PutRolePolicy', member, (t) => t.replace('"app-deployer"', `"burst-${i}"`)),
    );
    await send(q, roles);
    await waitFor('two evaluations in flight', async () => (await status(running)).inFlight === 2);
    await waitFor('all six held', async () => (await status(running)).held === 6);
    const stopped = running.shutdown();
    services.splice(services.indexOf(running), 1);
    // The two in flight finish after the shutdown began.
    for (const finish of release.splice(0)) finish();
    await within('the shutdown', stopped);
    expect(calls).toHaveLength(2);
    expect(destroyed()).toBe(true);
    // Two deleted, four visible again at once for the next consumer: nothing lost, nothing in the DLQ.
    expect(counts(q)).toEqual({ visible: 4, inFlight: 0, delayed: 0 });
    expect(dlqCounts(q).visible).toBe(0);
  });

  it('does not take events before the organization is known; retries listing it, then consumes', async () => {
    const q = queues();
    const { runner, calls } = recordingRunner();
    const op = 'organizations:DescribeOrganization';
    const before = aws.counters.byOperation.get(op) ?? 0;
    aws.faults.failingOperations.add(op);
    let running: RunningService;
    try {
      running = await serve(q, runner);
      await send(q, [event('PutRolePolicy', member)]);
      // Two failed rounds of listing (each with the SDK's retry): the service keeps trying, and waits.
      await waitFor('a second listing round', () => (aws.counters.byOperation.get(op) ?? 0) - before >= 4);
      const s = await status(running);
      expect(s.state).toBe('starting');
      expect(s.counters.received).toBe(0);
      expect(counts(q)).toEqual({ visible: 1, inFlight: 0, delayed: 0 });
    } finally {
      aws.faults.failingOperations.delete(op);
    }
    await waitFor('the event evaluated once the organization is listed', () => calls.length === 1, {
      timeoutMs: 15_000,
    });
    expect((await status(running)).state).toBe('running');
  });

  it('refuses to start on a queue that does not exist or has no dead-letter queue, naming the setting', async () => {
    const { runner } = recordingRunner();
    const missing = { url: `${aws.endpoint}/${hub}/no-such-queue`, name: 'no-such-queue', dlqName: '' };
    await expect(serve(missing, runner)).rejects.toThrow(/^events\.queueUrl: /);
    const plain = `kw-plain-${++serial}`;
    const url = aws.sqs.createQueue(hub, HUB_REGION, plain);
    await expect(serve({ url, name: plain, dlqName: '' }, runner)).rejects.toThrow(
      /events\.queueUrl: .*dead-letter queue/,
    );
  });
});

describe('GET /v1/events/status without a queue', () => {
  it('says the consumer is disabled', async () => {
    const running = await startService({
      loaded: parseConfig({
        api: { tokens: [TOKEN] },
        store: { dataDir: mkdtempSync(join(tmpdir(), 'kw-events-off-')) },
      }),
      logger: silentLogger(),
    });
    services.push(running);
    const s = await status(running);
    expect(s).toMatchObject({ enabled: false, state: 'disabled', held: 0, inFlight: 0 });
    expect(s.queue).toBeUndefined();
  });
});
