/** `keywarden worker`: runs scans' units from Redis (executor.mode bullmq) until SIGTERM or SIGINT. */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { ConfigError } from '../../config/index.js';
import { redactRedisUrl } from '../../distributed/redis.js';
import { startWorker } from '../../worker.js';
import { createLogger } from '../../log/index.js';
import { loadCommandConfig, untilStopSignal } from './long-running.js';

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError('an integer from 1 to 256');
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port from 0 to 65535');
  return n;
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(
      'take scans and units from the Redis queues (needs executor.mode bullmq and executor.redisUrl)',
    )
    .option('--config <file>', 'configuration file (YAML or JSON); also KEYWARDEN_CONFIG')
    .option(
      '--concurrency <n>',
      'units run at once by this process (default: executor.workerConcurrency)',
      positiveInteger,
    )
    .option(
      '--port <port>',
      'port of /healthz, /readyz and /metrics (default: api.port; 0 = any free port)',
      port,
    )
    .action(async (options: { config?: string; concurrency?: number; port?: number }) => {
      const loaded = loadCommandConfig('worker', options.config, (candidate) => {
        if (candidate.config.executor.mode !== 'bullmq') {
          throw new ConfigError(
            'config: executor.mode: must be bullmq for a worker (KEYWARDEN_EXECUTOR=bullmq, with KEYWARDEN_REDIS_URL)',
          );
        }
      });
      if (loaded === undefined) return;
      const logger = createLogger({ level: loaded.config.logLevel });
      logger.info({ redis: redactRedisUrl(loaded.config.executor.redisUrl!) }, 'connecting to Redis');
      const worker = await startWorker({
        loaded,
        logger,
        ...(options.concurrency ? { concurrency: options.concurrency } : {}),
        ...(options.port !== undefined ? { healthPort: options.port } : {}),
      });
      await untilStopSignal(logger, loaded.config.shutdownGraceSeconds);
      await worker.close(loaded.config.shutdownGraceSeconds * 1000);
      logger.info('stopped');
    });
}
