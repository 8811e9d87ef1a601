/** The distributed mode for real: redis-server, the simulator, `keywarden worker` processes, a serve replica. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadedConfig } from '../../src/config/index.js';
import { parseConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import type { RunningService } from '../../src/service/server.js';
import { startService } from '../../src/service/server.js';
import type { OrganizationOptions, RunningSimulator } from '../../src/simulator/index.js';
import { DEFAULT_EXTERNAL_ID, startSimulator } from '../../src/simulator/index.js';
import { simulatedRegions, trackSimulator } from '../integration/harness.js';
import type { RunningRedis } from '../helpers/redis.js';
import { startRedis } from '../helpers/redis.js';
import type { ScanRecord } from '../../src/store/types.js';
import { waitFor } from '../helpers/wait.js';
import type { ScanScope } from '../../src/model/scope.js';

const root = new URL('../../', import.meta.url).pathname;

export const API_TOKEN = 'distributed-test-token-0123456789';

/** The configuration every process of a test shares (as a deployment would). */
export function distributedConfig(
  redisUrl: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    ...simulatedRegions(),
    memberRole: { externalId: DEFAULT_EXTERNAL_ID },
    aws: { maxAttempts: 3, retryMode: 'standard', requestTimeoutMs: 5000 },
    // Workers answer /healthz on the API port: any free one, since several run on this machine.
    api: { tokens: [API_TOKEN], port: 0 },
    logLevel: 'warn',
    ...extra,
    executor: {
      mode: 'bullmq',
      redisUrl,
      workerConcurrency: 4,
      // Fast hand-over of a dead worker's unit, so the tests need not wait 30 s.
      lockDurationMs: 2_000,
      stalledIntervalMs: 1_000,
      retryBackoffMs: 200,
      ...(extra['executor'] as Record<string, unknown> | undefined),
    },
  };
}

export function loadedConfig(config: Record<string, unknown>): LoadedConfig {
  return parseConfig(config, 'test');
}

export interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

/** `keywarden worker` in its own process, pointed at the simulator. */
export function spawnWorker(config: Record<string, unknown>, aws: RunningSimulator): WorkerProcess {
  const dir = mkdtempSync(join(tmpdir(), 'keywarden-worker-'));
  const file = join(dir, 'keywarden.json');
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'worker', '--config', file], {
    cwd: root,
    env: {
      ...process.env,
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_ACCESS_KEY_ID: aws.hubCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: aws.hubCredentials.secretAccessKey,
      AWS_REGION: 'us-east-1',
      KEYWARDEN_CONFIG: file,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

export async function stopWorker(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill('SIGTERM');
  await worker.exited;
}

/** A serve replica in this process (its API is the one the service tests cover). */
export async function startReplica(config: Record<string, unknown>): Promise<RunningService> {
  return startService({ loaded: loadedConfig(config), logger: silentLogger() });
}

export async function startScan(replica: RunningService, scope: ScanScope = {}): Promise<string> {
  const result = await replica.service.start(scope, 'api');
  if (!result.started) throw new Error(`scope already running: ${result.runningScanId}`);
  return result.scan.id;
}

export async function waitForScan(
  replica: RunningService,
  id: string,
  timeoutMs = 60_000,
): Promise<ScanRecord> {
  return waitFor(
    `scan ${id} to finish`,
    async () => {
      const record = await replica.store.getScan(id);
      return record !== undefined && record.state !== 'running' && record;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

export interface Cluster {
  redis: RunningRedis;
  aws: RunningSimulator;
  config: Record<string, unknown>;
  workers: WorkerProcess[];
  replica: RunningService;
  stop(): Promise<void>;
}

/** redis-server, the simulator, `workers` worker processes and one serve replica, sharing one configuration. */
export async function startCluster(options: {
  organization: OrganizationOptions;
  workers: number;
  config?: Record<string, unknown>;
}): Promise<Cluster> {
  const redis = await startRedis();
  const aws = await startSimulator({ organization: options.organization });
  trackSimulator(aws);
  const config = distributedConfig(redis.url, options.config);
  const workers = Array.from({ length: options.workers }, () => spawnWorker(config, aws));
  const replica = await startReplica(config);
  return {
    redis,
    aws,
    config,
    workers,
    replica,
    stop: async () => {
      await replica.shutdown();
      await Promise.all(workers.map(stopWorker));
      await aws.stop();
      await redis.stop();
    },
  };
}
