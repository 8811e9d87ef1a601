/** Two `serve` replicas with the same schedule: BullMQ's job scheduler starts one scan per tick. */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../src/distributed/jobs.js';
import type { RunningWorker } from '../../src/distributed/worker.js';
import { startWorker } from '../../src/distributed/worker.js';
import { silentLogger } from '../../src/log/index.js';
import type { RunningService } from '../../src/service/server.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import type { ScanRecord } from '../../src/store/types.js';
import type { RunningRedis } from '../helpers/redis.js';
import { redisSkipped, startRedis } from '../helpers/redis.js';
import { startAws } from '../integration/harness.js';
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
    await new Promise((resolve) => setTimeout(resolve, 4 * TICK_SECONDS * 1000 + 500));
    await Promise.all(replicas.map((r) => r.shutdown()));
    replicas.length = 0;

    const reader = await startReplica(distributedConfig(redis.url));
    replicas.push(reader);
    const scans = (await reader.store.listScans({ limit: 100 })).items.filter(
      (s: ScanRecord) => s.trigger === 'schedule',
    );
    // Four ticks fit in the window (five if the first came at once).
    expect(scans.length).toBeGreaterThanOrEqual(4);
    expect(scans.length).toBeLessThanOrEqual(5);
    const ticks = scans.map((s) => Math.floor(Date.parse(s.createdAt) / (TICK_SECONDS * 1000)));
    expect(new Set(ticks).size).toBe(scans.length);
    // One tick job per tick, whichever replica took it: none was skipped as "already running".
    const connection = new Redis(redis.url);
    const queue = new Queue(QUEUES.schedule, { connection, prefix: 'keywarden' });
    const counts = await queue.getJobCounts('completed', 'failed');
    await queue.close();
    await connection.quit();
    expect(counts['completed']).toBe(scans.length);
    expect(counts['failed']).toBe(0);
  }, 60_000);
});
