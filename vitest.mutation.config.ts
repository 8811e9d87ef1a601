import { mutationVitestConfig } from './stryker/vitest-config.js';

/**
 * The tests of the pure modules' mutation run (stryker.config.mjs): the policy engines, the controls, the
 * refusal rule and API auth. These tests call the code directly and import no AWS SDK and no simulator, so
 * a mutant that survives them costs seconds, not the whole integration suite. The I/O modules have their
 * own run (vitest.mutation-io.config.ts). The route-level auth tests (auth.test.ts) start a service;
 * token.test.ts covers the same code directly.
 */
export default mutationVitestConfig([
  'test/api/token.test.ts',
  'test/controls/**/*.test.ts',
  'test/policy/actions.test.ts',
  'test/policy/star-span.test.ts',
  'test/policy/malformed.test.ts',
  'test/policy/fixtures.test.ts',
  'test/policy/key-policy-rules.test.ts',
  'test/policy/key-policy-fixtures.test.ts',
  'test/collect/refusals.test.ts',
  // Slower tests of the policy engines (a second or more each; seeded property tests included): most
  // mutants are killed before they run.
  'test/policy/budget.test.ts',
  'test/policy/key-policy-properties.test.ts',
  'test/policy/duplicates.test.ts',
  'test/policy/adversarial.test.ts',
  'test/policy/properties.test.ts',
]);
