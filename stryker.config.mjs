// Mutation testing of the pure security-critical modules: `npm run test:mutation` runs this and
// stryker.io.config.mjs and merges the reports into reports/mutation/mutation.json (slow: not part of
// `npm test` or CI). One module while developing: `npx stryker run --mutate 'src/api/auth.ts'`.
// See docs/mutation-testing.md.
import { base, outputs } from './stryker/base.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  ...outputs('pure'),
  // Only direct tests (vitest.mutation.config.ts): per-test coverage runs the ones that reach each mutant.
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
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
    'src/api/auth.ts',
  ],
};
