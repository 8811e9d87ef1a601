/**
 * Composition of `keywarden worker`: the queue worker bound to this configuration's scans and AWS clients,
 * and its small HTTP endpoint (/healthz, /readyz, /metrics) on the API port.
 */
import { buildWorkerHealth } from './api/worker-health.js';
import { awsContextFor, executeScan } from './compose.js';
import type { LoadedConfig } from './config/index.js';
import { startQueueWorker } from './distributed/worker.js';
import type { RateLimiter } from './aws/rate-limit.js';
import type { Logger } from './log/index.js';
import { targetRunner } from './scan/target-runner.js';
import type { TargetRunner } from './scan/target-runner.js';

export interface WorkerOptions {
  loaded: LoadedConfig;
  logger: Logger;
  /** Units this process runs at once (defaults to executor.workerConcurrency). */
  concurrency?: number;
  /** Port of /healthz, /readyz and /metrics (defaults to api.port; 0 picks a free one; null: none). */
  healthPort?: number | null;
  /** Evaluates change-event targets (default: the real targeted evaluation); used with events.queueUrl. */
  targetRunner?: TargetRunner;
}

export interface RunningWorker {
  /** Where /healthz, /readyz and /metrics answer (undefined when not listening). */
  healthUrl?: string;
  /** Stops taking jobs; units in flight get up to `graceMs` to finish, then are left to other workers. */
  close(graceMs: number): Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { loaded } = options;
  const worker = await startQueueWorker({
    loaded,
    logger: options.logger,
    scans: {
      execute: (request) => executeScan(loaded, request),
      awsContext: (scanId, counter) => awsContextFor(loaded, scanId, counter),
    },
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    // The serve replica consuming the event queue hands each change to a worker as a job.
    ...(loaded.config.events.queueUrl !== undefined
      ? {
          targets: (limiter: RateLimiter) => options.targetRunner ?? targetRunner(loaded, { limiter }),
        }
      : {}),
  });
  const health = await buildWorkerHealth({
    ready: worker.ready,
    metrics: worker.metrics,
    tokens: loaded.apiTokens,
  });
  const healthPort = options.healthPort === undefined ? loaded.config.api.port : options.healthPort;
  let healthUrl: string | undefined;
  if (healthPort !== null) {
    try {
      const address = await health.listen({ host: loaded.config.api.host, port: healthPort });
      healthUrl = address.replace('0.0.0.0', '127.0.0.1');
    } catch (error) {
      // A port already taken must not leave a worker taking jobs with no health check.
      await worker.close(0);
      throw error;
    }
  }
  const { executor } = loaded.config;
  options.logger.info(
    {
      concurrency: options.concurrency ?? executor.workerConcurrency,
      prefix: executor.prefix,
      health: healthUrl,
    },
    'keywarden worker is taking jobs',
  );
  return {
    ...(healthUrl ? { healthUrl } : {}),
    close: async (graceMs) => {
      await worker.close(graceMs);
      await health.close();
    },
  };
}
