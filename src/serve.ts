/**
 * The long-running service: the API, the scheduler and in-process scans over one store, with a graceful
 * shutdown (stop accepting, let scans finish within the grace period, cancel the rest, close the store).
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/app.js';
import { loadCatalog } from './catalog/index.js';
import type { LoadedConfig } from './config/index.js';
import { executeScan, scopeResolver } from './compose.js';
import { LocalRateLimiter } from './aws/rate-limit.js';
import type { Logger } from './log/index.js';
import { Queue, QueueEvents } from 'bullmq';
import { Coordination } from './distributed/coordination.js';
import type { ScanJob, TargetJob } from './distributed/jobs.js';
import { queuedTargetRun } from './distributed/target-jobs.js';
import { QUEUES } from './distributed/jobs.js';
import { connectRedis } from './distributed/redis.js';
import { DistributedScanService } from './distributed/scan-service.js';
import { DistributedScheduler } from './distributed/scheduler.js';
import { RedisScanStore } from './store/redis.js';
import { SqliteScanStore } from './store/sqlite.js';
import type { ScanStore } from './store/types.js';
import { ServiceMetrics } from './scan/metrics.js';
import type { ScanControl } from './scan/control.js';
import type { ExecuteScan } from './service/scan-service.js';
import { ScanService } from './service/scan-service.js';
import { Scheduler } from './service/scheduler.js';
import { ApiCallCounter } from './aws/index.js';
import { sqsEventQueue } from './aws/event-queue.js';
import { describeQueueUrl, eventQueueClient } from './aws/event-queue-client.js';
import { awsContextFor } from './compose.js';
import { describeOrganization, enabledRegions } from './collect/organization.js';
import { hubClients } from './aws/hub-clients.js';
import { ensureCustomAction } from './events/custom-action.js';
import { selectRegions } from './scan/plan.js';
import { type CustomActionSetup, startCustomActionSetup } from './scan/custom-action-setup.js';
import type { EventsStatusResponse } from './api/schemas.js';
import type { ChangeTarget } from './events/targets.js';
import { EventMetrics } from './scan/event-metrics.js';
import { inEventScope, OrganizationMembers } from './scan/event-scope.js';
import { startEventService } from './scan/event-service.js';
import type { TargetOutcome, TargetRunner } from './scan/target-runner.js';
import { targetRunner } from './scan/target-runner.js';

export interface RunningService {
  app: FastifyInstance;
  service: ScanControl;
  store: ScanStore;
  scheduler: { describe(): { crons: string[]; nextRuns: string[] } };
  /** Stops accepting requests, drains scans within the grace period, closes the store. */
  shutdown(): Promise<void>;
}

export interface ServiceOptions {
  loaded: LoadedConfig;
  logger: Logger;
  /** Replaces the real scan (tests of the API's own behaviour). */
  execute?: ExecuteScan;
  store?: ScanStore;
  /** Evaluates change-event targets (default: the real targeted evaluation); used with events.queueUrl. */
  targetRunner?: TargetRunner;
}

const DAY_MS = 86_400_000;

export async function startService(options: ServiceOptions): Promise<RunningService> {
  if (options.loaded.config.executor.mode === 'bullmq') return startDistributedService(options);
  const { loaded, logger } = options;
  const { config } = loaded;
  const store = options.store ?? new SqliteScanStore(join(config.store.dataDir, 'keywarden.db'));
  const interrupted = await store.markInterrupted();
  if (interrupted > 0)
    logger.warn({ scans: interrupted }, 'scans left running by a previous process are marked interrupted');
  const purgeTimer = await startPurging(store, config.store.retentionDays, logger);

  const metrics = new ServiceMetrics();
  // One limiter for the process, so overlapping scans share Security Hub's quotas.
  const limiter = new LocalRateLimiter();
  const execute: ExecuteScan =
    options.execute ??
    ((request) =>
      executeScan(loaded, {
        scanId: request.scanId,
        scope: request.scope,
        signal: request.signal,
        onProgress: request.onProgress,
        findingSink: request.findingSink,
        limiter,
      }));
  const service = new ScanService(store, execute, scopeResolver(loaded), logger, metrics);
  const runner =
    config.events.queueUrl === undefined
      ? undefined
      : (options.targetRunner ?? targetRunner(loaded, { limiter }));
  let events: RunningEvents | undefined;
  try {
    events = runner && (await startEvents(loaded, { logger, metrics, run: (t) => runner.run(t) }));
  } catch (error) {
    runner?.destroy();
    clearInterval(purgeTimer);
    if (options.store === undefined) await store.close();
    throw error;
  }
  const scheduler = new Scheduler(config.schedule, service, logger);
  scheduler.start();
  let draining = false;
  const app = await serviceApp(loaded, {
    service,
    store,
    metrics,
    logger,
    scheduler,
    ready: () => !draining,
    ...(events ? { events: events.status } : {}),
  });
  return {
    app,
    service,
    store,
    scheduler,
    shutdown: async () => {
      draining = true;
      clearInterval(purgeTimer);
      scheduler.stop();
      // Polling stops and no evaluation starts from here; those in flight finish and their messages are
      // deleted, the rest go back to the queue.
      const eventsStopped = events?.stop();
      await app.close();
      await Promise.all([eventsStopped, service.drain(config.shutdownGraceSeconds * 1000)]);
      runner?.destroy();
      await store.close();
    },
  };
}

