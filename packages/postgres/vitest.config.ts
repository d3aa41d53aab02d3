import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@syncmodes/source'] },
  ssr: { resolve: { conditions: ['@syncmodes/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // A throwaway Postgres cluster for the whole run; each test file makes its own database.
    globalSetup: ['test/postgres-global-setup.ts'],
    // The test files of a worker share one module graph: each file no longer imports and
    // transforms the sources anew (the largest part of this package's CPU time on 2 cores).
    // No test here mocks a module or leaves global state behind.
    isolate: false,
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }], [fileURLToPath(new URL('../../tools/test/unhandled-errors-reporter.ts', import.meta.url)), { outputFile: 'reports/vitest.unhandled.json' }]],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
