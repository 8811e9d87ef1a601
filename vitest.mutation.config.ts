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
  'test/policy/glob.test.ts',
  'test/policy/keyspace.test.ts',
  'test/policy/parse.test.ts',
  'test/policy/analyze.test.ts',
  'test/policy/coverage-search.test.ts',
  'test/policy/star-span.test.ts',
  'test/policy/coverage-nfa.test.ts',
  'test/policy/malformed.test.ts',
  // Duplicate keys: the tokenizer and readings, then the verdict over the readings (direct examples).
  'test/policy/duplicate-readings.test.ts',
  'test/policy/readings.test.ts',
  'test/policy/fixtures.test.ts',
  // KMS.5: the direct cases (reason text, shapes that must be parse errors, CIDR edges), then the rules.
  'test/policy/key-policy-cases.test.ts',
  'test/policy/key-policy-rules.test.ts',
  'test/policy/key-policy-fixtures.test.ts',
  'test/collect/refusals.test.ts',
  // The policy engines' property tests (seeded; each property cut short in mutation runs, see
  // stryker/fast-check-seed.ts). Not duplicates.test.ts and adversarial.test.ts: they assert wall-clock
  // bounds, which instrumented code on a busy machine misses, and a missed bound would count as a kill.
  'test/policy/budget.test.ts',
  'test/policy/key-policy-properties.test.ts',
  'test/policy/properties.test.ts',
]);