/** The API over a scan service, with the configuration's tokens and limits (both modes). */
function serviceApp(
  loaded: LoadedConfig,
  parts: {
    service: ScanControl;
    store: ScanStore;
    metrics: ServiceMetrics;
    logger: Logger;
    scheduler: RunningService['scheduler'];
    ready: () => boolean;
    events?: () => EventsStatusResponse;
  },
): Promise<FastifyInstance> {
  const { api } = loaded.config;
  return buildApp({
    service: parts.service,
    store: parts.store,
    catalog: loadCatalog(),
    metrics: parts.metrics,
    tokens: loaded.apiTokens,
    rateLimitPerMinute: api.rateLimitPerMinute,
    bodyLimitBytes: api.bodyLimitBytes,
    schedule: () => parts.scheduler.describe(),
    ready: parts.ready,
    ...(parts.events ? { events: parts.events } : {}),
    logger: parts.logger,
  });
}

interface RunningEvents {
  status(): EventsStatusResponse;
  /** Stops polling, lets the evaluations in flight finish, deletes what completed. */
  stop(): Promise<void>;
}

/** The targets queue and the events of its jobs (a blocking reader: a connection of its own). */
function targetJobs(redisUrl: string, redis: ReturnType<typeof connectRedis>, prefix: string) {
  const connection = connectRedis(redisUrl, 'keywarden-serve-target-events');
  const queue = new Queue<TargetJob>(QUEUES.targets, { connection: redis, prefix });
  const events = new QueueEvents(QUEUES.targets, { connection, prefix });
  return {
    queue,
    events,
    close: async () => {
      await Promise.all([queue.close(), events.close()]);
      await connection.quit().catch(() => undefined);
    },
  };
}

/** Organizations is listed again this often (an account joining or leaving the organization). */
const MEMBERS_REFRESH_MS = 10 * 60_000;
/** An event for an unknown account lists the organization again at most this often. */
const MEMBERS_MIN_REFRESH_MS = 60_000;

/**
 * The change-event consumer on `events.queueUrl`, with the configured scope in front of it. Fails at once
 * when the queue does not exist or has no dead-letter queue, so a misconfigured service never starts.
 */
async function startEvents(
  loaded: LoadedConfig,
  parts: { logger: Logger; metrics: ServiceMetrics; run: (target: ChangeTarget) => Promise<TargetOutcome> },
): Promise<RunningEvents> {
  const { config } = loaded;
  const settings = config.events;
  const queueUrl = settings.queueUrl!;
  const logger = parts.logger.child({ component: 'events' });
  const sqs = eventQueueClient({
    queueUrl,
    homeRegion: config.homeRegion,
    hub: config.hub,
    sessionNamePrefix: config.memberRole.sessionNamePrefix,
    maxAttempts: config.aws.maxAttempts,
    retryMode: config.aws.retryMode,
    requestTimeoutMs: config.aws.requestTimeoutMs,
    waitTimeSeconds: settings.waitTimeSeconds,
  });
  let queue;
  try {
    queue = await sqsEventQueue(sqs, queueUrl);
  } catch (error) {
    sqs.destroy();
    throw new Error(`events.queueUrl: ${(error as Error).message}`, { cause: error });
  }
  const aws =
    config.accounts.source === 'organizations'
      ? awsContextFor(loaded, 'events', new ApiCallCounter())
      : undefined;
  const members =
    aws &&
    new OrganizationMembers(
      async () => (await describeOrganization(aws.clients.organizations())).accounts,
      config.accounts,
      { refreshMs: MEMBERS_REFRESH_MS, minRefreshMs: MEMBERS_MIN_REFRESH_MS, log: logger },
    );
  const catalog = loadCatalog();
  const scope = {
    accounts: config.accounts,
    regions: config.regions,
    homeRegion: config.homeRegion,
    enabledControls: loaded.enabledControls,
    unsupportedRegions: (id: (typeof loaded.enabledControls)[number]) => catalog.get(id).unsupportedRegions,
  };
  const service = startEventService({
    queue,
    run: parts.run,
    scope: (target) => inEventScope(scope, members?.isMember ?? (() => undefined), target),
    settings,
    logger,
    metrics: new EventMetrics(parts.metrics.registry),
    ...(members ? { prepare: () => members.refresh().then(() => members.start()) } : {}),
  });
  const customAction = settings.customAction ? customActionSetup(loaded, logger) : undefined;
  const name = describeQueueUrl(queueUrl).name;
  return {
    status: () => {
      const { outcomes, counters, ...rest } = service.status();
      return {
        enabled: true,
        queue: name,
        ...rest,
        counters: { ...counters, outcomes },
        ...(customAction ? { customAction: customAction.status() } : {}),
      };
    },
    stop: async () => {
      await Promise.all([service.stop(), customAction?.stop()]);
      members?.stop();
      aws?.destroy();
      sqs.destroy();
    },
  };
}

