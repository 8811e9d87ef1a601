/**
 * Scale-out for real: redis-server, the simulator, three `keywarden worker` processes and a serve
 * replica. The in-process scan is the reference.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../src/distributed/jobs.js';
import type { RunningService } from '../../src/serve.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { scan, startAws, storedFindings } from '../integration/harness.js';
import type { Cluster, WorkerProcess } from './harness.js';
import { startCluster, startScan, waitForScan } from './harness.js';
import { redisSkipped } from '../helpers/redis.js';
import { waitFor, within } from '../helpers/wait.js';

const ORGANIZATION = { seed: 7, accounts: 6, regions: ['us-east-1', 'eu-west-1', 'ap-southeast-3'] };

/** What Security Hub holds, as `Id status recordState`, sorted. */
function hubContents(aws: RunningSimulator): string[] {
  return storedFindings(aws)
    .map((s) => `${s.finding.Id} ${s.finding.Compliance?.Status} ${s.finding.RecordState}`)
    .sort();
}

describe.skipIf(redisSkipped)('a scan on three worker processes through BullMQ on Redis', () => {
  let cluster: Cluster;
  let distributed: RunningSimulator;
  let replica: RunningService;
  let workers: WorkerProcess[];

  beforeAll(async () => {
    cluster = await startCluster({ organization: ORGANIZATION, workers: 3 });
    ({ aws: distributed, replica, workers } = cluster);
  });

  afterAll(() => cluster?.stop());

  it('imports exactly the findings of the in-process scan (same Ids, same statuses)', async () => {
    const reference = await startAws({ organization: ORGANIZATION });
    // The reference shares two cores with Redis, three workers and two simulators: a long request timeout
    // keeps a busy machine from turning into DescribeKey timeouts in the reference (seen at load above 10).
    const inProcess = await scan({
      aws: { maxAttempts: 3, retryMode: 'standard', requestTimeoutMs: 30_000 },
    });
    expect(inProcess.summary.state).toBe('completed');
    const wanted = hubContents(reference);
    await reference.stop();

    const id = await startScan(replica);
    const record = await waitForScan(replica, id);
    expect(record.state).toBe('completed');
    expect(record.summary!.units).toEqual(inProcess.summary.units);
    expect(record.summary!.findings).toEqual(inProcess.summary.findings);
    expect(record.summary!.skipped).toEqual(inProcess.summary.skipped);
    expect(hubContents(distributed)).toEqual(wanted);
    // Every worker took a share (the queue spreads units), and each unit ran once.
    const units = await replica.store.listUnits(id);
    expect(units.map((u) => u.unitId)).toEqual([...new Set(units.map((u) => u.unitId))]);
    expect(units).toHaveLength(inProcess.summary.units.planned);
    expect(record.summary!.apiCalls['SecurityHub.BatchImportFindings']!.calls).toBeGreaterThan(0);
    // The scan record's findings are the imported ones, each once.
    const page = await replica.store.listFindings(id, { limit: 10_000 });
    expect(page.items.map((f) => f.id).sort()).toEqual(wanted.map((line) => line.split(' ')[0]).sort());
  }, 90_000);

  it('loses no unit and duplicates no finding when a worker is killed (SIGKILL) mid-scan', async () => {
    const wanted = hubContents(distributed);
    distributed.faults.latencyMs = 150;
    const id = await startScan(replica);
    // Kill a worker while it has a unit in hand.
    const connection = new Redis(cluster.redis.url);
    const queue = new Queue(QUEUES.units, { connection, prefix: 'keywarden' });
    const victim: WorkerProcess = await waitFor(
      'a worker process to hold a unit',
      async () => {
        const active = await queue.getActive();
        const holders = new Set(active.map((job) => Number(job.processedBy?.split(':').at(-1))));
        return workers.find((w) => holders.has(w.child.pid!));
      },
      { timeoutMs: 20_000 },
    );
    await queue.close();
    await connection.quit();
    victim.child.kill('SIGKILL');
    expect(await within('the killed worker to exit', victim.exited, 10_000)).toBeNull();
    const record = await waitForScan(replica, id, 80_000);
    distributed.faults.latencyMs = 0;
    expect(record.state).toBe('completed');
    expect(record.summary!.units.done).toBe(record.summary!.units.planned);
    const units = await replica.store.listUnits(id);
    expect(units).toHaveLength(record.summary!.units.planned);
    expect(units.every((u) => u.state === 'done')).toBe(true);
    // The dead worker's units were started again by the others.
    expect(units.filter((u) => (u.attempts ?? 1) > 1).length).toBeGreaterThan(0);
    // Security Hub holds each finding once, and the same ones as before.
    expect(hubContents(distributed)).toEqual(wanted);
    const page = await replica.store.listFindings(id, { limit: 10_000 });
    expect(new Set(page.items.map((f) => f.id)).size).toBe(page.items.length);
    expect(page.items).toHaveLength(wanted.length);
  }, 120_000);
});
