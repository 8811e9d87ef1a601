/** `keywarden serve`: the API, the scheduler and in-process scans, until SIGTERM or SIGINT. */
import type { Command } from 'commander';
import { ConfigError } from '../../config/index.js';
import { createLogger } from '../../log/index.js';
import { startService } from '../../serve.js';
import { loadCommandConfig, untilStopSignal } from './long-running.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the API and the scheduler (authenticated with the configured bearer tokens)')
    .option('--config <file>', 'configuration file (YAML or JSON); also KEYWARDEN_CONFIG')
    .action(async (options: { config?: string }) => {
      const loaded = loadCommandConfig('serve', options.config, (config) => {
        if (config.apiTokens.length === 0) {
          throw new ConfigError(
            'config: api.tokens: at least one API token is required (api.tokens, KEYWARDEN_API_TOKENS or api.tokensFile)',
          );
        }
      });
      if (loaded === undefined) return;
      const logger = createLogger({ level: loaded.config.logLevel });
      let running;
      try {
        running = await startService({ loaded, logger });
      } catch (error) {
        // An invalid cron expression is a configuration error like any other.
        if (!(error instanceof Error) || !error.message.startsWith('schedule.crons')) throw error;
        process.stderr.write(`keywarden serve: config: ${error.message}\n`);
        process.exitCode = 2;
        return;
      }
      await running.app.listen({ host: loaded.config.api.host, port: loaded.config.api.port });
      logger.info(
        { port: loaded.config.api.port, schedule: running.scheduler.describe() },
        'keywarden is serving',
      );
      await untilStopSignal(logger, loaded.config.shutdownGraceSeconds);
      await running.shutdown();
      logger.info('stopped');
    });
}
