/**
 * Quotas hold across workers: three worker processes import into the same account and region at once
 * (three scans of different scopes), and Security Hub's 10 calls/s (burst 30) for BatchImportFindings
 * still holds at the simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../src/serve.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import type { Cluster } from './harness.js';
import { startCluster, startScan, waitForScan } from './harness.js';
import { redisSkipped } from '../helpers/redis.js';

/**
 * Arrivals checked against the quota as AWS defines it, a token bucket: `rate` per second, `burst` at
 * most. Returns the first arrival that found the bucket empty, or -1.
 */
export function firstOverQuota(times: number[], rate: number, burst: number): number {
  let tokens = burst;
  let last = times[0] ?? 0;
  for (const [i, t] of times.entries()) {
    tokens = Math.min(burst, tokens + ((t - last) / 1000) * rate);
    last = t;
    if (tokens < 1) return i;
    tokens -= 1;
  }
  return -1;
}

describe.skipIf(redisSkipped)('rate limits shared by every worker (Redis)', () => {
  let cluster: Cluster;
  let aws: RunningSimulator;
  let replica: RunningService;

  beforeAll(async () => {
    cluster = await startCluster({
      organization: { seed: 3, accounts: 1, regions: ['us-east-1'], keysPerRegion: 1500 },
      workers: 3,
      // One unit per worker at a time: the three concurrent units are on three processes.
      config: { executor: { workerConcurrency: 1 } },
    });
    ({ aws, replica } = cluster);
  });

  afterAll(() => cluster?.stop());

  it('the simulator never sees BatchImportFindings above 10/s (burst 30) for one account and region', async () => {
    // Three scopes that are the same work: their units collect alike, so their imports overlap.
    const both = ['KMS.3' as const, 'KMS.4' as const];
    const accountId = [...aws.state.accounts.keys()].sort().at(-1)!;
    const ids = await Promise.all(
      [
        { controls: both },
        { controls: both, regions: ['us-east-1'] },
        { controls: both, accounts: [accountId] },
      ].map((scope) => startScan(replica, scope)),
    );
    const records = await Promise.all(ids.map((id) => waitForScan(replica, id, 90_000)));
    for (const record of records) {
      expect(record.state).toBe('completed');
      const imports = record.summary!.apiCalls['SecurityHub.BatchImportFindings']!;
      expect(imports.throttled).toBe(0);
    }
    const [key, times] = [...aws.importTimes].find(([, t]) => t.length > 0)!;
    // More calls than the burst: the sustained rate, not just the burst, was tested.
    expect(times.length, key).toBeGreaterThan(40);
    expect(firstOverQuota(times, 10, 30)).toBe(-1);
    // The three scans' imports overlapped in time (otherwise nothing was shared).
    const units = await Promise.all(ids.map((id) => replica.store.listUnits(id)));
    expect(units.flat().filter((u) => u.imported > 0)).toHaveLength(3);
  }, 120_000);

  it('the check itself catches a burst above the quota', () => {
    expect(firstOverQuota(Array<number>(35).fill(0), 10, 30)).toBe(30);
    expect(
      firstOverQuota(
        Array.from({ length: 60 }, (_, i) => i * 50),
        10,
        30,
      ),
    ).toBe(59);
    const paced = Array.from({ length: 60 }, (_, i) => (i < 27 ? 0 : (i - 26) * 112));
    expect(firstOverQuota(paced, 10, 30)).toBe(-1);
  });
});
