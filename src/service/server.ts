/**
 * The long-running service: the API, the scheduler and in-process scans over one store, with a graceful
 * shutdown (stop accepting, let scans finish within the grace period, cancel the rest, close the store).
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app.js';
import { isKnownRegion, loadCatalog } from '../catalog/index.js';
import type { LoadedConfig } from '../config/index.js';
import { executeScan } from '../compose.js';
import { RateLimiter } from '../importer/rate-limit.js';
import type { Logger } from '../log/index.js';
import { SqliteScanStore } from '../store/sqlite.js';
import type { ScanStore } from '../store/types.js';
import { ServiceMetrics } from './metrics.js';
import type { ExecuteScan } from './scan-service.js';
import { ScanService } from './scan-service.js';
import { Scheduler } from './scheduler.js';

export interface RunningService {
  app: FastifyInstance;
  service: ScanService;
  store: ScanStore;
  scheduler: Scheduler;
  /** Stops accepting requests, drains scans within the grace period, closes the store. */
  shutdown(): Promise<void>;
}

export interface ServiceOptions {
  loaded: LoadedConfig;
  logger: Logger;
  /** Replaces the real scan (tests of the API's own behaviour). */
  execute?: ExecuteScan;
  store?: ScanStore;
}

const DAY_MS = 86_400_000;

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { loaded, logger } = options;
  const { config } = loaded;
  const store = options.store ?? new SqliteScanStore(join(config.store.dataDir, 'keywarden.db'));
  const interrupted = await store.markInterrupted();
  if (interrupted > 0)
    logger.warn({ scans: interrupted }, 'scans left running by a previous process are marked interrupted');
  const purge = async () => {
    const removed = await store.purgeBefore(new Date(Date.now() - config.store.retentionDays * DAY_MS));
    if (removed > 0)
      logger.info({ scans: removed, retentionDays: config.store.retentionDays }, 'old scan records removed');
  };
  await purge();
  const purgeTimer = setInterval(() => void purge(), DAY_MS);
  purgeTimer.unref();

  const metrics = new ServiceMetrics();
  // One limiter for the process, so overlapping scans share Security Hub's quotas.
  const limiter = new RateLimiter();
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
  const service = new ScanService(store, execute, logger, metrics);
  const scheduler = new Scheduler(config.schedule, service, logger);
  scheduler.start();
  let draining = false;
  const app = await buildApp({
    service,
    store,
    catalog: loadCatalog(),
    metrics,
    tokens: loaded.apiTokens,
    rateLimitPerMinute: config.api.rateLimitPerMinute,
    bodyLimitBytes: config.api.bodyLimitBytes,
    isKnownRegion,
    schedule: () => scheduler.describe(),
    ready: () => !draining,
    logger,
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
      await app.close();
      await service.drain(config.shutdownGraceSeconds * 1000);
      await store.close();
    },
  };
}
