/**
 * `npm run bench -- policy`: policy engine throughput and worst case on a generated corpus.
 * Targets: >= 20,000 evaluations/s for policies of up to 10 statements; no policy over 50 ms in 10,000.
 */
import { performance } from 'node:perf_hooks';
import { analyzePolicy } from '../src/policy/index.js';
import { generateCorpus } from './corpus.js';

const ACTIONS = ['kms:Decrypt', 'kms:ReEncryptFrom'];

interface Measure {
  label: string;
  count: number;
  seconds: number;
  slowestMs: number;
  slowestStatements: number;
  verdicts: Record<string, number>;
}

function measure(label: string, corpus: Iterable<Record<string, unknown>>): Measure {
  const verdicts: Record<string, number> = {};
  let slowestMs = 0;
  let slowestStatements = 0;
  let count = 0;
  let engineMs = 0;
  for (const document of corpus) {
    const t0 = performance.now();
    const analysis = analyzePolicy(document, ACTIONS);
    const ms = performance.now() - t0;
    engineMs += ms;
    count++;
    verdicts[analysis.verdict] = (verdicts[analysis.verdict] ?? 0) + 1;
    if (ms > slowestMs) {
      slowestMs = ms;
      slowestStatements = (document['Statement'] as unknown[]).length;
    }
  }
  return { label, count, seconds: engineMs / 1000, slowestMs, slowestStatements, verdicts };
}

function report(m: Measure): void {
  const rate = Math.round(m.count / m.seconds);
  console.log(
    `${m.label.padEnd(48)} ${String(m.count).padStart(6)} policies  ${String(rate).padStart(7)} eval/s  ` +
      `slowest ${m.slowestMs.toFixed(2)} ms (${m.slowestStatements} statements)  ${JSON.stringify(m.verdicts)}`,
  );
}

export function runPolicyBench(): void {
  console.log(`policy engine benchmark (node ${process.version}, blocked actions ${ACTIONS.join(', ')})`);
  // Warm-up (not measured): let the JIT compile the engine before timing it.
  measure('warm-up', generateCorpus(99, 3_000, 50, 'unique')); // unique ids: warms the JIT, not the memo tables
  // Realistic: ids drawn from one organization's accounts and keys (policies repeat them).
  const small = measure('1-10 statements, org id pools', generateCorpus(1, 10_000, 10));
  report(small);
  const large = measure('1-50 statements, org id pools (10,000 policies)', generateCorpus(2, 10_000, 50));
  report(large);
  // Worst case for the memo tables: every account and key id is new.
  report(measure('1-10 statements, every id unique', generateCorpus(3, 10_000, 10, 'unique')));
  report(measure('1-50 statements, every id unique', generateCorpus(4, 10_000, 50, 'unique')));
  const target = small.count / small.seconds >= 20_000 && large.slowestMs <= 50;
  console.log(
    `targets (>= 20,000 eval/s up to 10 statements; slowest <= 50 ms): ${target ? 'met' : 'NOT met'}`,
  );
}
