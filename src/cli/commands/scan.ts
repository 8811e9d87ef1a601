/**
 * `keywarden scan`: one scan from the command line. Progress on a terminal, the summary at the end.
 * Exit code: 0 the scan completed (whatever the findings), 1 some units failed, 2 bad usage or config.
 */
import { setMaxListeners } from 'node:events';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../../config/index.js';
import { executeScan, scopeResolver } from '../../compose.js';
import type { AsffFinding } from '../../findings/index.js';
import { parseScanScope, type ScanScope, ScopeInputError } from '../../model/scope.js';
import { ScopeError } from '../../scan/scope.js';
import type { ScanSummary } from '../../scan/types.js';
import { formatSummary } from '../report.js';

interface ScanOptions {
  config?: string;
  accounts?: string;
  regions?: string;
  controls?: string;
  dryRun?: boolean;
  output?: string;
  json?: boolean;
}

const csv = (value: string | undefined): string[] | undefined =>
  value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');

/**
 * The flags as a requested scope, checked by the scope contract (as the API's body and a queued scan job
 * are): throws a ScopeInputError naming each bad value.
 */
export function parseScope(options: ScanOptions): ScanScope {
  const accounts = csv(options.accounts);
  const regions = csv(options.regions);
  const controls = csv(options.controls);
  return parseScanScope({
    ...(accounts ? { accounts } : {}),
    ...(regions ? { regions } : {}),
    ...(controls ? { controls } : {}),
    ...(options.dryRun ? { dryRun: true } : {}),
  });
}

export function exitCodeOf(summary: ScanSummary): number {
  return summary.state === 'completed' ? 0 : 1;
}

export function registerScanCommand(program: Command): void {
  program
    .command('scan')
    .description(
      'run one scan of the organization and print its summary (exit 0 completed, 1 units failed, 2 usage)',
    )
    .option('--config <file>', 'configuration file (YAML or JSON); also KEYWARDEN_CONFIG')
    .option('--accounts <ids>', 'only these accounts (comma-separated)')
    .option('--regions <regions>', 'only these regions (comma-separated)')
    .option('--controls <ids>', 'only these controls, e.g. KMS.3,KMS.4')
    .option('--dry-run', 'import nothing; write the findings (ASFF JSON) to --output or standard output')
    .option('--output <file>', 'where --dry-run writes the findings')
    .option('--json', 'print the summary as JSON')
    .action(async (options: ScanOptions) => {
      let scope;
      let loaded;
      let dryRun;
      try {
        scope = parseScope(options);
        loaded = loadConfig({ ...(options.config ? { file: options.config } : {}) });
        // --accounts/--regions/--controls may only narrow what the configuration allows.
        ({ dryRun } = scopeResolver(loaded)(scope));
      } catch (error) {
        if (error instanceof ScopeInputError || error instanceof ScopeError || error instanceof ConfigError) {
          process.stderr.write(`keywarden scan: ${error.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw error;
      }
      const out = dryRun ? (options.output ? createWriteStream(options.output) : process.stdout) : undefined;
      let first = true;
      out?.write('[\n');
      const findingSink = out
        ? (findings: AsffFinding[]) => {
            for (const finding of findings) {
              out.write(`${first ? '' : ',\n'}${JSON.stringify(finding)}`);
              first = false;
            }
          }
        : undefined;
      const controller = new AbortController();
      // Every call in flight listens to the scan's signal: more than Node's default of 10.
      setMaxListeners(0, controller.signal);
      const stop = () => controller.abort(new Error('interrupted'));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const tty = process.stderr.isTTY;
      const result = await executeScan(loaded, {
        scanId: randomUUID(),
        scope,
        signal: controller.signal,
        ...(findingSink ? { findingSink } : {}),
        onProgress: (event) => {
          if (event.type === 'planned') process.stderr.write(`planned ${event.units} units\n`);
          if (event.type === 'unit-finished') {
            const line = `[${event.done}/${event.total}] ${event.outcome.unitId} ${event.outcome.state}`;
            if (tty) process.stderr.write(`\r\x1b[K${line}`);
            else if (event.outcome.state !== 'done') process.stderr.write(`${line}\n`);
          }
        },
      });
      if (tty) process.stderr.write('\n');
      if (out) {
        out.write('\n]\n');
        if (out !== process.stdout)
          await new Promise((resolve) => (out as ReturnType<typeof createWriteStream>).end(resolve));
      }
      const report = options.json
        ? `${JSON.stringify({ summary: result.summary, units: result.units.filter((u) => u.state !== 'done') }, null, 2)}\n`
        : formatSummary(result.summary, result.units);
      (dryRun && !options.output ? process.stderr : process.stdout).write(report);
      process.exitCode = exitCodeOf(result.summary);
    });
}
