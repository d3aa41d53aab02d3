import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Reporter, SerializedError, TestModule, Vitest } from 'vitest/node';

/** Where {@link UnhandledErrorsReporter} writes, relative to the package (vitest's root). */
export interface UnhandledErrorsOptions {
  readonly outputFile: string;
}

/**
 * Writes the errors vitest caught outside any test (an uncaught exception, an unhandled
 * rejection: "Vitest caught N unhandled errors") to `outputFile` as JSON, `[{ name, message }]`
 * (an empty list when there were none). Vitest's JSON report leaves them out — its `success`
 * stays true — so `tools/scripts/test-summary.mjs` reads this file and counts each as a
 * failure: a fresh new-user check saw `npm test` end `2630 passed, 0 failed` beside a package
 * whose run had failed on two.
 */
export default class UnhandledErrorsReporter implements Reporter {
  private root = process.cwd();

  constructor(private readonly options: UnhandledErrorsOptions) {}

  onInit(vitest: Vitest): void {
    this.root = vitest.config.root;
  }

  onTestRunEnd(_modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<SerializedError>): void {
    const path = resolve(this.root, this.options.outputFile);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(errors.map((e) => ({ name: e.name ?? 'Error', message: e.message ?? String(e) })), null, 2)}\n`);
  }
}
