import { defineConfig } from 'vitest/config';
import type { TestSpecification } from 'vitest/node';
import { BaseSequencer } from 'vitest/node';
import { closeWarmPool, WARM_POOL_NAME, warmThreadsPool } from './stryker/warm-pool.js';

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
  // `KEYWARDEN_WARM_POOL=off` runs every mutant in a new worker (vitest's own threads pool), to compare.
  plugins:
    process.env.KEYWARDEN_WARM_POOL === 'off'
      ? []
      : [
          {
            name: 'keywarden:warm-pool',
            // StrykerJS's runner sets `pool: 'threads'` over the config file's choice; each run reads its pool
            // from the resolved project config, so the warm pool goes in there.
            configureVitest({ project, vitest }) {
              project.config.pool = WARM_POOL_NAME;
              project.config.poolRunner = warmThreadsPool;
              vitest.onClose(closeWarmPool);
            },
          },
        ],
  test: {
    include: ORDER,
    environment: 'node',
    // Not isolated: the files of one run share a worker, and the warm pool (stryker/warm-pool.ts) keeps that
    // worker across runs, so the AWS SDK and the other packages load once per test-runner process instead of
    // once per mutant. The project's own modules are evaluated afresh for every run.
    isolate: false,
    sequence: { sequencer: InListedOrder },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    setupFiles: ['src/cli/quiet-sdk-warning.ts', 'stryker/warm-pool-setup.ts'],
  },
});
