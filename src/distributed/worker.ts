/**
 * `keywarden worker`: takes scans and units from the queues. A scan job plans the scan (Organizations,
 * enabled regions, AssumeRole checks) and fans its units out as unit jobs; unit jobs collect, evaluate and
 * import exactly as in-process units do. Quotas are shared with every other worker through Redis.
 */
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import type { Job } from 'bullmq';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { loadCatalog } from '../catalog/index.js';
import { isTransientCode } from '../aws/errors.js';
import type { AwsContext, ApiCallCounter } from '../aws/index.js';
import type { RateLimiter } from '../aws/rate-limit.js';
import type { LoadedConfig } from '../config/index.js';
import { usePolicyWorkers } from '../evaluate/policy-pool.js';
import type { Logger } from '../log/index.js';
import { findingSink, recordUnit, runScanLifecycle } from '../scan/lifecycle.js';
import type { ProgressEvent, ScanSummary, UnitOutcome } from '../model/scan.js';
import { newOutcome } from '../model/scan.js';
import type { UnitExecutor } from '../scan/executor.js';
import type { ScanResult } from '../scan/runner.js';
import { runUnit } from '../scan/unit.js';
import { ServiceMetrics } from '../scan/metrics.js';
import { RedisScanStore } from '../store/redis.js';
import { BullMqExecutor } from './bullmq-executor.js';
import { Coordination } from './coordination.js';
import type { ScanScope } from '../model/scope.js';
import type { ScanJob, TargetJob, UnitJob } from './jobs.js';
import type { TargetRunner } from '../scan/target-runner.js';
import { targetJobProcessor } from './target-jobs.js';
import { QUEUES, UnitJobSchema, parseJob, parseScanJob } from './jobs.js';
import { RedisRateLimiter } from '../aws/redis-rate-limit.js';
import { connectRedis } from './redis.js';
import { ScanContexts } from './scan-contexts.js';

/** What the composition root binds to the worker: how a scan runs and how a scan's AWS clients are made. */
export interface WorkerScans {
  /** Runs one scan (its plan here, its units as jobs through `executor`) with clients bound to it. */
  execute(options: {
    scanId: string;
    scope: ScanScope;
    signal: AbortSignal;
    limiter: RateLimiter;
    executor: UnitExecutor;
    onProgress: (event: ProgressEvent) => void;
  }): Promise<ScanResult>;
  /** The AWS clients of one scan's units on this worker. */
  awsContext(scanId: string, counter: ApiCallCounter): AwsContext;
}

export interface QueueWorkerOptions {
  loaded: LoadedConfig;
  logger: Logger;
  scans: WorkerScans;
  /** Units this process runs at once (defaults to executor.workerConcurrency). */
  concurrency?: number;
  /**
   * Change-event targets (with events.queueUrl): the runner, made on the first target job with the
   * workers' shared rate limiter. Absent: this worker takes no target jobs.
   */
  targets?: (limiter: RateLimiter) => TargetRunner;
}

export interface QueueWorker {
  /** Redis connected and both queues being worked on. */
  ready(): boolean;
  /** The units and scans this worker ran, for its /metrics. */
  metrics: ServiceMetrics;
  /** Stops taking jobs; units in flight get up to `graceMs` to finish, then are left to other workers. */
  close(graceMs: number): Promise<void>;
}

/** A unit whose every error says "try later" is run again (with backoff) while attempts remain. */
export function isTransientFailure(outcome: UnitOutcome): boolean {
  return (
    (outcome.state === 'failed' || outcome.state === 'partial') &&
    outcome.errors.length > 0 &&
    outcome.errors.every((error) => isTransientCode(error.code))
  );
}

class TransientUnitFailure extends Error {
  constructor(outcome: UnitOutcome) {
    const first = outcome.errors[0]!;
    super(`unit ${outcome.unitId} failed transiently (${first.code}: ${first.message})`);
    this.name = 'TransientUnitFailure';
  }
}

const CANCEL_POLL_MS = 1_000;

