/**
 * `keywarden check-policy [--json] [--actions a,b] [--partition p] FILE|-`: evaluates one IAM policy
 * document offline, as KMS.1/KMS.2 would, so a CI pipeline can check policies before deploying them.
 * Exit code: 0 PASSED, 1 FAILED, 2 invalid input or usage (NOT_AVAILABLE included: it is not a pass).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadCatalog, loadKmsActions } from '../../catalog/index.js';
import {
  analyzePolicy,
  expandActionPatterns,
  explainAnalysis,
  splitActionPatterns,
} from '../../policy/index.js';

const EXIT = { PASSED: 0, FAILED: 1, NOT_AVAILABLE: 2 } as const;

async function readInput(file: string): Promise<string> {
  if (file !== '-') return readFile(file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function defaultPatterns(): string[] {
  const parameter = loadCatalog()
    .get('KMS.1')
    .parameters.find((p) => p.name === 'blockedActionsPatterns');
  return splitActionPatterns((parameter?.default as string[] | string | undefined) ?? []);
}

interface CheckPolicyOptions {
  json?: boolean;
  actions?: string;
  partition: string;
}

export function registerCheckPolicyCommand(program: Command): void {
  program
    .command('check-policy')
    .description(
      'evaluate one IAM policy document offline against KMS.1/KMS.2 (exit 0 PASSED, 1 FAILED, 2 invalid)',
    )
    .argument('<file>', 'policy document (JSON or URL-encoded JSON), or - for standard input')
    .option('--json', 'print one JSON object instead of the explanation')
    .option(
      '--actions <patterns>',
      'blocked action patterns, comma-separated (default: the catalog’s KMS.1 default)',
    )
    .option('--partition <partition>', 'partition whose key space is checked', 'aws')
    .action(async (file: string, options: CheckPolicyOptions) => {
      const patterns =
        options.actions !== undefined ? splitActionPatterns(options.actions) : defaultPatterns();
      const expanded = expandActionPatterns(patterns, loadKmsActions());
      if (expanded.unmatched.length > 0 || expanded.actions.length === 0) {
        process.stderr.write(
          `keywarden check-policy: no known KMS action matches ${expanded.unmatched.join(', ') || 'the given patterns'}\n`,
        );
        process.exitCode = 2;
        return;
      }
      let text: string;
      try {
        text = await readInput(file);
      } catch (error) {
        process.stderr.write(`keywarden check-policy: cannot read ${file}: ${(error as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      const analysis = analyzePolicy(text, expanded.actions, { partition: options.partition });
      if (options.json) {
        const coverage = analysis.ok
          ? Object.fromEntries(analysis.actions.map((a) => [a.action, a.coverage]))
          : {};
        const body = analysis.ok
          ? {
              verdict: analysis.verdict,
              coverage,
              actions: analysis.actions,
              statementCount: analysis.statementCount,
            }
          : { verdict: analysis.verdict, coverage, error: analysis.error };
        process.stdout.write(
          `${JSON.stringify({ file, blockedActions: expanded.actions, ...body }, null, 2)}\n`,
        );
      } else {
        process.stdout.write(`${file}: ${explainAnalysis(analysis)}\n`);
      }
      process.exitCode = EXIT[analysis.verdict];
    });
}
