// Mutation testing of the importer (with the archive guard) and the scan unit, against their
// simulator-backed tests (vitest.mutation-io.config.ts). Part of `npm run test:mutation`; one module:
// `npx stryker run stryker.io.config.mjs --mutate 'src/importer/lifecycle.ts'`.
import { base, outputs } from './stryker/base.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  ...outputs('io'),
  vitest: { configFile: 'vitest.mutation-io.config.ts', related: false },
  mutate: ['src/importer/**/*.ts', 'src/scan/unit.ts'],
};
