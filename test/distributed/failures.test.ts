/**
 * Failure handling of the distributed mode against the simulator's faults: transient failures retried
 * with backoff, lasting ones reported per unit, a denied role reported per account, cancellation.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningWorker } from '../../src/worker.js';
import { startWorker } from '../../src/worker.js';
import { silentLogger } from '../../src/log/index.js';
import type { RunningService } from '../../src/serve.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import type { RunningRedis } from '../helpers/redis.js';
import { redisSkipped, startRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { startAws, storedFindings } from '../integration/harness.js';
import {
  API_TOKEN,
  distributedConfig,
  loadedConfig,
  startReplica,
  startScan,
  waitForScan,
} from './harness.js';

describe.skipIf(redisSkipped)('distributed failure handling', () => {
  let redis: RunningRedis;
  let aws: RunningSimulator;
  let worker: RunningWorker;
  let replica: RunningService;
  let members: string[];

  beforeAll(async () => {
    redis = await startRedis();
    aws = await startAws({ organization: { seed: 11, accounts: 3, regions: ['us-east-1', 'eu-west-1'] } });
    // A retry waits long enough for a test to lift a fault in between.
    const config = distributedConfig(redis.url, { executor: { retryBackoffMs: 1_500, unitAttempts: 3 } });
    worker = await startWorker({ loaded: loadedConfig(config), logger: silentLogger() });
    replica = await startReplica(config);
    members = [...aws.state.accounts.keys()].sort();
  });

  beforeEach(() => {
    aws.faults.failingOperations.clear();
    aws.faults.deniedAccounts.clear();
    aws.faults.latencyMs = 0;
  });

  afterAll(async () => {
    await replica?.shutdown();
    await worker?.close(1_000);
    await aws?.stop();
    await redis?.stop();
  });

  it('retries a unit that failed transiently, and it ends done', async () => {
    const failing = `${members[0]}/eu-west-1/kms:ListKeys`;
    aws.faults.failingOperations.add(failing);
    const id = await startScan(replica);
    // Lift the fault once the first attempt has given up (the SDK's own retries included).
    await waitFor(
      'three failed ListKeys calls (the first attempt gave up)',
      () => (aws.counters.byAccountRegion.get(failing) ?? 0) >= 3,
      { timeoutMs: 20_000 },
    );
    aws.faults.failingOperations.delete(failing);
    const record = await waitForScan(replica, id);

    expect(record.state).toBe('completed');
    const units = await replica.store.listUnits(id);
    expect(units.find((u) => u.unitId === `${members[0]}/eu-west-1`)).toMatchObject({
      state: 'done',
      attempts: 2,
    });
    expect(units.filter((u) => u.attempts === 1)).toHaveLength(units.length - 1);
  });

  it('ends a unit that keeps failing as failed, with its reason, after the configured attempts', async () => {
    const before = storedFindings(aws).filter((s) => s.accountId === members[1] && s.region === 'us-east-1');
    aws.faults.failingOperations.add(`${members[1]}/us-east-1/kms:ListKeys`);
    const id = await startScan(replica);
    const record = await waitForScan(replica, id);
    expect(record.state).toBe('completed_with_errors');
    expect(record.summary!.units.partial + record.summary!.units.failed).toBe(1);
    const unit = (await replica.store.listUnits(id)).find((u) => u.unitId === `${members[1]}/us-east-1`)!;
    expect(unit.attempts).toBe(3);
    expect(unit.errors[0]).toMatchObject({ stage: 'collect', code: 'KMSInternalException' });
    // Nothing was archived from the incomplete collection.
    expect(unit.archived).toBe(0);
    const after = storedFindings(aws).filter((s) => s.accountId === members[1] && s.region === 'us-east-1');
    expect(after.filter((s) => s.finding.RecordState === 'ARCHIVED')).toHaveLength(
      before.filter((s) => s.finding.RecordState === 'ARCHIVED').length,
    );
  });

  it('does not retry an answer: a denied role is reported for its account once', async () => {
    aws.faults.deniedAccounts.add(members[2]!);
    const id = await startScan(replica);
    const record = await waitForScan(replica, id);
    expect(record.state).toBe('completed_with_errors');
    const units = await replica.store.listUnits(id);
    const denied = units.filter((u) => u.accountId === members[2]);
    expect(denied).toEqual([
      expect.objectContaining({
        region: '*',
        state: 'failed',
        errors: [expect.objectContaining({ stage: 'credentials' })],
      }),
    ]);
    expect(units.filter((u) => u.accountId !== members[2]).every((u) => u.state === 'done')).toBe(true);
  });

  it('cancels a running scan from any replica: units stop, nothing is archived', async () => {
    aws.faults.latencyMs = 200;
    const id = await startScan(replica);
    await waitFor('the scan to plan its units', async () => {
      const record = await replica.store.getScan(id);
      return record !== undefined && record.progress.total > 0;
    });
    const other = await startReplica(distributedConfig(redis.url));
    expect(await other.service.cancel(id)).toBe(true);
    const record = await waitForScan(other, id);
    await other.shutdown();
    expect(record.state).toBe('cancelled');
    expect(record.summary!.archived).toBe(0);
    expect(record.summary!.units.cancelled).toBeGreaterThan(0);
    // Cancelling again is a conflict: the scan is no longer running.
    expect(await replica.service.cancel(id)).toBe(false);
  });

  it('answers health and readiness without a token, and its metrics only with one', async () => {
    expect(worker.healthUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${worker.healthUrl}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${worker.healthUrl}/readyz`)).json()).toEqual({ status: 'ready' });
    expect((await fetch(`${worker.healthUrl}/metrics`)).status).toBe(401);
    const metrics = await fetch(`${worker.healthUrl}/metrics`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    // The scans above ran on this worker: its units and their findings are counted here.
    expect(text).toMatch(/keywarden_units_total\{state="done"\} [1-9]/);
    expect(text).toMatch(/keywarden_scans_total\{state="cancelled"\} 1/);
  });

  it('serves the same API from every replica: start on one, read, conflict and list on another', async () => {
    const other = await startReplica(distributedConfig(redis.url));
    const auth = { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' };
    aws.faults.latencyMs = 100;
    const started = await replica.app.inject({
      method: 'POST',
      url: '/v1/scans',
      headers: auth,
      payload: { controls: ['KMS.3'] },
    });
    expect(started.statusCode).toBe(202);
    const { id } = started.json<{ id: string }>();
    const conflict = await other.app.inject({
      method: 'POST',
      url: '/v1/scans',
      headers: auth,
      payload: { controls: ['KMS.3'] },
    });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({ scanId: id });
    await waitForScan(other, id);
    const read = await other.app.inject({ method: 'GET', url: `/v1/scans/${id}`, headers: auth });
    expect(read.json()).toMatchObject({
      id,
      state: 'completed',
      units: expect.arrayContaining([expect.objectContaining({ state: 'done' })]),
    });
    const findings = await other.app.inject({
      method: 'GET',
      url: `/v1/scans/${id}/findings?control=KMS.3&status=FAILED`,
      headers: auth,
    });
    expect(findings.json<{ items: unknown[] }>().items.length).toBeGreaterThan(0);
    const list = await other.app.inject({ method: 'GET', url: '/v1/scans?limit=1', headers: auth });
    expect(list.json<{ items: { id: string }[] }>().items[0]!.id).toBe(id);
    expect((await other.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    await other.shutdown();
  });
});
