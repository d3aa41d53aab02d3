import { fileURLToPath } from 'node:url';
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
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }], [fileURLToPath(new URL('../../tools/test/unhandled-errors-reporter.ts', import.meta.url)), { outputFile: 'reports/vitest.unhandled.json' }]],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Two test files at once: they mostly wait on heartbeats, schedules and the processes they
    // start (each file has its own database and emulator): 64 s instead of 117 s for this
    // package alone, for 34 CPU-s instead of 25.
    maxWorkers: 2,
  },
});
