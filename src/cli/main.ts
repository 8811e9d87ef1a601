#!/usr/bin/env node
import module from 'node:module';
import './quiet-sdk-warning.js';
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.js';
import { VERSION } from './version.js';

/** Exit codes shared by every command: 0 success, 1 findings/units failed, 2 bad usage or input. */
export const EXIT_USAGE = 2;

// Node >= 22.1 keeps the compiled code of the modules a command loads on disk (in the OS's temporary
// directory; nothing happens where it is not writable), so the next start of the command skips compiling
// them. Set NODE_DISABLE_COMPILE_CACHE=1 to turn it off.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

async function main(argv: string[]): Promise<void> {
  const program = new Command('keywarden')
    .description('Checks an AWS Organization against the AWS Security Hub KMS controls (KMS.1-KMS.5)')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  await registerCommands(program, argv.slice(2));
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with code 0; everything else commander rejects is bad usage.
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    throw error;
  }
}

main(process.argv).catch((error: unknown) => {
  process.stderr.write(`keywarden: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