/** Aborts `controller` as soon as the scan is asked to stop. */
function watchCancel(coordination: Coordination, scanId: string, controller: AbortController): () => void {
  const timer = setInterval(() => {
    coordination.isCancelRequested(scanId).then(
      (cancelled) => {
        if (cancelled) controller.abort(new Error('scan cancelled'));
      },
      () => undefined,
    );
  }, CANCEL_POLL_MS);
  return () => clearInterval(timer);
}

function mergeApiCalls(...parts: ScanSummary['apiCalls'][]): ScanSummary['apiCalls'] {
  const merged: ScanSummary['apiCalls'] = {};
  for (const part of parts)
    for (const [operation, counts] of Object.entries(part)) {
      const total = (merged[operation] ??= { calls: 0, throttled: 0, errors: 0 });
      total.calls += counts.calls;
      total.throttled += counts.throttled;
      total.errors += counts.errors;
    }
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
}

export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const { loaded, logger } = options;
  const { executor } = loaded.config;
  const url = executor.redisUrl!;
  const prefix = executor.prefix;
  const redis = connectRedis(url, 'keywarden-worker');
  const store = new RedisScanStore(redis, prefix);
  const coordination = new Coordination(redis, prefix);
  const limiter = new RedisRateLimiter(redis, prefix);
  const catalog = loadCatalog();
  // Unit jobs analyse policies here, not in executeScan: size this process's pool from the configuration.
  usePolicyWorkers(loaded.config.concurrency.policyWorkers);
  const contexts = new ScanContexts((scanId, counter) => options.scans.awsContext(scanId, counter));
  const unitsQueue = new Queue<UnitJob>(QUEUES.units, { connection: redis, prefix });
  const metrics = new ServiceMetrics();
  let closing = false;

  const processUnit = async (job: Job<UnitJob>): Promise<{ state: UnitOutcome['state'] }> => {
    let data: UnitJob;
    try {
      data = parseJob(UnitJobSchema, job.data, 'unit');
    } catch (error) {
      throw new UnrecoverableError((error as Error).message);
    }
    const { scanId, unit, settings } = data;
    const attempt = job.attemptsMade + 1;
    const log = logger.child({ scanId, unitId: unit.id, attempt });
    const controller = new AbortController();
    // Every call in flight listens to the unit's signal.
    setMaxListeners(0, controller.signal);
    let outcome: UnitOutcome;
    if (await coordination.isCancelRequested(scanId)) {
      outcome = newOutcome(unit.id, unit.accountId, unit.region, unit.controls);
      outcome.state = 'cancelled';
    } else {
      const stopWatching = watchCancel(coordination, scanId, controller);
      const { aws, counter } = contexts.acquire(scanId);
      try {
        outcome = await runUnit(unit, {
          clients: aws.clients,
          catalog,
          params: settings.params,
          partition: settings.partition,
          ...(settings.managementAccountId ? { managementAccountId: settings.managementAccountId } : {}),
          importSettings: settings.import,
          limiter,
          now: () => new Date(),
          signal: controller.signal,
          findingSink: findingSink(store, scanId),
        });
      } finally {
        stopWatching();
        await store.addApiCalls(scanId, counter.takeAll()).catch(() => undefined);
        contexts.release(scanId);
      }
    }
    if (isTransientFailure(outcome) && attempt < (job.opts.attempts ?? 1)) {
      log.warn({ errors: outcome.errors }, 'unit failed transiently; it will be retried');
      throw new TransientUnitFailure(outcome);
    }
    outcome.attempts = Math.max(job.attemptsStarted, attempt);
    await recordUnit({ store, metrics }, scanId, outcome, log);
    return { state: outcome.state };
  };

  const processScan = async (job: Job<ScanJob>): Promise<{ state: string }> => {
    let data: ScanJob;
    try {
      data = parseScanJob(job.data);
    } catch (error) {
      throw new UnrecoverableError((error as Error).message);
    }
    const { scanId, scope, scopeKey } = data;
    const record = await store.getScan(scanId);
    // A coordinator that was itself retried after finishing has nothing left to do.
    if (record === undefined || record.state !== 'running') return { state: record?.state ?? 'unknown' };
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    const stopWatching = watchCancel(coordination, scanId, controller);
    try {
      const state = await runScanLifecycle(
        {
          scanId,
          store,
          logger,
          metrics,
          started: { message: 'scan coordinator started', fields: { scope, attempt: job.attemptsMade + 1 } },
          // Unit jobs record their units; account-level failures (no role, no regions) have no unit job.
          recordsUnit: (outcome) => outcome.region === '*',
          // The unit jobs' API calls were counted by their workers.
          finalize: async (summary) => ({
            ...summary,
            apiCalls: mergeApiCalls(summary.apiCalls, await store.apiCalls(scanId)),
          }),
        },
        ({ onProgress }) =>
          options.scans.execute({
            scanId,
            scope,
            signal: controller.signal,
            limiter,
            executor: new BullMqExecutor({
              queue: unitsQueue,
              store,
              attempts: executor.unitAttempts,
              backoffMs: executor.retryBackoffMs,
            }),
            onProgress,
          }),
      );
      return { state };
    } finally {
      stopWatching();
      await coordination.releaseScope(scopeKey, scanId);
    }
  };

  const common = {
    connection: connectRedis(url, 'keywarden-worker-bullmq'),
    prefix,
    // Shown as the job's `processedBy`: which machine and process has a unit.
    name: `${hostname()}:${process.pid}`,
    lockDuration: executor.lockDurationMs,
    stalledInterval: executor.stalledIntervalMs,
  };
  const unitsWorker = new Worker<UnitJob>(QUEUES.units, processUnit, {
    ...common,
    concurrency: options.concurrency ?? executor.workerConcurrency,
    // A unit is handed on when its worker dies; twice is bad luck, three times is the unit.
    maxStalledCount: 2,
  });
  // Coordinators mostly wait; a few per worker is plenty. They move to another worker when this one stops.
  const scansWorker = new Worker<ScanJob>(QUEUES.scans, processScan, {
    ...common,
    concurrency: 4,
    maxStalledCount: 10,
  });
  let runner: TargetRunner | undefined;
  const makeTargets = options.targets;
  const targetsWorker =
    makeTargets &&
    new Worker<TargetJob, unknown>(
      QUEUES.targets,
      targetJobProcessor(() => (runner ??= makeTargets(limiter))),
      { ...common, concurrency: loaded.config.events.concurrency, maxStalledCount: 2 },
    );
  for (const [name, worker] of [
    ['units', unitsWorker],
    ['scans', scansWorker],
    ...(targetsWorker ? [['targets', targetsWorker] as const] : []),
  ] as const) {
    worker.on('failed', (job, error) => {
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1))
        logger.error({ queue: name, jobId: job.id, err: error }, 'job failed for good');
    });
    worker.on('error', (error) => logger.error({ queue: name, err: error }, 'worker error'));
  }
  await Promise.all([
    unitsWorker.waitUntilReady(),
    scansWorker.waitUntilReady(),
    targetsWorker?.waitUntilReady(),
  ]);
  return {
    ready: () =>
      !closing &&
      redis.status === 'ready' &&
      unitsWorker.isRunning() &&
      scansWorker.isRunning() &&
      (targetsWorker?.isRunning() ?? true),
    metrics,
    close: async (graceMs) => {
      closing = true;
      // Coordinators only wait: another worker takes them over once their lock lapses.
      const scansClosed = scansWorker.close(true);
      // A target job in flight finishes (its consumer waits for it); it is short.
      const targetsClosed = targetsWorker?.close();
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), graceMs);
      });
      const drained = await Promise.race([unitsWorker.close().then(() => 'closed' as const), graceOver]);
      clearTimeout(timer);
      if (drained === 'timeout') await unitsWorker.close(true);
      await scansClosed;
      await targetsClosed;
      runner?.destroy();
      await unitsQueue.close();
      contexts.closeAll();
      await Promise.all([
        redis.quit().catch(() => undefined),
        (common.connection as Redis).quit().catch(() => undefined),
      ]);
    },
  };
}
