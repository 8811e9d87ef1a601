// The vitest configuration of a mutation-testing run: the given test files, run in the given order, in one
// worker that the warm pool keeps across mutants. Used by vitest.mutation.config.ts (pure modules) and
// vitest.mutation-io.config.ts (importer and scan unit).
import type { ViteUserConfig } from 'vitest/config';
import { defineConfig } from 'vitest/config';
import type { TestSpecification } from 'vitest/node';
import { BaseSequencer } from 'vitest/node';
import { closeWarmPool, WARM_POOL_NAME, warmThreadsPool } from './warm-pool.js';

/**
 * @param order test-file globs, fastest first: a mutant stops at its first failing test, so the files
 *   run in this order and the slow ones only meet the mutants that the fast ones let through.
 */
export function mutationVitestConfig(order: readonly string[]): ViteUserConfig {
  const rank = (spec: TestSpecification): number => {
    const index = order.findIndex((pattern) =>
      pattern.includes('**')
        ? spec.moduleId.includes(`/${pattern.slice(0, pattern.indexOf('**'))}`)
        : spec.moduleId.endsWith(`/${pattern}`),
    );
    return index === -1 ? order.length : index;
  };

  class InListedOrder extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
      return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
    }
  }

  return defineConfig({
    // `KEYWARDEN_WARM_POOL=off` runs every mutant in a new worker (vitest's own threads pool), to compare.
    plugins:
      process.env.KEYWARDEN_WARM_POOL === 'off'
        ? []
        : [
            {
              name: 'keywarden:warm-pool',
              // StrykerJS's runner sets `pool: 'threads'` over the config file's choice; each run reads its
              // pool from the resolved project config, so the warm pool goes in there.
              configureVitest({ project, vitest }) {
                project.config.pool = WARM_POOL_NAME;
                project.config.poolRunner = warmThreadsPool;
                vitest.onClose(closeWarmPool);
              },
            },
          ],
    test: {
      include: [...order],
      environment: 'node',
      // Not isolated: the files of one run share a worker, and the warm pool (stryker/warm-pool.ts) keeps
      // that worker across runs, so the AWS SDK and the other packages load once per test-runner process
      // instead of once per mutant. The project's own modules are evaluated afresh for every run.
      isolate: false,
      sequence: { sequencer: InListedOrder },
      testTimeout: 60_000,
      hookTimeout: 60_000,
      setupFiles: [
        'src/cli/quiet-sdk-warning.ts',
        'stryker/warm-pool-setup.ts',
        'stryker/fast-check-seed.ts',
      ],
    },
  });
}
