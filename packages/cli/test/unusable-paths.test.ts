import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSalesforceEmulator } from '@syncmodes/salesforce/emulator';
import { describe, expect, it } from 'vitest';
import { startBin } from './bin-process';
import { cli, readReport, tempDir } from './cli-helpers';
import { salesforceSync, SF_CSV as CSV, SF_ENV as ENV, useEmulator, useSourceFile } from './fixtures/per-test';

describe('paths the CLI cannot use are refused before anything is sent', () => {
  const sf = useEmulator(createSalesforceEmulator);
  const source = useSourceFile('people.csv', CSV);
  const stateDir = () => join(source.dir, 'state');
  const sync = (...args: string[]) => cli(salesforceSync(sf.url, '--state-dir', stateDir(), ...args), ENV);
  /** Nothing reached the destination and no state was opened. */
  const nothingSent = () => {
    expect(sf.emulator.requests).toHaveLength(0);
    expect(existsSync(stateDir())).toBe(false);
  };

  describe('--from', () => {
    it('a folder: unreadable_file naming the path and what to fix, exit 2, no stack trace (every format)', async () => {
      const folder = join(source.dir, 'exports.csv');
      mkdirSync(folder);
      for (const format of [[], ['--format', 'ndjson'], ['--format', 'json']]) {
        const out = await sync('--from', folder, '--sync-name', 'people', ...format);
        expect(out.code).toBe(2);
        expect(out.stderr).toBe(`error (unreadable_file): Cannot read "${folder}": it is a folder, not a file. Give the path of the CSV, NDJSON or JSON file to read.\n`);
      }
      nothingSent();
    });

    it('a path under a file, or a file that is not there: file_not_found saying which, exit 2', async () => {
      const under = await sync('--from', join(source.file, 'people.csv'));
      expect(under.code).toBe(2);
      expect(under.stderr).toBe(`error (file_not_found): Cannot read "${join(source.file, 'people.csv')}": a part of the path before the file name is a file, not a folder. Check the path.\n`);
      const gone = await sync('--from', join(source.dir, 'gone.csv'));
      expect(gone.code).toBe(2);
      expect(gone.stderr).toMatch(/^error \(file_not_found\): Cannot read ".*gone\.csv": no such file\.\n$/);
      nothingSent();
    });

    it('a folder, in a real process: one error line on stderr, exit 2 (it used to die of an unhandled EISDIR stream error with a stack trace)', async () => {
      const folder = join(source.dir, 'exports.csv');
      mkdirSync(folder);
      const bin = startBin(salesforceSync(sf.url, '--from', folder, '--state-dir', stateDir()), { env: ENV });
      const { code } = await bin.exited;
      expect(code).toBe(2);
      expect(bin.output.stderr).toBe(`error (unreadable_file): Cannot read "${folder}": it is a folder, not a file. Give the path of the CSV, NDJSON or JSON file to read.\n`);
      expect(bin.output.stdout).toBe('');
      nothingSent();
    });
  });

  describe('--report', () => {
    it('a folder: report_unwritable naming the path and a file path that would do, exit 2, nothing sent', async () => {
      const folder = join(source.dir, 'reports');
      mkdirSync(folder);
      const out = await sync('--from', source.file, '--report', folder);
      expect(out.code).toBe(2);
      expect(out.stderr).toBe(
        `error (report_unwritable): Cannot write the report to "${folder}": it is a folder (a file inside it, e.g. --report ${join(folder, 'report.json')}, would do). Nothing was sent. Give --report a file path in a folder you can write to (missing folders are created).\n`,
      );
      expect(readdirSync(folder)).toEqual([]);
      nothingSent();
    });

    it('a path under a file (JSON or HTML, directly or folders deeper): report_unwritable naming the file in the way, exit 2, nothing sent', async () => {
      for (const report of [join(source.file, 'r.json'), join(source.file, 'sub', 'r.html')]) {
        const out = await sync('--from', source.file, '--report', report);
        expect(out.code).toBe(2);
        expect(out.stderr).toBe(`error (report_unwritable): Cannot write the report to "${report}": "${source.file}" is a file, not a folder. Nothing was sent. Give --report a file path in a folder you can write to (missing folders are created).\n`);
      }
      nothingSent();
    });

    it('missing folders on the way are created (as --help says)', async () => {
      const report = join(source.dir, 'not', 'yet', 'there', 'r.json');
      const out = await sync('--from', source.file, '--report', report);
      expect(out.code).toBe(0);
      expect(readReport(report).records.map((r) => r.outcome)).toEqual(['created', 'created']);
    });
  });
});

describe('a report that cannot be written after the run', () => {
  // Every answer takes a while: the test has time to put a folder where the report goes while the run is on.
  const sf = useEmulator(createSalesforceEmulator, (emulator) => emulator.setFaults([{ kind: 'latency', latencyMs: 150, every: 1 }]));

  /** Runs a sync and, once its first request reached the emulator, makes the report path a folder. */
  async function runWhileReportBecomesFolder(report: string, extra: string[] = []) {
    const dir = tempDir();
    const file = join(dir, 'people.csv');
    writeFileSync(file, CSV);
    const watcher = setInterval(() => {
      if (sf.emulator.requests.length > 0 && !existsSync(report)) mkdirSync(report, { recursive: true });
    }, 5);
    try {
      return await cli(salesforceSync(sf.url, '--from', file, '--state-dir', join(dir, 's'), '--report', report, ...extra), ENV);
    } finally {
      clearInterval(watcher);
    }
  }

  for (const name of ['report.json', 'report.html']) {
    it(`${name}: the summary is still printed, then report_unwritable with a true message (the run ended first: see its summary), exit 2`, async () => {
      const report = join(tempDir(), name);
      const out = await runWhileReportBecomesFolder(report);
      expect(out.code).toBe(2);
      expect(out.stdout).toMatch(/created +│ +2/);
      expect(out.stdout).not.toContain('Report:');
      expect(out.stderr).toContain(
        `error (report_unwritable): Cannot write the report to "${report}": it is a folder. The run itself ended first: its summary says what was sent (and recorded) and how the run ended. Give --report a file path in a folder you can write to (missing folders are created).\n`,
      );
      expect(out.stderr).not.toContain('state_unreadable');
      expect(sf.emulator.org.all('Contact')).toHaveLength(2);
      // No half-written copy is left beside it.
      expect(readdirSync(join(report, '..'))).toEqual([name]);
    });
  }

  it('--json: one object, with reportError and report null', async () => {
    const report = join(tempDir(), 'r.json');
    const out = await runWhileReportBecomesFolder(report, ['--json']);
    expect(out.code).toBe(2);
    expect(JSON.parse(out.stdout)).toMatchObject({ exitCode: 2, status: 'completed', counts: { created: 2 }, report: null, reportError: { code: 'report_unwritable', message: expect.stringContaining('it is a folder') } });
  });
});
