import { defineConfig } from 'vitest/config';
import type { TestSpecification } from 'vitest/node';
import { BaseSequencer } from 'vitest/node';

/**
 * The tests that mutation testing runs (stryker.config.mjs): fast tests that reach the mutated modules.
 * Process-spawning, Redis, property-based and multi-second integration tests stay out: each would run once
 * per mutant it covers. The route-level auth tests (auth.test.ts) start a service; token.test.ts covers
 * the same code directly.
 *
 * Listed fastest first, and run in this order: a mutant stops at its first failing test, so most mutants
 * are killed by a pure test before the files that start a simulator run.
 */
const ORDER = [
  'test/api/token.test.ts',
  'test/controls/**/*.test.ts',
  'test/policy/actions.test.ts',
  'test/policy/star-span.test.ts',
  'test/policy/malformed.test.ts',
  'test/policy/fixtures.test.ts',
  'test/policy/key-policy-rules.test.ts',
  'test/policy/key-policy-fixtures.test.ts',
  'test/collect/refusals.test.ts',
  'test/findings/map.test.ts',
  'test/findings/archive-guard.test.ts',
  'test/findings/import-limits.test.ts',
  'test/findings/importer.test.ts',
  'test/findings/carry-over.test.ts',
  'test/reliability/unit-outcomes.test.ts',
];

const rank = (spec: TestSpecification): number => {
  const index = ORDER.findIndex((pattern) =>
    pattern.includes('**')
      ? spec.moduleId.includes(`/${pattern.slice(0, pattern.indexOf('**'))}`)
      : spec.moduleId.endsWith(`/${pattern}`),
  );
  return index === -1 ? ORDER.length : index;
};

class InListedOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

export default defineConfig({
  test: {
    include: ORDER,
    environment: 'node',
    // Not isolated: the files of one run share a worker, so the initial (coverage) run loads the AWS SDK and
    // the simulator once instead of once per file. Vitest still ends the worker after each run, so every
    // mutant starts one afresh.
    isolate: false,
    sequence: { sequencer: InListedOrder },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    setupFiles: ['src/cli/quiet-sdk-warning.ts'],
  },
});
