import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@syncmodes/source'] },
  ssr: { resolve: { conditions: ['@syncmodes/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }], [fileURLToPath(new URL('test/unhandled-errors-reporter.ts', import.meta.url)), { outputFile: 'reports/vitest.unhandled.json' }]],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
