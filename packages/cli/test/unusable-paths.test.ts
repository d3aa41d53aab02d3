import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSalesforceEmulator, EMULATOR_ACCESS_TOKEN } from '@syncmodes/salesforce/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBin } from './bin-process';
import { cli, readReport, tempDir } from './cli-helpers';

const MAP = ['--id', 'id', '--map', 'Email=Email', '--map', 'LastName=LastName'];
const CSV = 'id,Email,LastName\n1,ada@example.com,Lovelace\n2,alan@example.com,Turing\n';
const ENV = { SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN };

describe('paths the CLI cannot use are refused before anything is sent', () => {
  let emulator: ReturnType<typeof createSalesforceEmulator>;
  let url: string;
  let dir: string;
  let file: string;
  let stateDir: string;
  beforeEach(async () => {
    emulator = createSalesforceEmulator();
    url = await emulator.start();
    dir = tempDir();
    file = join(dir, 'people.csv');
    writeFileSync(file, CSV);
    stateDir = join(dir, 'state');
  });
  afterEach(() => emulator.stop());

  const sync = (...args: string[]) => cli(['sync', '--to', 'salesforce', '--option', `instanceUrl=${url}`, ...MAP, '--state-dir', stateDir, '--no-progress', ...args], ENV);
  /** Nothing reached the destination and no state was opened. */
  const nothingSent = () => {
    expect(emulator.requests).toHaveLength(0);
    expect(existsSync(stateDir)).toBe(false);
  };

  describe('--from', () => {
    it('a folder: unreadable_file naming the path and what to fix, exit 2, no stack trace (every format)', async () => {
      const folder = join(dir, 'exports.csv');
      mkdirSync(folder);
      for (const format of [[], ['--format', 'ndjson'], ['--format', 'json']]) {
        const out = await sync('--from', folder, '--sync-name', 'people', ...format);
        expect(out.code).toBe(2);
        expect(out.stderr).toBe(`error (unreadable_file): Cannot read "${folder}": it is a folder, not a file. Give the path of the CSV, NDJSON or JSON file to read.\n`);
      }
      nothingSent();
    });

    it('a path under a file, or a file that is not there: file_not_found saying which, exit 2', async () => {
      const under = await sync('--from', join(file, 'people.csv'));
      expect(under.code).toBe(2);
      expect(under.stderr).toBe(`error (file_not_found): Cannot read "${join(file, 'people.csv')}": a part of the path before the file name is a file, not a folder. Check the path.\n`);
      const gone = await sync('--from', join(dir, 'gone.csv'));
      expect(gone.code).toBe(2);
      expect(gone.stderr).toMatch(/^error \(file_not_found\): Cannot read ".*gone\.csv": no such file\.\n$/);
      nothingSent();
    });

    it('a folder, in a real process: one error line on stderr, exit 2 (it used to die of an unhandled EISDIR stream error with a stack trace)', async () => {
      const folder = join(dir, 'exports.csv');
      mkdirSync(folder);
      const bin = startBin(['sync', '--to', 'salesforce', '--option', `instanceUrl=${url}`, '--from', folder, ...MAP, '--state-dir', stateDir], { env: ENV });
      const { code } = await bin.exited;
      expect(code).toBe(2);
      expect(bin.output.stderr).toBe(`error (unreadable_file): Cannot read "${folder}": it is a folder, not a file. Give the path of the CSV, NDJSON or JSON file to read.\n`);
      expect(bin.output.stdout).toBe('');
      nothingSent();
    });
  });

  describe('--report', () => {
    it('a folder: report_unwritable naming the path and a file path that would do, exit 2, nothing sent', async () => {
      const folder = join(dir, 'reports');
      mkdirSync(folder);
      const out = await sync('--from', file, '--report', folder);
      expect(out.code).toBe(2);
      expect(out.stderr).toBe(
        `error (report_unwritable): Cannot write the report to "${folder}": it is a folder (a file inside it, e.g. --report ${join(folder, 'report.json')}, would do). Nothing was sent. Give --report a file path in a folder you can write to (missing folders are created).\n`,
      );
      expect(readdirSync(folder)).toEqual([]);
      nothingSent();
    });

    it('a path under a file (JSON or HTML, directly or folders deeper): report_unwritable naming the file in the way, exit 2, nothing sent', async () => {
      for (const report of [join(file, 'r.json'), join(file, 'sub', 'r.html')]) {
        const out = await sync('--from', file, '--report', report);
        expect(out.code).toBe(2);
        expect(out.stderr).toBe(`error (report_unwritable): Cannot write the report to "${report}": "${file}" is a file, not a folder. Nothing was sent. Give --report a file path in a folder you can write to (missing folders are created).\n`);
      }
      nothingSent();
    });

    it('missing folders on the way are created (as --help says)', async () => {
      const report = join(dir, 'not', 'yet', 'there', 'r.json');
      const out = await sync('--from', file, '--report', report);
      expect(out.code).toBe(0);
      expect(readReport(report).records.map((r) => r.outcome)).toEqual(['created', 'created']);
    });
  });
});

describe('a report that cannot be written after the run', () => {
  let emulator: ReturnType<typeof createSalesforceEmulator>;
  let url: string;
  beforeEach(async () => {
    emulator = createSalesforceEmulator();
    url = await emulator.start();
    // Every answer takes a while: the test has time to put a folder where the report goes while the run is on.
    emulator.setFaults([{ kind: 'latency', latencyMs: 150, every: 1 }]);
  });
  afterEach(() => emulator.stop());

  /** Runs a sync and, once its first request reached the emulator, makes the report path a folder. */
  async function runWhileReportBecomesFolder(report: string, extra: string[] = []) {
    const dir = tempDir();
    const file = join(dir, 'people.csv');
    writeFileSync(file, CSV);
    const watcher = setInterval(() => {
      if (emulator.requests.length > 0 && !existsSync(report)) mkdirSync(report, { recursive: true });
    }, 5);
    try {
      return await cli(['sync', '--to', 'salesforce', '--option', `instanceUrl=${url}`, '--from', file, ...MAP, '--state-dir', join(dir, 's'), '--report', report, '--no-progress', ...extra], ENV);
    } finally {
      clearInterval(watcher);
    }
  }

  for (const name of ['report.json', 'report.html']) {
    it(`${name}: the summary is still printed, then report_unwritable with a true message (the run went through), exit 2`, async () => {
      const report = join(tempDir(), name);
      const out = await runWhileReportBecomesFolder(report);
      expect(out.code).toBe(2);
      expect(out.stdout).toMatch(/created +│ +2/);
      expect(out.stdout).not.toContain('Report:');
      expect(out.stderr).toContain(
        `error (report_unwritable): Cannot write the report to "${report}": it is a folder. The run itself went through: the summary says what was sent, and the state has it. Give --report a file path in a folder you can write to (missing folders are created).\n`,
      );
      expect(out.stderr).not.toContain('state_unreadable');
      expect(emulator.org.all('Contact')).toHaveLength(2);
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