/**
 * keywarden's Security Hub custom action in each configured region of the security account (the hub's
 * credentials): the region list, or the account's enabled regions selected as a scan selects them.
 */
function customActionSetup(loaded: LoadedConfig, logger: Logger): CustomActionSetup {
  const { config } = loaded;
  const clients = hubClients({
    homeRegion: config.homeRegion,
    hub: config.hub,
    sessionNamePrefix: config.memberRole.sessionNamePrefix,
    maxAttempts: config.aws.maxAttempts,
    retryMode: config.aws.retryMode,
    requestTimeoutMs: config.aws.requestTimeoutMs,
  });
  const setup = startCustomActionSetup({
    regions: async (signal) =>
      selectRegions(
        config.regions.mode === 'list'
          ? config.regions.list
          : await enabledRegions(clients.ec2(config.homeRegion), signal),
        config.regions,
      ),
    ensure: (region, signal) => ensureCustomAction(clients.securityHub(region), { signal }),
    logger,
  });
  return {
    status: () => setup.status(),
    stop: async () => {
      await setup.stop();
      clients.destroy();
    },
  };
}

/** Removes scan records past their retention now and daily. */
async function startPurging(
  store: ScanStore,
  retentionDays: number,
  logger: Logger,
): Promise<NodeJS.Timeout> {
  const purge = async () => {
    const removed = await store.purgeBefore(new Date(Date.now() - retentionDays * DAY_MS));
    if (removed > 0) logger.info({ scans: removed, retentionDays }, 'old scan records removed');
  };
  await purge();
  const timer = setInterval(
    () => void purge().catch((err: unknown) => logger.warn({ err }, 'purge failed')),
    DAY_MS,
  );
  timer.unref();
  return timer;
}

/**
 * A `serve` replica of the distributed mode: records in Redis, scans queued for the workers, schedules
 * as BullMQ job schedulers. It runs no scan itself, so shutting it down never interrupts one.
 */
async function startDistributedService(options: ServiceOptions): Promise<RunningService> {
  const { loaded, logger } = options;
  const { config } = loaded;
  const { prefix } = config.executor;
  const redis = connectRedis(config.executor.redisUrl!, 'keywarden-serve');
  const store = new RedisScanStore(redis, prefix);
  const purgeTimer = await startPurging(store, config.store.retentionDays, logger);
  const metrics = new ServiceMetrics();
  const scansQueue = new Queue<ScanJob>(QUEUES.scans, { connection: redis, prefix });
  const scheduleQueue = new Queue(QUEUES.schedule, { connection: redis, prefix });
  const service = new DistributedScanService(
    store,
    new Coordination(redis, prefix),
    scansQueue,
    scopeResolver(loaded),
    logger,
  );
  const scheduleConnection = connectRedis(config.executor.redisUrl!, 'keywarden-serve-schedule');
  const scheduler = new DistributedScheduler(
    config.schedule,
    scheduleQueue,
    scheduleConnection,
    prefix,
    service,
    logger,
  );
  await scheduler.start();
  // Change events: this replica consumes the queue, the workers evaluate each target as a job.
  const targets =
    config.events.queueUrl === undefined ? undefined : targetJobs(config.executor.redisUrl!, redis, prefix);
  const closeTargets = async () => targets?.close();
  let events: RunningEvents | undefined;
  if (targets !== undefined) {
    try {
      await targets.events.waitUntilReady();
      events = await startEvents(loaded, {
        logger,
        metrics,
        run: queuedTargetRun(targets.queue, targets.events),
      });
    } catch (error) {
      await closeTargets();
      await scheduler.stop();
      clearInterval(purgeTimer);
      await Promise.all([scansQueue.close(), scheduleQueue.close()]);
      await Promise.all([redis, scheduleConnection].map((c) => c.quit().catch(() => undefined)));
      throw error;
    }
  }
  let draining = false;
  const app = await serviceApp(loaded, {
    service,
    store,
    metrics,
    logger,
    scheduler,
    ready: () => !draining && redis.status === 'ready',
    ...(events ? { events: events.status } : {}),
  });
  return {
    app,
    service,
    store,
    scheduler,
    shutdown: async () => {
      draining = true;
      clearInterval(purgeTimer);
      // No new target job from here; the consumer waits for the jobs in flight, deletes what completed.
      const eventsStopped = events?.stop();
      await scheduler.stop();
      await app.close();
      await eventsStopped;
      await closeTargets();
      await Promise.all([scansQueue.close(), scheduleQueue.close()]);
      await Promise.all([redis, scheduleConnection].map((c) => c.quit().catch(() => undefined)));
    },
  };
}
