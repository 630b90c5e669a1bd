import { defineConfig } from 'vitest/config';

// Unit tests sit next to the code (foo.test.ts); integration tests that need the real
// server, database or broker are named foo.int.test.ts. Playwright e2e lives in tests/e2e.
export default defineConfig({
  test: {
    include: ['{sim,workers,models,server,bridge,cli,app,scenarios,bench}/**/*.test.ts'],
    exclude: ['node_modules/**', '.next/**', 'tests/e2e/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
