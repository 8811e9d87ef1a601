/**
 * `keywarden scan`: one scan from the command line. Progress on a terminal, the summary at the end.
 * Exit code: 0 the scan completed (whatever the findings), 1 some units failed, 2 bad usage or config.
 */
import { setMaxListeners } from 'node:events';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { isKnownRegion } from '../../catalog/index.js';
import { ConfigError, loadConfig } from '../../config/index.js';
import { checkScope, executeScan } from '../../compose.js';
import type { AsffFinding } from '../../findings/index.js';
import { CONTROL_IDS, type ControlId } from '../../model/result.js';
import type { ScanSummary } from '../../model/scan.js';
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

export class UsageError extends Error {}

/** Validates the command-line scope: account ids, known regions, known controls. */
export function parseScope(options: ScanOptions): {
  accounts?: string[];
  regions?: string[];
  controls?: ControlId[];
  dryRun?: boolean;
} {
  const accounts = csv(options.accounts);
  const bad = accounts?.filter((a) => !/^\d{12}$/.test(a));
  if (bad?.length) throw new UsageError(`--accounts: not a 12-digit account id: ${bad.join(', ')}`);
  const regions = csv(options.regions);
  const unknownRegions = regions?.filter((r) => !isKnownRegion(r));
  if (unknownRegions?.length) throw new UsageError(`--regions: unknown region ${unknownRegions.join(', ')}`);
  const controls = csv(options.controls);
  const unknownControls = controls?.filter((c) => !(CONTROL_IDS as readonly string[]).includes(c));
  if (unknownControls?.length)
    throw new UsageError(
      `--controls: unknown control ${unknownControls.join(', ')} (known: ${CONTROL_IDS.join(', ')})`,
    );
  return {
    ...(accounts ? { accounts } : {}),
    ...(regions ? { regions } : {}),
    ...(controls ? { controls: controls as ControlId[] } : {}),
    ...(options.dryRun ? { dryRun: true } : {}),
  };
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
      try {
        scope = parseScope(options);
        loaded = loadConfig({ ...(options.config ? { file: options.config } : {}) });
        // --accounts/--regions/--controls may only narrow what the configuration allows.
        const refused = checkScope(loaded, scope);
        if (refused !== undefined) throw new UsageError(refused.message);
      } catch (error) {
        if (error instanceof UsageError || error instanceof ConfigError) {
          process.stderr.write(`keywarden scan: ${error.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw error;
      }
      const dryRun = scope.dryRun ?? loaded.config.import.dryRun;
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
