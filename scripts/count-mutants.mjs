// Counts the mutants a StrykerJS run would plan, per file and per mutator, without running a test:
// `node scripts/count-mutants.mjs src/policy/*.ts src/controls/*.ts`. Uses the project's ignorer
// (stryker/message-text-ignorer.mjs), so the counts match the configured run except for module-level
// constants (ignoreStatic), which only a run with coverage can tell apart.
import { readFileSync } from 'node:fs';
import { Instrumenter } from '@stryker-mutator/instrumenter';
import { strykerPlugins } from '../stryker/message-text-ignorer.mjs';

const quiet = () => false;
const logger = {
  isTraceEnabled: quiet,
  isDebugEnabled: quiet,
  isInfoEnabled: quiet,
  isWarnEnabled: () => true,
  isErrorEnabled: () => true,
  isFatalEnabled: () => true,
  trace() {},
  debug() {},
  info() {},
  warn: console.warn,
  error: console.error,
  fatal: console.error,
};

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node scripts/count-mutants.mjs <source files...>');
  process.exit(2);
}
const result = await new Instrumenter(logger).instrument(
  files.map((name) => ({ name, content: readFileSync(name, 'utf8'), mutate: true })),
  { plugins: null, excludedMutations: [], ignorers: strykerPlugins.map((p) => p.value), noHeader: true },
);
const planned = result.mutants.filter((m) => m.status === undefined);
const tally = (key) => {
  const counts = new Map();
  for (const m of planned) counts.set(key(m), (counts.get(key(m)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
};
console.log(
  `${planned.length} mutants planned (${result.mutants.length - planned.length} ignored as message text)`,
);
for (const [file, n] of tally((m) => m.fileName)) console.log(`${String(n).padStart(6)}  ${file}`);
for (const [mutator, n] of tally((m) => m.mutatorName)) console.log(`${String(n).padStart(6)}  ${mutator}`);
