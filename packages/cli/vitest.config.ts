import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@syncmodes/source'] },
  ssr: { resolve: { conditions: ['@syncmodes/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // A throwaway Postgres server (Debian's binaries) for the Postgres state, source and run-history tests.
    // The entries tests start as processes (the bin, the CLI under Node 22), bundled once for the run.
    globalSetup: ['test/postgres-global-setup.ts', 'test/prebuild-global-setup.ts', 'test/temp-root-global-setup.ts'],
    // Tests that need a real browser run on their own (vitest.browser.config.ts, `npm run
    // test:browser`, in .ci/run): `npm test` needs only Node.
    exclude: [...configDefaults.exclude, 'test/browser/**'],
    // The test files of a worker share one module graph: each file no longer imports and
    // transforms the sources anew (the largest part of this package's CPU time on 2 cores).
    // No test here mocks a module or leaves global state behind.
    isolate: false,
    // Two test files at once: most of them wait on the processes and emulators they start (2 cores;
    // vitest's default would be one worker): 90 s instead of 175 s for this package alone.
    maxWorkers: 2,
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }], [fileURLToPath(new URL('../../tools/test/unhandled-errors-reporter.ts', import.meta.url)), { outputFile: 'reports/vitest.unhandled.json' }]],
    testTimeout: 120_000, // a bound on hangs, not a performance check (tests run on 2 shared cores)
    hookTimeout: 120_000,
  },
});
