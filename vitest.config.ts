import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // PGlite holds a WASM heap per instance: separate processes keep files independent.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
