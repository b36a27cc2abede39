import { defineConfig } from 'vitest/config';

// End-to-end tests start real JVMs: run test files one at a time so a 2-core machine
// is not asked to elect several leaders at once, and give them time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    globalSetup: ['test/helpers/global-setup.ts'],
    // The JSON report lets .ci/run print a plain "N passed, N failed" line at the end.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
