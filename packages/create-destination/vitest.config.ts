import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@syncmodes/source'] },
  ssr: { resolve: { conditions: ['@syncmodes/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }], [fileURLToPath(new URL('../../tools/test/unhandled-errors-reporter.ts', import.meta.url)), { outputFile: 'reports/vitest.unhandled.json' }]],
    testTimeout: 120_000, // a bound on hangs, not a performance check (tests run on 2 shared cores)
    hookTimeout: 120_000,
  },
});
