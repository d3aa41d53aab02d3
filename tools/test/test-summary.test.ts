import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from '../docs/workspace';
import { outsideDir } from './pack';
import { run } from './run';

const SCRIPT = join(WORKSPACE_ROOT, 'tools', 'scripts', 'test-summary.mjs');

interface Test {
  fullName: string;
  status: 'passed' | 'failed' | 'pending' | 'skipped' | 'todo';
  duration?: number;
  failureMessages?: string[];
}

/** A package folder with a vitest config and, unless `report` is undefined, a vitest JSON report. */
function writePackage(root: string, folder: string, name: string, report: { file: string; status: 'passed' | 'failed'; message?: string; tests: Test[] }[] | undefined, browser?: boolean) {
  const dir = join(root, 'packages', folder);
  mkdirSync(join(dir, 'reports'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name }));
  writeFileSync(join(dir, 'vitest.config.ts'), '');
  if (browser) writeFileSync(join(dir, 'vitest.browser.config.ts'), '');
  if (!report) return;
  const tests = report.flatMap((f) => f.tests);
  writeFileSync(
    join(dir, 'reports', 'vitest.json'),
    JSON.stringify({
      numPassedTests: tests.filter((t) => t.status === 'passed').length,
      numFailedTests: tests.filter((t) => t.status === 'failed').length,
      testResults: report.map((f) => ({ name: join(dir, f.file), status: f.status, message: f.message ?? '', assertionResults: f.tests })),
    }),
  );
}

describe('the test summary (tools/scripts/test-summary.mjs)', () => {
  let root: string;
  beforeEach(() => {
    root = outsideDir('syncmodes-summary-');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const summary = async (...args: string[]) => {
    const out = await run('node', [SCRIPT, '--root', root, ...args], { cwd: root });
    return { code: out.code, lines: out.stdout.trim().split('\n') };
  };

  it('names, for a failure, the package, the test file and the test, and ends with N passed, N failed', async () => {
    writePackage(root, 'a', '@x/a', [
      { file: 'test/ok.test.ts', status: 'passed', tests: [{ fullName: 'works', status: 'passed' }] },
      { file: 'test/bad.test.ts', status: 'failed', tests: [{ fullName: 'suite breaks', status: 'failed', failureMessages: ['AssertionError: expected 1 to be 2\n    at …'] }, { fullName: 'suite holds', status: 'passed' }] },
    ]);
    const { code, lines } = await summary();
    expect(code).toBe(1);
    expect(lines).toEqual(['@x/a: 2 passed, 1 failed', '  FAIL test/bad.test.ts > suite breaks: AssertionError: expected 1 to be 2', 'failing: @x/a', '2 passed, 1 failed']);
  });

  // A fresh new-user check: two uncaught errors in one package's run, and the summary said 2630 passed, 0 failed.
  it('counts an error vitest caught outside any test (its JSON report says success) as a failure of its package', async () => {
    writePackage(root, 'a', '@x/a', [{ file: 'test/ok.test.ts', status: 'passed', tests: [{ fullName: 'works', status: 'passed' }] }]);
    writeFileSync(join(root, 'packages', 'a', 'reports', 'vitest.unhandled.json'), JSON.stringify([{ name: 'error', message: 'terminating connection due to administrator command\n  at parse' }]));
    writePackage(root, 'b', '@x/b', [{ file: 'test/ok.test.ts', status: 'passed', tests: [{ fullName: 'works', status: 'passed' }] }]);
    writeFileSync(join(root, 'packages', 'b', 'reports', 'vitest.unhandled.json'), '[]');
    const { code, lines } = await summary();
    expect(code).toBe(1);
    expect(lines).toEqual([
      '@x/a: 1 passed, 1 failed',
      '  UNHANDLED error: terminating connection due to administrator command (caught outside any test; the log above says which file was running)',
      '@x/b: 1 passed, 0 failed',
      'failing: @x/a',
      '2 passed, 1 failed',
    ]);
  });

  it("says so when vitest's report has no message (a timeout)", async () => {
    writePackage(root, 'a', '@x/a', [{ file: 'test/slow.test.ts', status: 'failed', tests: [{ fullName: 'slow', status: 'failed', duration: 30_012, failureMessages: ['Error: STACK_TRACE_ERROR\n    at task (…)'] }] }]);
    const { lines } = await summary();
    expect(lines).toContain('  FAIL test/slow.test.ts > slow: failed after 30.0 s with no message in the report (vitest writes none for a timeout; the log above has it)');
  });

  it('counts a file that failed without a failing test (an import or a hook threw) and the tests it did not run', async () => {
    writePackage(root, 'a', '@x/a', [
      { file: 'test/load.test.ts', status: 'failed', message: 'Error: data file missing\n  at x', tests: [] },
      { file: 'test/hook.test.ts', status: 'failed', message: 'Error: Chromium did not start', tests: [{ fullName: 'one', status: 'skipped' }, { fullName: 'two', status: 'skipped' }] },
    ]);
    const { code, lines } = await summary();
    expect(code).toBe(1);
    expect(lines).toContain('  FAIL test/load.test.ts: Error: data file missing');
    expect(lines).toContain('  FAIL test/hook.test.ts > two: did not run (Error: Chromium did not start)');
    expect(lines).toContain('  FAIL test/load.test.ts: Error: data file missing');
    expect(lines.at(-1)).toBe('0 passed, 3 failed');
  });

  it('counts a skipped test as failed, and a missing report names its package', async () => {
    writePackage(root, 'a', '@x/a', [{ file: 'test/a.test.ts', status: 'passed', tests: [{ fullName: 'a', status: 'passed' }, { fullName: 'later', status: 'skipped' }] }]);
    writePackage(root, 'b', '@x/b', undefined);
    const { code, lines } = await summary();
    expect(code).toBe(1);
    expect(lines).toContain('  SKIPPED test/a.test.ts > later (counted as failed: tests never skip)');
    expect(lines).toContain('@x/b: no test report (expected packages/b/reports/vitest.json): its test run did not finish');
    expect(lines.at(-1)).toBe('1 passed, 2 failed');
  });

  it('with --browser, also needs the real-browser report of a package that has browser tests', async () => {
    writePackage(root, 'a', '@x/a', [{ file: 'test/a.test.ts', status: 'passed', tests: [{ fullName: 'a', status: 'passed' }] }], true);
    expect((await summary()).lines.at(-1)).toBe('1 passed, 0 failed');
    expect((await summary()).code).toBe(0);
    const browser = await summary('--browser');
    expect(browser.lines).toContain('@x/a (browser): no test report (expected packages/a/reports/vitest-browser.json): its test run did not finish');
    expect(browser.lines.at(-1)).toBe('1 passed, 1 failed');
  });
});
