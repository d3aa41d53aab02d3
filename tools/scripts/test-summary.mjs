#!/usr/bin/env node
// Sums the vitest JSON reports of every package (written by each package's `test` target,
// restored from the Nx cache when a package is unchanged) and prints, per package, what
// passed and what failed (the failing test files and test names), then the line CI reads
// last: `N passed, N failed`. Exits 1 when a test failed or a report is missing.
//
// Counted as failed, because each means a test did not pass: a failing test; a test file
// that failed without a failing test (it could not be loaded, or a hook failed: its tests
// did not run); a skipped or todo test (the project has none: a test never skips); a
// package whose report is missing (its test run did not finish); an error vitest caught
// outside any test (an uncaught exception: `reports/vitest.unhandled.json`, which vitest's
// own JSON report leaves out).
//
// `--browser` also reads the real-browser tests' reports (`reports/vitest-browser.json` of
// each package with a `vitest.browser.config.ts`), which .ci/run writes with
// `npm run test:browser` after installing Chromium.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

const args = process.argv.slice(2);
const withBrowser = args.includes('--browser');
// `--root <dir>`: another workspace (the summary's own test); default this one.
const root = args.includes('--root') ? args[args.indexOf('--root') + 1] : new URL('../..', import.meta.url).pathname;

/** Package folders with tests: every package, plus the workspace tooling itself. */
function packageDirs() {
  const dirs = ['packages', 'tools/packages'].map((d) => join(root, d)).filter(existsSync);
  const out = dirs.flatMap((dir) => readdirSync(dir).map((name) => join(dir, name)));
  out.push(join(root, 'tools'), join(root, 'tools', 'verify'));
  return out;
}

/** The reports expected from a package folder: [label, path]. */
function expectedReports(pkg) {
  const manifest = join(pkg, 'package.json');
  const name = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).name : basename(pkg);
  const out = [];
  if (existsSync(join(pkg, 'vitest.config.ts'))) out.push([name, join(pkg, 'reports', 'vitest.json')]);
  if (withBrowser && existsSync(join(pkg, 'vitest.browser.config.ts'))) out.push([`${name} (browser)`, join(pkg, 'reports', 'vitest-browser.json')]);
  return out;
}

/** The first non-empty line of a message, at most 200 characters. */
function firstLine(text) {
  const line = (text ?? '').split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** Why a test failed, in one line. Vitest's JSON report has no message for a timeout. */
function failureMessage(test) {
  const line = firstLine(test.failureMessages?.[0]);
  if (line && !line.includes('STACK_TRACE_ERROR')) return line;
  const ran = typeof test.duration === 'number' ? ` after ${(test.duration / 1000).toFixed(1)} s` : '';
  return `failed${ran} with no message in the report (vitest writes none for a timeout; the log above has it)`;
}

/**
 * One vitest JSON report: what passed, and a line per test (or test file) that did not.
 *
 * @returns {{ passed: number, failures: string[] }}
 */
function readReport(pkg, path) {
  const report = JSON.parse(readFileSync(path, 'utf8'));
  const failures = [];
  for (const file of report.testResults ?? []) {
    const where = relative(pkg, file.name);
    const tests = file.assertionResults ?? [];
    const failed = tests.filter((t) => t.status === 'failed');
    const notRun = tests.filter((t) => t.status !== 'passed' && t.status !== 'failed');
    for (const t of failed) failures.push(`FAIL ${where} > ${t.fullName}: ${failureMessage(t)}`);
    if (file.status === 'failed' && failed.length === 0) {
      const why = firstLine(file.message) || 'a hook or an import of the file threw; the log above says what';
      if (notRun.length === 0) failures.push(`FAIL ${where}: ${why}`);
      for (const t of notRun) failures.push(`FAIL ${where} > ${t.fullName}: did not run (${why})`);
    } else {
      for (const t of notRun) failures.push(`SKIPPED ${where} > ${t.fullName} (counted as failed: tests never skip)`);
    }
  }
  // Errors vitest caught outside any test (written beside the report by tools/test/unhandled-errors-reporter.ts): its JSON
  // report leaves them out and says success, though the run failed.
  const unhandled = path.replace(/\.json$/, '.unhandled.json');
  if (existsSync(unhandled)) {
    for (const e of JSON.parse(readFileSync(unhandled, 'utf8'))) failures.push(`UNHANDLED ${e.name}: ${firstLine(e.message)} (caught outside any test; the log above says which file was running)`);
  }
  return { passed: report.numPassedTests ?? 0, failures };
}

let passed = 0;
let failed = 0;
const failingPackages = [];
for (const pkg of packageDirs()) {
  for (const [label, path] of expectedReports(pkg)) {
    if (!existsSync(path)) {
      console.log(`${label}: no test report (expected ${relative(root, path)}): its test run did not finish`);
      failed++;
      failingPackages.push(label);
      continue;
    }
    const result = readReport(pkg, path);
    passed += result.passed;
    failed += result.failures.length;
    console.log(`${label}: ${result.passed} passed, ${result.failures.length} failed`);
    for (const line of result.failures) console.log(`  ${line}`);
    if (result.failures.length > 0) failingPackages.push(label);
  }
}
if (failingPackages.length > 0) console.log(`failing: ${failingPackages.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
