import { defineConfig } from 'vitest/config';

/**
 * The tests that mutation testing runs (stryker.config.mjs): fast tests that reach the mutated modules.
 * Process-spawning, Redis, property-based and multi-second integration tests stay out: each would run once
 * per mutant it covers. The route-level auth tests (auth.test.ts) start a service; token.test.ts covers
 * the same code directly.
 */
export default defineConfig({
  test: {
    include: [
      'test/api/token.test.ts',
      'test/policy/fixtures.test.ts',
      'test/policy/malformed.test.ts',
      'test/policy/star-span.test.ts',
      'test/controls/**/*.test.ts',
      'test/findings/**/*.test.ts',
      'test/reliability/unit-outcomes.test.ts',
    ],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    setupFiles: ['src/cli/quiet-sdk-warning.ts'],
  },
});
