// Options shared by the two mutation runs (stryker.config.mjs: pure modules; stryker.io.config.mjs: importer
// and scan unit). `npm run test:mutation` runs both and merges their reports (scripts/mutation/run.ts).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export const base = {
  testRunner: 'vitest',
  // The TypeScript checker type-checks one mutant at a time in a single process (it cannot batch mutants
  // of files that share an importer, and scan/unit.ts imports them all): about a second of CPU per mutant,
  // which alone exceeds the 15-minute budget. It is opt-in: `npm run test:mutation:typed`. Without it, a
  // mutant that would not compile runs as plain JavaScript and is killed or listed like any other.
  checkers: [],
  tsconfigFile: 'tsconfig.mutation.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  // Message text (errors, reasons, explanations) is not mutated; strings that are semantics are.
  plugins: ['@stryker-mutator/*', './stryker/message-text-ignorer.mjs'],
  ignorers: ['message-text'],
  // Module-level constants run with every test: each such mutant would need the whole selection. They are
  // listed as ignored in the report; the constants that matter (quotas, limits) have direct tests.
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 10_000,
  reporters: ['json', 'html', 'clear-text', 'progress'],
  // Build outputs are not copied into the sandbox (the bench's config link is a directory link).
  ignorePatterns: ['dist', '.bench-dist', 'reports', '.stryker-tmp*'],
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 85, break: null },
};

/** The report and sandbox locations of a run named `name`. */
export function outputs(name) {
  return {
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    htmlReporter: { fileName: `reports/mutation/${name}.html` },
    tempDirName: `.stryker-tmp-${name}`,
  };
}
