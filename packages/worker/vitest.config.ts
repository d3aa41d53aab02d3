import { defineConfig } from 'vitest/config';

// Runs under Node ≥ 22.12 (pg-boss 12): `npm test` here starts vitest with tools/scripts/node22.mjs.
export default defineConfig({
  resolve: { conditions: ['@syncmodes/source'] },
  ssr: { resolve: { conditions: ['@syncmodes/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // A throwaway Postgres server for the queue and the state; each test file makes its own database.
    // The worker process the tests start, bundled once for the run.
    globalSetup: ['test/postgres-global-setup.ts', 'test/prebuild-global-setup.ts'],
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Worker processes and Postgres are heavy on 2 cores: one test file at a time.
    fileParallelism: false,
  },
});
