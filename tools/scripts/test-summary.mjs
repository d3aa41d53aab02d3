#!/usr/bin/env node
// Sums the vitest JSON reports of every package (written by each package's `test` target,
// restored from the Nx cache when a package is unchanged) and prints the line CI reads:
// `N passed, N failed[, N skipped]`. Exits 1 when a test failed or a report is missing.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const dirs = ['packages', 'tools/packages'].map((d) => join(root, d)).filter(existsSync);
// Package folders with tests: every package, plus the workspace tooling itself.
const packageDirs = dirs.flatMap((dir) => readdirSync(dir).map((name) => join(dir, name)));
packageDirs.push(join(root, 'tools'), join(root, 'tools', 'verify'));
let passed = 0;
let failed = 0;
let skipped = 0;
let missing = 0;
{
  for (const pkg of packageDirs) {
    const name = basename(pkg);
    if (!existsSync(join(pkg, 'vitest.config.ts'))) continue;
    const report = join(pkg, 'reports', 'vitest.json');
    if (!existsSync(report)) {
      console.error(`no test report for ${name} (expected ${report})`);
      missing++;
      continue;
    }
    const r = JSON.parse(readFileSync(report, 'utf8'));
    passed += r.numPassedTests ?? 0;
    const failedTests = r.numFailedTests ?? 0;
    const failedSuites = r.numFailedTestSuites ?? 0;
    failed += failedTests + (failedTests === 0 ? failedSuites : 0);
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    console.log(`${name}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  }
}
failed += missing;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
