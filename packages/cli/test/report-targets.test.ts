import { execFileSync } from 'node:child_process';
import { closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSalesforceEmulator } from '@syncmodes/salesforce/emulator';
import { describe, expect, it } from 'vitest';
import { startBin, until } from './bin-process';
import { cli, readReport } from './cli-helpers';
import { salesforceSync, SF_CSV, SF_ENV, useEmulator, useSourceFile } from './fixtures/per-test';

/** What --report may point at besides a plain file (hostile trial, issue 17): devices, links, pipes, a full disk. */
describe('--report at a device, a link, a pipe, or on a full disk', () => {
  const sf = useEmulator(createSalesforceEmulator);
  const source = useSourceFile('people.csv', SF_CSV);
  const sync = (...args: string[]) => cli(salesforceSync(sf.url, '--from', source.file, '--state-dir', join(source.dir, 's'), ...args), SF_ENV);
  /** The folder's entries besides the source and the state: no `.partial-…` copy may be left. */
  const leftBeside = () => readdirSync(source.dir).filter((f) => f !== 'people.csv' && f !== 's');

  it('a device (a null device node, as /dev/null): written in place, never replaced by a file; exit 0', async () => {
    for (const name of ['null.json', 'null.html']) {
      const device = join(source.dir, name);
      execFileSync('mknod', ['-m', '666', device, 'c', '1', '3']); // /dev/null's numbers; the test's own node
      const out = await sync('--report', device);
      expect(out.code, out.stderr).toBe(0);
      expect(lstatSync(device).isCharacterDevice()).toBe(true);
    }
    expect(leftBeside().sort()).toEqual(['null.html', 'null.json']);
  });

  it('the run\'s own source, state file (or its -wal), or a link to one of them: refused before anything is sent (report_unwritable, exit 2), the file untouched (trial 20b N13: the state file was replaced, ownership lost)', async () => {
    expect((await sync()).code).toBe(0);
    const stateFile = join(source.dir, 's', 'state.sqlite');
    symlinkSync(stateFile, join(source.dir, 'state-link.json'));
    const before = [readFileSync(source.file), readFileSync(stateFile)];
    for (const [target, what] of [[source.file, 'the source'], [stateFile, 'the state file'], [`${stateFile}-wal`, 'the state file'], [join(source.dir, 'state-link.json'), 'the state file']] as const) {
      const out = await sync('--report', target);
      expect(out.code, out.stderr).toBe(2);
      expect(out.stderr).toBe(`error (report_unwritable): Cannot write the report to "${target}": it is ${what} of this run, which the report would replace. Nothing was sent. Give --report another file.\n`);
    }
    expect([readFileSync(source.file), readFileSync(stateFile)]).toEqual(before);
    // The --config file the settings came from (re-check of trial 20b: it was replaced by the report, exit 0).
    const config = join(source.dir, 'sync.yaml');
    writeFileSync(config, `to: salesforce\nreport: sync.yaml\n`);
    const out = await sync('--config', config);
    expect(out.code, out.stderr).toBe(2);
    expect(out.stderr).toContain(`it is the config file of this run, which the report would replace. Nothing was sent.`);
    expect(readFileSync(config, 'utf8')).toBe(`to: salesforce\nreport: sync.yaml\n`);
  });

  it('a symbolic link to a file: the file it names gets the report, the link stays a link', async () => {
    mkdirSync(join(source.dir, 'reports'));
    for (const name of ['r.json', 'r.html']) {
      const target = join(source.dir, 'reports', name);
      writeFileSync(target, 'an earlier report');
      symlinkSync(target, join(source.dir, name));
      expect((await sync('--report', join(source.dir, name))).code).toBe(0);
      expect(lstatSync(join(source.dir, name)).isSymbolicLink()).toBe(true);
      expect(readlinkSync(join(source.dir, name))).toBe(target);
    }
    expect(readReport(join(source.dir, 'reports', 'r.json')).records).toHaveLength(2);
    expect(readFileSync(join(source.dir, 'reports', 'r.html'), 'utf8')).toMatch(/^<!doctype html>/);
    expect(readdirSync(join(source.dir, 'reports')).sort()).toEqual(['r.html', 'r.json']);
  });

  it('a link to /dev/full: the write error is a failed report (report_unwritable, "the disk is full", exit 2) after the summary; the link stays', async () => {
    for (const name of ['full.json', 'full.html']) {
      const link = join(source.dir, name);
      symlinkSync('/dev/full', link);
      const out = await sync('--report', link);
      expect(out.code).toBe(2);
      expect(out.stdout).toMatch(/(created|unchanged) +│ +2/);
      expect(out.stdout).not.toContain('Report:');
      expect(out.stderr).toContain(`error (report_unwritable): Cannot write the report to "${link}": the disk is full. The run itself ended first`);
      expect(readlinkSync(link)).toBe('/dev/full');
    }
    expect(lstatSync('/dev/full').isCharacterDevice()).toBe(true);
    expect(leftBeside().sort()).toEqual(['full.html', 'full.json']);
  });

  it('a named pipe: a reader gets the JSON report through it, and it stays a pipe; one that nobody reads is refused before anything is sent', async () => {
    const fifo = join(source.dir, 'r.json');
    execFileSync('mkfifo', [fifo]);
    const read = readFile(fifo, 'utf8');
    const out = await sync('--report', fifo);
    expect(out.code, out.stderr).toBe(0);
    expect((JSON.parse(await read) as { records: unknown[] }).records).toHaveLength(2);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    const requests = sf.emulator.requests.length;
    const unread = await sync('--report', fifo);
    expect(unread.code).toBe(2);
    expect(unread.stderr).toBe(`error (report_unwritable): Cannot write the report to "${fifo}": no process reads it (a named pipe nobody reads, or a socket). Nothing was sent. Give --report a file path in a folder you can write to (missing folders are created).\n`);
    expect(sf.emulator.requests.length).toBe(requests);
    expect(leftBeside()).toEqual(['r.json']);
  });

  it('a named pipe whose reader never reads: the run is not held by it; Ctrl-C while the report waits for the reader gives the report up, says so, exit 130', async () => {
    // 100 rows with 10,000-character ids: each report is far over a pipe's 64 KiB buffer (the HTML plan of a dry run shows 50 of them).
    const rows = Array.from({ length: 100 }, (_, i) => `${'k'.repeat(10_000)}${i},p${i}@example.com,N${i}`);
    writeFileSync(source.file, `id,Email,LastName\n${rows.join('\n')}\n`);
    for (const [name, extra, counted] of [
      ['plan.html', ['--dry-run'], /would create/],
      ['report.json', [], /created +│ +100/],
    ] as const) {
      const fifo = join(source.dir, name);
      execFileSync('mkfifo', [fifo]);
      // A reader that holds the pipe open and never reads it.
      const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      const bin = startBin(salesforceSync(sf.url, '--from', source.file, '--state-dir', join(source.dir, 's'), '--report', fifo, ...extra), { env: SF_ENV });
      try {
        await until(() => bin.output.stderr.includes(`Waiting for the process reading "${fifo}" to read the rest of the report (Ctrl-C gives the report up).`), 60_000, 'the report to wait for its reader');
        bin.child.kill('SIGINT');
        const { code } = await bin.exited;
        expect(code, bin.output.stderr).toBe(130);
        expect(bin.output.stderr).toContain('Stopping (SIGINT): the run is over; a report still waiting for its reader is given up, then the summary.');
        expect(bin.output.stderr).toContain(
          `error (report_unwritable): Cannot write the report to "${fifo}": interrupted (Ctrl-C or SIGTERM) while the process reading it had not read all of it, so the report was given up (what it read is incomplete). The run itself ended first: its summary says what was sent (and recorded) and how the run ended. Read the pipe to the end while the run writes it, or give --report a file path.`,
        );
        expect(bin.output.stdout).toMatch(counted);
        expect(bin.output.stdout).not.toContain('Report:');
        expect(lstatSync(fifo).isFIFO()).toBe(true);
      } finally {
        bin.child.kill('SIGKILL');
        closeSync(reader);
      }
    }
    expect(sf.emulator.org.all('Contact')).toHaveLength(100);
    expect(leftBeside().sort()).toEqual(['plan.html', 'report.json']);
  }, 120_000);

  it('a named pipe whose reader never reads, and SIGTERM during the run: the report is given up after the grace for calls in flight, the summary printed, exit 130 (hostile trial: it waited for the reader for good)', async () => {
    // 2,000 rows with 200-character ids: the report is far over a pipe's 64 KiB buffer, and the run sends ten create calls, each held 1 s.
    const rows = Array.from({ length: 2_000 }, (_, i) => `${'k'.repeat(200)}${i},p${i}@example.com,N${i}`);
    writeFileSync(source.file, `id,Email,LastName\n${rows.join('\n')}\n`);
    sf.emulator.setFaults([{ kind: 'latency', latencyMs: 1_000, every: 1, method: 'POST' }]);
    const fifo = join(source.dir, 'report.json');
    execFileSync('mkfifo', [fifo]);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const bin = startBin(salesforceSync(sf.url, '--from', source.file, '--state-dir', join(source.dir, 's'), '--report', fifo), { env: SF_ENV });
    try {
      await until(() => sf.emulator.requests.some((r) => r.method === 'POST'), 60_000, 'the first create call');
      bin.child.kill('SIGTERM');
      // No second signal: the process ends by itself (before the fix it waited for the reader with no limit).
      const ended = await Promise.race([bin.exited, new Promise<undefined>((r) => setTimeout(r, 30_000, undefined))]);
      expect(ended, `still running; stderr: ${bin.output.stderr}`).toBeDefined();
      expect(ended?.code, bin.output.stderr).toBe(130);
      expect(bin.output.stderr).toContain('Stopping (SIGTERM): no new calls');
      expect(bin.output.stderr).toContain(`Waiting for the process reading "${fifo}" to read the rest of the report (the run was interrupted: given up after 3 s)`);
      expect(bin.output.stderr).toContain(`error (report_unwritable): Cannot write the report to "${fifo}": interrupted (Ctrl-C or SIGTERM) while the process reading it had not read all of it, so the report was given up`);
      expect(bin.output.stdout).toMatch(/outcome +│ records/);
      expect(bin.output.stdout).toMatch(/not sent|not_sent/);
      expect(bin.output.stdout).not.toContain('Report:');
    } finally {
      bin.child.kill('SIGKILL');
      closeSync(reader);
    }
  }, 120_000);

  it('a named pipe whose reader never reads: a second SIGTERM while the report waits (the first stopped the run) gives the report up and still prints the summary, exit 130', async () => {
    // 2,000 rows with 200-character ids: the report is far over a pipe's 64 KiB buffer, and the run sends ten create calls, each held 1 s.
    const rows = Array.from({ length: 2_000 }, (_, i) => `${'k'.repeat(200)}${i},p${i}@example.com,N${i}`);
    writeFileSync(source.file, `id,Email,LastName\n${rows.join('\n')}\n`);
    sf.emulator.setFaults([{ kind: 'latency', latencyMs: 1_000, every: 1, method: 'POST' }]);
    const fifo = join(source.dir, 'report.json');
    execFileSync('mkfifo', [fifo]);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const bin = startBin(salesforceSync(sf.url, '--from', source.file, '--state-dir', join(source.dir, 's'), '--report', fifo), { env: SF_ENV });
    try {
      await until(() => sf.emulator.requests.some((r) => r.method === 'POST'), 60_000, 'the first create call');
      bin.child.kill('SIGTERM');
      await until(() => bin.output.stderr.includes(`Waiting for the process reading "${fifo}"`), 60_000, 'the report to wait for its reader');
      bin.child.kill('SIGTERM');
      const { code } = await bin.exited;
      expect(code, bin.output.stderr).toBe(130);
      expect(bin.output.stderr).toContain('Giving the report up (SIGTERM again)');
      expect(bin.output.stderr).toContain(`error (report_unwritable): Cannot write the report to "${fifo}": interrupted (Ctrl-C or SIGTERM)`);
      expect(bin.output.stdout).toMatch(/outcome +│ records/);
    } finally {
      bin.child.kill('SIGKILL');
      closeSync(reader);
    }
  }, 120_000);

  it('a disk that fills up while the report is written (a file size limit): the earlier report stays whole, no truncated copy is left, exit 2', async () => {
    // 100 rows with 10,000-character ids: each report is over 500 kB (the HTML plan shows 50 of them), the state far below the 256 KiB limit.
    const rows = Array.from({ length: 100 }, (_, i) => `${'k'.repeat(10_000)}${i},p${i}@example.com,N${i}`);
    writeFileSync(source.file, `id,Email,LastName\n${rows.join('\n')}\n`);
    for (const name of ['plan.html', 'plan.json']) {
      const report = join(source.dir, name);
      writeFileSync(report, 'an earlier report');
      const bin = startBin(salesforceSync(sf.url, '--from', source.file, '--state-dir', join(source.dir, 's'), '--dry-run', '--report', report), { env: SF_ENV, fileSizeLimitKiB: 256 });
      const { code } = await bin.exited;
      expect(code, bin.output.stderr).toBe(2);
      expect(bin.output.stdout).toContain('would create');
      expect(bin.output.stderr).toContain(`error (report_unwritable): Cannot write the report to "${report}": the file would be larger than this process may write (a file size limit). The run itself ended first`);
      expect(readFileSync(report, 'utf8')).toBe('an earlier report');
    }
    expect(leftBeside().sort()).toEqual(['plan.html', 'plan.json']);
  }, 60_000);
});
