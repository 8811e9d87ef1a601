/** What `serve` and `worker` share: loading the configuration as a command, and waiting to be stopped. */
import type { LoadedConfig } from '../../config/index.js';
import { ConfigError, loadConfig } from '../../config/index.js';
import type { Logger } from '../../log/index.js';

/**
 * The configuration, checked further by `check` (which throws ConfigError); on a configuration error the
 * message goes to stderr with the command's name, the exit code is 2 and the result undefined.
 */
export function loadCommandConfig(
  command: string,
  file: string | undefined,
  check: (loaded: LoadedConfig) => void,
): LoadedConfig | undefined {
  try {
    const loaded = loadConfig({ ...(file ? { file } : {}) });
    check(loaded);
    return loaded;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`keywarden ${command}: ${error.message}\n`);
    process.exitCode = 2;
    return undefined;
  }
}

/** Resolves on the first SIGTERM or SIGINT, after logging it. */
export function untilStopSignal(logger: Logger, graceSeconds: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal, graceSeconds }, 'shutting down');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
