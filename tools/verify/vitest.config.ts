import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@syncmodes/source'] },
  ssr: { resolve: { conditions: ['@syncmodes/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    // The CLI and the worker, which the harness starts as processes, bundled once for the run.
    globalSetup: ['test/prebuild-global-setup.ts'],
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }], [fileURLToPath(new URL('../test/unhandled-errors-reporter.ts', import.meta.url)), { outputFile: 'reports/vitest.unhandled.json' }]],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    // Two files at once (`verify.test.ts` and `verify-processes.test.ts`): the crash and
    // distributed sections mostly wait on the processes they start (2 cores; vitest's
    // default would be one worker).
    maxWorkers: 2,
  },
});
