export default {
  globalSetup: './global-setup.mjs',
  globalTeardown: './global-teardown.mjs',
  testMatch: ['**/*.test.cjs'],
  testTimeout: 30_000,
};
