// Mutation testing of the security-critical modules: `npm run test:mutation` (slow, not part of `npm test`
// or CI). Only the fast tests relevant to these modules run (vitest.mutation.config.ts), and per-test
// coverage means each mutant runs just the tests that reach it. One module at a time while developing:
// `npx stryker run --mutate 'src/api/auth.ts' --concurrency 1`. See docs/mutation-testing.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  // The TypeScript checker type-checks one mutant at a time in a single process (it cannot batch mutants
  // of files that share an importer, and scan/unit.ts imports them all): about a second of CPU per mutant,
  // which alone exceeds the 15-minute budget. It is opt-in: `npm run test:mutation:typed`. Without it, a
  // mutant that would not compile runs as plain JavaScript and is killed or listed like any other.
  checkers: [],
  tsconfigFile: 'tsconfig.mutation.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  // Folder globs, so that modules moved or split within these folders stay covered.
  mutate: [
    'src/policy/*.ts',
    '!src/policy/types.ts',
    '!src/policy/index.ts',
    // Explanations for people (sentences built from an analysis): no verdict depends on them.
    '!src/policy/explain.ts',
    // KMS.5's public-access engine, and the rule that tells a locked key from a role without permission.
    'src/policy/key-policy/*.ts',
    '!src/policy/key-policy/index.ts',
    '!src/policy/key-policy/types.ts',
    'src/collect/refusals.ts',
    'src/controls/**/*.ts',
    '!src/controls/**/index.ts',
    'src/importer/**/*.ts',
    'src/scan/unit.ts',
    'src/api/auth.ts',
  ],
  // Message text (errors, reasons, explanations) is not mutated; strings that are semantics are.
  plugins: ['@stryker-mutator/*', './stryker/message-text-ignorer.mjs'],
  ignorers: ['message-text'],
  // Module-level constants run with every test: each such mutant would need the whole selection. They are
  // listed as ignored in the report; the constants that matter (quotas, limits) have direct tests.
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 10_000,
  reporters: ['json', 'html', 'clear-text', 'progress'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  // Build outputs are not copied into the sandbox (the bench's config link is a directory link).
  ignorePatterns: ['dist', '.bench-dist', 'reports', '.stryker-tmp*'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 85, break: null },
};
