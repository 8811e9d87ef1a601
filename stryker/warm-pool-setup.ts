// Setup file of the warm pool (stryker/warm-pool.ts), run before each test file: at the first file of a run,
// it clears the mutant that StrykerJS activated in the previous run. StrykerJS activates a mutant at run time
// in a `beforeAll`, so the test files of a run are loaded with no mutant active; a new worker starts that way,
// and a kept worker still holds the last run's mutant on `globalThis` until this clears it. Static activation
// (set by StrykerJS's own setup file, which runs before this one) is left alone.
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Numbers the runs of the warm pool, so that the first test file of each run can be told. */
    warmPoolRun: number;
    // Provided by StrykerJS's vitest runner.
    globalNamespace: string;
    mode: 'dry-run' | 'mutant';
    mutantActivation: 'static' | 'runtime';
  }
}

const state = globalThis as { __warmPoolRun?: number } & Record<
  string,
  { activeMutant?: string } | undefined
>;
const run = inject('warmPoolRun');
if (run !== undefined && state.__warmPoolRun !== run) {
  state.__warmPoolRun = run;
  const stryker = state[inject('globalNamespace')];
  if (stryker && !(inject('mode') === 'mutant' && inject('mutantActivation') === 'static'))
    stryker.activeMutant = undefined;
}
