// `npm run test:mutation`: runs the two mutation runs one after the other (each uses both cores), merges
// their JSON reports into reports/mutation/mutation.json and prints the score of each security module.
// Arguments are passed to both runs (`npm run test:mutation -- --checkers typescript`). Exits non-zero
// when a run fails or a module misses the target. See docs/mutation-testing.md.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { MutationReport } from './report.js';
import { mergeReports, scoreByModule, shortfalls } from './report.js';

const RUNS = [
  { name: 'pure', config: 'stryker.config.mjs' },
  { name: 'io', config: 'stryker.io.config.mjs' },
];
const TARGET_PERCENT = 85;
const OUTPUT = 'reports/mutation/mutation.json';

const extraArgs = process.argv.slice(2);
const reports: Array<{ name: string; report: MutationReport }> = [];
for (const run of RUNS) {
  const started = Date.now();
  const result = spawnSync('npx', ['stryker', 'run', run.config, ...extraArgs], { stdio: 'inherit' });
  const seconds = Math.round((Date.now() - started) / 1000);
  if (result.status !== 0) {
    console.error(
      `mutation run "${run.name}" failed (exit ${result.status ?? result.signal}) after ${seconds} s`,
    );
    process.exit(1);
  }
  console.log(`mutation run "${run.name}" finished in ${seconds} s`);
  const file = `reports/mutation/${run.name}.json`;
  reports.push({ name: run.name, report: JSON.parse(readFileSync(file, 'utf8')) as MutationReport });
}

const merged = mergeReports(reports);
writeFileSync(OUTPUT, JSON.stringify(merged));
const scores = scoreByModule(merged);
console.table(
  scores.map((s) => ({
    module: s.module,
    killed: s.killed,
    timeout: s.timeout,
    survived: s.survived,
    'no coverage': s.noCoverage,
    'score %': s.score === undefined ? '-' : s.score.toFixed(1),
  })),
);
console.log(`report: ${OUTPUT}`);
const misses = shortfalls(scores, TARGET_PERCENT);
if (misses.length > 0) {
  console.error(
    `Below the target (equivalent mutants, reports/mutation/EQUIVALENTS.md, count as undetected here):`,
  );
  for (const miss of misses) console.error(`  ${miss}`);
  process.exit(1);
}
