import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The AWS SDK's notice that it will need Node 22 is noise in test output.
    setupFiles: ['src/cli/quiet-sdk-warning.ts'],
  },
});
