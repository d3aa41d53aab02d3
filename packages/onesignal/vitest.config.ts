import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@syncmodes/source'] },
  ssr: { resolve: { conditions: ['@syncmodes/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['test/spec-validation/validate-exchanges.ts'],
    // Two test files at once: most of them wait on OneSignal's pacing (a read a second) and on
    // timeouts (2 cores; vitest's default would be one worker): 49 s instead of 100 s alone.
    maxWorkers: 2,
    // One module graph per worker, not per file (as in the kit): the SDK, the emulator and the
    // spec validator (its description parsed once, see test/spec-validation/install.ts) load once.
    isolate: false,
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }], [fileURLToPath(new URL('../../tools/test/unhandled-errors-reporter.ts', import.meta.url)), { outputFile: 'reports/vitest.unhandled.json' }]],
    testTimeout: 120_000, // a bound on hangs, not a performance check (tests run on 2 shared cores)
    hookTimeout: 120_000,
  },
});
