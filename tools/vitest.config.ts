import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@syncmodes/source'] },
  ssr: { resolve: { conditions: ['@syncmodes/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    // Two test files at once: they mostly wait on npm (pack, install) and the processes they start
    // (2 cores; vitest's default would be one worker): 69 s instead of about 100 s for this package alone.
    maxWorkers: 2,
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
