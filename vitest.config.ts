import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  // One graphql: without this, src/ and tests get graphql's ESM build while Apollo and
  // graphql-tools (loaded by Node) get the CommonJS one, and graphql rejects objects across copies.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // PGlite holds a WASM heap per instance: separate processes keep files independent.
    pool: 'forks',
    // Generous: CI machines are small and busy; tests assert behaviour, not speed.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
