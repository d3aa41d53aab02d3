import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The tests that need a real browser (headless Chromium through playwright-core): `npm run
 * test:browser -w @syncmodes/cli`, run by .ci/run after it installs Chromium. Their report
 * (`reports/vitest-browser.json`) is counted in CI's last line. Without Chromium they fail.
 */
export default defineConfig({
  resolve: { conditions: ['@syncmodes/source'] },
  ssr: { resolve: { conditions: ['@syncmodes/source'] } },
  test: {
    include: ['test/browser/**/*.test.ts'],
    // The run's temporary folders, removed when it ends.
    globalSetup: ['test/temp-root-global-setup.ts'],
    reporters: ['default', ['json', { outputFile: 'reports/vitest-browser.json' }], [fileURLToPath(new URL('../../tools/test/unhandled-errors-reporter.ts', import.meta.url)), { outputFile: 'reports/vitest-browser.unhandled.json' }]],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
