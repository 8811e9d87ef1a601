/**
 * The scan lifecycle in the distributed mode: the coordinator's worker counts how each scan ended in its
 * /metrics and lets the running-scans gauge go back down, the same as the in-process service does.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningWorker } from '../../src/distributed/worker.js';
import { startWorker } from '../../src/distributed/worker.js';
import { defaultPolicyWorkers, policyEvaluator } from '../../src/evaluate/policy-pool.js';
import { silentLogger } from '../../src/log/index.js';
import type { RunningService } from '../../src/service/server.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import type { RunningRedis } from '../helpers/redis.js';
import { startRedis } from '../helpers/redis.js';
import { startAws } from '../integration/harness.js';
import {
  API_TOKEN,
  distributedConfig,
  loadedConfig,
  startReplica,
  startScan,
  waitForScan,
} from './harness.js';

describe('the distributed scan lifecycle', () => {
  let redis: RunningRedis;
  let aws: RunningSimulator;
  let worker: RunningWorker;
  let replica: RunningService;
  let members: string[];
  // A pool size the CPU-based default is not, so the test shows the configuration was read.
  const policyWorkers = defaultPolicyWorkers() === 2 ? 3 : 2;

  /** One sample of the worker's /metrics as a scraper reads it; undefined when absent. */
  async function sample(series: string): Promise<number | undefined> {
    const response = await fetch(`${worker.healthUrl}/metrics`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(response.status).toBe(200);
    const line = (await response.text()).split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  }

  beforeAll(async () => {
    redis = await startRedis();
    aws = await startAws({ organization: { seed: 5, accounts: 2, regions: ['us-east-1'] } });
    const config = distributedConfig(redis.url, {
      import: { dryRun: true },
      aws: { maxAttempts: 1, retryMode: 'standard', requestTimeoutMs: 5000 },
      concurrency: { policyWorkers },
    });
    worker = await startWorker({ loaded: loadedConfig(config), logger: silentLogger() });
    replica = await startReplica(config);
    members = [...aws.state.accounts.keys()].sort();
  });

  beforeEach(() => {
    aws.faults.failingOperations.clear();
    aws.faults.deniedAccounts.clear();
  });

  afterAll(async () => {
    await replica?.shutdown();
    await worker?.close(1_000);
    await aws?.stop();
    await redis?.stop();
  });

  it("sizes the worker's policy pool from concurrency.policyWorkers", () => {
    expect(policyEvaluator().workers).toBe(policyWorkers);
  });

  it('counts a scan whose planner cannot reach Organizations as failed, and the gauge goes back to 0', async () => {
    aws.faults.failingOperations.add('organizations:ListAccounts');
    const record = await waitForScan(replica, await startScan(replica));

    expect(record.state).toBe('failed');
    // Organizations answers a 5xx with ServiceException.
    expect(record.summary?.error?.code).toBe('ServiceException');
    expect(await sample('keywarden_scans_total{state="failed"}')).toBe(1);
    expect(await sample('keywarden_scans_running')).toBe(0);
  });

  it('records and counts an account that failed while planning once, beside the units of the others', async () => {
    const denied = members[1]!;
    aws.faults.deniedAccounts.add(denied);
    const failedBefore = (await sample('keywarden_units_total{state="failed"}')) ?? 0;
    const record = await waitForScan(replica, await startScan(replica));

    expect(record.state).toBe('completed_with_errors');
    expect(record.progress.done).toBe(record.progress.total);
    const units = await replica.store.listUnits(record.id);
    expect(units).toHaveLength(record.progress.total);
    expect(units.filter((u) => u.accountId === denied)).toMatchObject([{ region: '*', state: 'failed' }]);
    // The coordinator recorded the denied account: its worker counts that unit like any other.
    expect(await sample('keywarden_units_total{state="failed"}')).toBe(failedBefore + 1);
    expect(await sample('keywarden_scans_total{state="completed_with_errors"}')).toBe(1);
    expect(await sample('keywarden_scans_running')).toBe(0);
  });
});
