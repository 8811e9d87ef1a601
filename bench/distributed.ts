/**
 * `npm run bench -- distributed`: the scan benchmark's organization and latency (200 accounts x 4
 * regions, 20 ms per call, real quotas) scanned in-process, then through BullMQ on Redis with 1, 2 and 3
 * `keywarden worker` processes. Prints wall times, the queue's overhead per unit against in-process, and
 * each worker's peak RSS. Needs redis-server on the PATH (Debian: apt-get install redis-server).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { executeScan } from '../src/compose.js';
import { QUEUES } from '../src/distributed/jobs.js';
import { parseConfig } from '../src/config/index.js';
import { silentLogger } from '../src/log/index.js';
import { startService } from '../src/serve.js';
import { DEFAULT_EXTERNAL_ID, DEFAULT_HUB_CREDENTIALS } from '../src/simulator/index.js';
import { LATENCY_MS, REGIONS, freePort, startSimulatorProcess } from './scan.js';

const ACCOUNTS = Number(process.env['BENCH_ACCOUNTS'] ?? 200);
/** Units in flight: in-process `concurrency.units`, and per worker process `executor.workerConcurrency`. */
const UNITS_IN_FLIGHT = 16;
const cli = new URL('../src/cli/main.js', import.meta.url).pathname;
const root = new URL('../', import.meta.url).pathname;

async function startRedisServer(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code} (is it installed?)`)));
  });
  return { url: `redis://127.0.0.1:${port}`, child };
}

function baseConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    memberRole: { externalId: DEFAULT_EXTERNAL_ID },
    concurrency: { units: UNITS_IN_FLIGHT, perAccount: 4 },
    aws: { retryMode: 'adaptive' },
    logLevel: 'warn',
    ...extra,
  };
}

/** CPU time (user + system) of a process so far (Linux), in ms. */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Peak resident memory of a process (Linux), in MB. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function inProcess(
  endpoint: string,
): Promise<{ wallMs: number; units: number; state: string; cpuMs: number }> {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: DEFAULT_HUB_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DEFAULT_HUB_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
  });
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const result = await executeScan(parseConfig(baseConfig(), 'bench'), { scanId: randomUUID() });
  const cpu = process.cpuUsage(cpuBefore);
  return {
    wallMs: performance.now() - started,
    units: result.summary.units.planned,
    state: result.summary.state,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

async function distributed(
  endpoint: string,
  workers: number,
): Promise<{
  wallMs: number;
  units: number;
  state: string;
  rssMb: number[];
  queueWaitMs: number;
  cpuMs: number;
}> {
  const redis = await startRedisServer();
  const config = baseConfig({
    api: { tokens: ['bench-token-0123456789abcdef'] },
    executor: { mode: 'bullmq', redisUrl: redis.url, workerConcurrency: UNITS_IN_FLIGHT },
  });
  const file = join(mkdtempSync(join(tmpdir(), 'keywarden-bench-')), 'keywarden.json');
  writeFileSync(file, JSON.stringify(config));
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: DEFAULT_HUB_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DEFAULT_HUB_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
  const children = Array.from({ length: workers }, () =>
    spawn(
      process.execPath,
      [
        ...(process.env['BENCH_PROFILE'] ? ['--cpu-prof', '--cpu-prof-dir=/tmp/kw-prof'] : []),
        '--max-old-space-size=256',
        cli,
        'worker',
        '--config',
        file,
        '--port',
        '0',
      ],
      {
        cwd: root,
        env,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    ),
  );
  // Ready when every worker has registered with the units queue.
  const connection = new Redis(redis.url);
  const queue = new Queue(QUEUES.units, { connection, prefix: 'keywarden' });
  while ((await queue.getWorkers()).length < workers)
    await new Promise((resolve) => setTimeout(resolve, 100));
  await queue.close();
  await connection.quit();
  const replica = await startService({ loaded: parseConfig(config, 'bench'), logger: silentLogger() });
  const started = performance.now();
  const start = await replica.service.start({}, 'api');
  if (!start.started) throw new Error('scan did not start');
  let record = await replica.store.getScan(start.scan.id);
  while (record?.state === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 50));
    record = await replica.store.getScan(start.scan.id);
  }
  const wallMs = performance.now() - started;
  const rssMb = children.map((child) => peakRssMb(child.pid!));
  const cpuMs = children.reduce((sum, child) => sum + cpuMsOf(child.pid!), 0);
  const units = await replica.store.listUnits(start.scan.id);
  await replica.shutdown();
  await Promise.all(
    children.map((child) => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM')))),
  );
  redis.child.kill('SIGTERM');
  const busyMs = units.reduce((sum, unit) => sum + unit.durationMs, 0);
  return {
    wallMs,
    units: record?.summary?.units.planned ?? 0,
    state: record?.state ?? 'unknown',
    rssMb,
    cpuMs,
    // Slot time not spent inside units: queue hops, store writes, planning.
    queueWaitMs: (wallMs * UNITS_IN_FLIGHT * workers - busyMs) / Math.max(1, units.length),
  };
}

export async function runDistributedBench(): Promise<void> {
  console.log(
    `distributed benchmark: ${ACCOUNTS} accounts x ${REGIONS.length} regions, ${LATENCY_MS} ms per call, real quotas, ${UNITS_IN_FLIGHT} units in flight per process`,
  );
  const simulator = await startSimulatorProcess(ACCOUNTS);
  const endpoint = `http://127.0.0.1:${new URL(simulator.endpoint).port}`;
  try {
    const reference = await inProcess(endpoint);
    console.log(
      `\nin-process: ${reference.state}, ${reference.units} units, wall ${(reference.wallMs / 1000).toFixed(2)} s, scanner CPU ${(reference.cpuMs / 1000).toFixed(2)} s`,
    );
    for (const workers of (process.env['BENCH_WORKERS'] ?? '1,2,3').split(',').map(Number)) {
      const run = await distributed(endpoint, workers);
      const overheadPerUnit = ((run.wallMs - reference.wallMs) * UNITS_IN_FLIGHT) / run.units;
      console.log(
        `${workers} worker${workers > 1 ? 's' : ''}: ${run.state}, ${run.units} units, wall ${(run.wallMs / 1000).toFixed(2)} s ` +
          `(${(reference.wallMs / run.wallMs).toFixed(2)}x in-process), workers' CPU ${(run.cpuMs / 1000).toFixed(2)} s; peak RSS per worker ${run.rssMb.map((r) => r.toFixed(0)).join(', ')} MB`,
      );
      if (workers === 1)
        console.log(
          `  queue overhead against in-process at the same ${UNITS_IN_FLIGHT} units in flight: ${overheadPerUnit.toFixed(1)} ms of slot time per unit; idle slot time per unit ${run.queueWaitMs.toFixed(0)} ms`,
        );
    }
  } finally {
    simulator.child.kill('SIGTERM');
  }
}
