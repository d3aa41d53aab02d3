import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSalesforceEmulator } from '@syncmodes/salesforce/emulator';
import { describe, expect, it } from 'vitest';
import { hasOpen, startBin, until } from './bin-process';
import { cli, readReport } from './cli-helpers';
import { salesforceSync, SF_CSV, SF_ENV, useEmulator, useSourceFile } from './fixtures/per-test';

/** --from a source that can be read only once (hostile trial, issue 17): a named pipe, /dev/stdin, <(command). */
describe('--from a pipe', () => {
  const sf = useEmulator(createSalesforceEmulator);
  const source = useSourceFile('unused.csv', '');
  const fifo = (name: string) => {
    const path = join(source.dir, name);
    execFileSync('mkfifo', [path]);
    return path;
  };
  const contacts = () => sf.emulator.org.all('Contact').map((c) => c.LastName).sort();

  it('a named pipe is read once, as it comes (the engine reads the copy twice); the sync is named after it; a rerun through it changes nothing', async () => {
    const pipe = fifo('people.csv');
    const report = join(source.dir, 'r.json');
    for (const expected of ['created', 'unchanged']) {
      const written = writeFile(pipe, SF_CSV);
      const out = await cli(salesforceSync(sf.url, '--from', pipe, '--state-dir', join(source.dir, 's'), '--report', report), SF_ENV);
      await written;
      expect(out.code, out.stderr).toBe(0);
      expect(readReport(report).records.map((r) => r.outcome)).toEqual([expected, expected]);
      expect(readReport(report).source).toBe(pipe);
    }
    expect(contacts()).toEqual(['Lovelace', 'Turing']);
    expect(readdirSync(source.dir).sort()).toEqual(['people.csv', 'r.json', 's', 'unused.csv']);
  });

  it('/dev/stdin (a pipe, as <(command) gives /dev/fd/63) in a real process: read once, with --format and --sync-name; without them, format_required / sync_name_required before anything is sent', async () => {
    const base = salesforceSync(sf.url, '--from', '/dev/stdin', '--state-dir', join(source.dir, 's'));
    const ok = startBin([...base, '--format', 'csv', '--sync-name', 'people'], { env: SF_ENV, stdin: SF_CSV });
    expect((await ok.exited).code, ok.output.stderr).toBe(0);
    expect(contacts()).toEqual(['Lovelace', 'Turing']);
    const requests = sf.emulator.requests.length;
    const noFormat = startBin([...base, '--sync-name', 'people'], { env: SF_ENV, stdin: SF_CSV });
    expect((await noFormat.exited).code).toBe(2);
    expect(noFormat.output.stderr).toBe('error (format_required): --from "/dev/stdin" is a pipe, read once as it comes, and its name does not tell its format: give --format csv, ndjson or json.\n');
    const noName = startBin([...base, '--format', 'csv'], { env: SF_ENV, stdin: SF_CSV });
    expect((await noName.exited).code).toBe(2);
    expect(noName.output.stderr).toBe('error (sync_name_required): --from "/dev/stdin" is a pipe with no file name to name the sync after: give --sync-name (the same one on every run of this sync).\n');
    expect(sf.emulator.requests.length).toBe(requests);
  }, 60_000);

  it('SIGTERM while the run waits for a pipe nobody writes to: the process stops at once with the stopped summary and its report, exit 130', async () => {
    const pipe = fifo('people.csv');
    const report = join(source.dir, 'r.json');
    const bin = startBin(salesforceSync(sf.url, '--from', pipe, '--state-dir', join(source.dir, 's'), '--report', report), { env: SF_ENV });
    try {
      await until(() => hasOpen(bin.child.pid as number, pipe), 60_000, 'the run to open the pipe');
      bin.child.kill('SIGTERM');
      const { code } = await bin.exited;
      expect(code, bin.output.stderr).toBe(130);
      expect(bin.output.stdout).toContain('STOPPED (interrupted)');
      expect(readReport(report)).toMatchObject({ status: 'stopped', reason: { code: 'interrupted' } });
      expect(sf.emulator.org.all('Contact')).toEqual([]);
    } finally {
      bin.child.kill('SIGKILL');
    }
  }, 90_000);
});

describe('byte limits from the environment (trial 20b NEW-5: a bad value was ignored without a word)', () => {
  const sf = useEmulator(createSalesforceEmulator);
  const source = useSourceFile('people.csv', SF_CSV);
  for (const name of ['SYNCMODES_MAX_STREAM_BYTES', 'SYNCMODES_MAX_ANSWER_BYTES']) {
    it(`${name}=16GB: refused invalid_config naming it, exit 2, before the state or the report is opened; nothing sent`, async () => {
      const report = join(source.dir, `${name}.json`);
      process.env[name] = '16GB';
      try {
        const out = await cli(salesforceSync(sf.url, '--from', source.file, '--state-dir', join(source.dir, 's'), '--report', report), SF_ENV);
        expect(out.code).toBe(2);
        // Refused before anything is opened, like any invalid setting: no report either.
        expect(existsSync(report)).toBe(false);
        expect(out.stderr).toContain(`error (invalid_config): ${name} is "16GB": it must be a whole number of bytes above 0`);
      } finally {
        delete process.env[name];
      }
      expect(sf.emulator.requests.length).toBe(0);
      expect(sf.emulator.org.all('Contact')).toEqual([]);
      // Refused before the state is opened: no state made, no run listed (fresh trial on #17).
      expect(existsSync(join(source.dir, 's'))).toBe(false);
    });
  }
});
