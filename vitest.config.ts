import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Says once, for the whole run, when the tests that need Redis are skipped (and how to enable them).
    // On a Node.js older than 22 the AWS SDK's version notice is noise in test output.
    setupFiles: ['src/cli/quiet-sdk-warning.ts'],
    globalSetup: ['test/helpers/redis-global-setup.ts'],
  },
});
