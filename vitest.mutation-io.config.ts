import { mutationVitestConfig } from './stryker/vitest-config.js';

/**
 * The tests of the I/O modules' mutation run (stryker.io.config.mjs): the importer with its archive guard,
 * and the scan unit. The direct tests come first (the importer's and one unit's odd paths, about 0.1 s per
 * test); the whole-scan ones (a few seconds each) only see the mutants those let through.
 */
export default mutationVitestConfig([
  'test/findings/archive-guard.test.ts',
  'test/findings/map.test.ts',
  'test/findings/import-failures.test.ts',
  'test/findings/import-limits.test.ts',
  'test/scan/unit-paths.test.ts',
  'test/findings/importer.test.ts',
  'test/findings/carry-over.test.ts',
  'test/reliability/unit-outcomes.test.ts',
]);
