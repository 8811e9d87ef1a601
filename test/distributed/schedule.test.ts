/** Two `serve` replicas with the same schedule: BullMQ's job scheduler starts one scan per tick. */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../src/distributed/jobs.js';
import type { RunningWorker } from '../../src/worker.js';
import { startWorker } from '../../src/worker.js';
import { silentLogger } from '../../src/log/index.js';
import type { RunningService } from '../../src/serve.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import type { ScanRecord } from '../../src/store/types.js';
import type { RunningRedis } from '../helpers/redis.js';
import { redisSkipped, startRedis } from '../helpers/redis.js';
import { startAws } from '../integration/harness.js';
import { waitFor } from '../helpers/wait.js';
import { distributedConfig, loadedConfig, startReplica } from './harness.js';

const TICK_SECONDS = 2;

describe.skipIf(redisSkipped)('scheduled scans with two serve replicas', () => {
  let redis: RunningRedis;
  let aws: RunningSimulator;
  let worker: RunningWorker;
  const replicas: RunningService[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    aws = await startAws({
      organization: { seed: 5, accounts: 1, regions: ['us-east-1'], keysPerRegion: 3 },
    });
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.shutdown()));
    await worker?.close(1_000);
    await aws?.stop();
    await redis?.stop();
  });

  it('starts exactly one scan per tick', async () => {
    const config = distributedConfig(redis.url, {
      schedule: { crons: [`*/${TICK_SECONDS} * * * * *`], timezone: 'UTC' },
    });
    worker = await startWorker({ loaded: loadedConfig(config), logger: silentLogger() });
    replicas.push(await startReplica(config), await startReplica(config));
    const connection = new Redis(redis.url);
    const queue = new Queue(QUEUES.schedule, { connection, prefix: 'keywarden' });
    // Wait for ticks by the scheduler's own record of them, not for a window of wall-clock time.
    await waitFor('three completed schedule ticks', async () => (await queue.getCompletedCount()) >= 3, {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    await Promise.all(replicas.map((r) => r.shutdown()));
    replicas.length = 0;

    const reader = await startReplica(distributedConfig(redis.url));
    replicas.push(reader);
    const scans = (await reader.store.listScans({ limit: 100 })).items.filter(
      (s: ScanRecord) => s.trigger === 'schedule',
    );
    const completed = await queue.getJobs(['completed'], 0, -1);
    const failed = await queue.getFailedCount();
    await queue.close();
    await connection.quit();
    // Each tick job is named after the time the scheduler fired it: `repeat:<scheduler>:<millis>`.
    const tickTimes = completed.map((job) => Number(job.id!.split(':').at(-1))).sort((a, b) => a - b);
    expect(tickTimes.length).toBeGreaterThanOrEqual(3);
    for (const time of tickTimes) expect(time % (TICK_SECONDS * 1000)).toBe(0);
    expect(new Set(tickTimes).size).toBe(tickTimes.length);
    expect(failed).toBe(0);
    // Each scan was started by one tick job (created while that job was being processed), and no tick job
    // started two: whichever replica took a tick, it made at most one scan.
    expect(scans.length).toBeGreaterThanOrEqual(1);
    const jobOf = (scan: ScanRecord) => {
      const at = Date.parse(scan.createdAt);
      const jobs = completed.filter((job) => job.processedOn! <= at && at <= job.finishedOn!);
      expect(jobs, `scan ${scan.id} started by exactly one tick job`).toHaveLength(1);
      return jobs[0]!.id;
    };
    const starters = scans.map(jobOf);
    expect(new Set(starters).size).toBe(scans.length);
    // A tick job that started no scan skipped because the previous scheduled scan was still running when it
    // was processed (a slow machine), never for another reason.
    for (const job of completed.filter((j) => !starters.includes(j.id))) {
      const at = job.processedOn!;
      const running = scans.some(
        (s) =>
          Date.parse(s.createdAt) <= at && (s.finishedAt === undefined || Date.parse(s.finishedAt) >= at),
      );
      expect(running, `tick job ${job.id} skipped with no scan running`).toBe(true);
    }
  }, 60_000);
});
