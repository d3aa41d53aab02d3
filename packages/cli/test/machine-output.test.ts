/* eslint-disable no-control-regex -- these tests look for control characters in the output */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SyncReport } from '@syncmodes/connector-kit';
import type { JsonReportFile } from '../src/output/report-stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { cliWith, readReport, tempDir } from './cli-helpers';

const CSV = 'Customer Id,Email,Last Name\nA1,ada@example.com,Lovelace\nB2,alan@example.com,Turing\nC3,not-an-email,Hopper\n';
const MAP = ['--id', 'Customer Id', '--map', 'Email=Email', '--map', 'LastName=Last Name'];

describe('machine-readable output (issue 15)', () => {
  let dir: string;
  let file: string;
  let base: string[];
  beforeEach(() => {
    dir = tempDir();
    file = join(dir, 'people.csv');
    writeFileSync(file, CSV);
    base = ['sync', '--to', 'salesforce', '--emulator', '--mode', 'additive', '--state-dir', join(dir, 's'), ...MAP];
  });

  it('--json prints exactly one JSON object on stdout: the summary with counts, codes, calls and the exit code', async () => {
    const out = await cliWith([...base, '--from', file, '--json']);
    expect(out.code).toBe(1);
    const summary = JSON.parse(out.stdout) as Record<string, unknown>;
    expect(out.stdout.trim().split('\n')).toHaveLength(1);
    expect(summary).toMatchObject({
      exitCode: 1,
      status: 'completed',
      destination: 'salesforce',
      mode: 'additive',
      syncName: 'people',
      source: file,
      counts: { created: 2, failed: 1 },
      report: null,
    });
    expect(summary).not.toHaveProperty('records');
    expect(Object.keys((summary.codes as SyncReport['codes']).failed)).toHaveLength(1);
    expect(out.stderr).not.toContain('outcome'); // the table is not printed anywhere
  });

  it('--json with a usage error still prints one JSON object on stdout, and the message on stderr (exit 2)', async () => {
    const out = await cliWith([...base, '--from', join(dir, 'missing.csv'), '--json']);
    expect(out.code).toBe(2);
    expect(JSON.parse(out.stdout)).toEqual({ exitCode: 2, status: 'error', error: { code: 'file_not_found', message: expect.stringContaining('missing.csv') } });
    expect(out.stderr).toMatch(/^error \(file_not_found\)/);
  });

  it('--report - writes the JSON report on stdout and nothing else there; the table goes to stderr; no file named "-"', async () => {
    const out = await cliWith([...base, '--from', file, '--report', '-'], { env: {} });
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout) as JsonReportFile;
    expect(report.records.map((r) => [r.row, r.outcome])).toEqual([
      [2, 'created'],
      [3, 'created'],
      [4, 'failed'],
    ]);
    expect(out.stderr).toContain('created');
    expect(out.stderr).not.toContain('Report: -');
    expect(existsSync('-')).toBe(false);
  });

  it('--json and --report - together are refused: both write to stdout', async () => {
    const out = await cliWith([...base, '--from', file, '--report', '-', '--json']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--json and --report - both write to stdout');
  });

  it('--quiet prints no table and no progress: only the failures, on stderr; stdout stays empty', async () => {
    const out = await cliWith([...base, '--from', file, '--quiet', '--report', join(dir, 'r.json')], { stderrTTY: true });
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: 1 record\(s\) failed: \w+ \(1\)$/)]);
    expect(readReport(join(dir, 'r.json')).counts.created).toBe(2);
    const clean = await cliWith([...base, '--from', file, '--quiet']);
    expect(clean.stdout).toBe('');
    expect(clean.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--from - reads CSV from stdin with --format and --sync-name; the report names the source "stdin"', async () => {
    const out = await cliWith([...base, '--from', '-', '--format', 'csv', '--sync-name', 'people', '--report', join(dir, 'r.json')], { stdin: CSV });
    expect(out.code).toBe(1);
    const report = readReport(join(dir, 'r.json'));
    expect(report.source).toBe('stdin');
    expect(report.counts).toMatchObject({ created: 2, failed: 1 });
    // The same sync as the file of the same name: a rerun from the file changes nothing.
    const again = await cliWith([...base, '--from', file, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ counts: { unchanged: 2, created: 0 } });
    const data = JSON.parse(readFileSync(join(dir, 's', 'emulators', 'salesforce.json'), 'utf8')) as { Contact: unknown[] };
    expect(data.Contact).toHaveLength(2);
  });

  it('--from - reads NDJSON from stdin', async () => {
    const ndjson = '{"id":"1","email":"a@example.com","name":"A"}\n{"id":"2","email":"b@example.com","name":"B"}\n';
    const out = await cliWith(['sync', '--to', 'salesforce', '--emulator', '--state-dir', join(dir, 's'), '--from', '-', '--format', 'ndjson', '--sync-name', 'feed', '--id', 'id', '--map', 'Email=email', '--map', 'LastName=name', '--json'], { stdin: ndjson });
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ source: 'stdin', syncName: 'feed', counts: { created: 2 } });
  });

  it.each([
    [['--from', '-', '--sync-name', 'x'], 'format_required', /--format csv, ndjson or json/],
    [['--from', '-', '--format', 'csv'], 'sync_name_required', /--sync-name/],
  ])('--from - without what it needs is a usage error: %j', async (extra, code, message) => {
    const out = await cliWith([...base, ...extra], { stdin: CSV });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(`error (${code})`);
    expect(out.stderr).toMatch(message);
  });
});

describe('terminal-safe output (issue 17, item 10)', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });

  it('a value with an escape sequence, a NUL or a C1 control never reaches the terminal raw: summary, errors and logs escape it', async () => {
    // Ids with control characters fail (invalid_id) and are named by row; the file's name, a
    // last name and the ids' error messages still carry the sequences to the output paths.
    const file = join(dir, 'evil\x1b[2J\x9b31m.csv');
    writeFileSync(file, 'Customer Id,Email,Last Name\n"X\x1b[2J1",bad-email,"Evil\x9b31m"\n"Y\x002",ok@example.com,Fine\n');
    const args = ['sync', '--to', 'salesforce', '--emulator', '--state-dir', join(dir, 's'), '--from', file, ...MAP, '--log-level', 'debug', '--log-format', 'pretty', '--no-progress'];
    // NO_COLOR: the CLI's own output has no escape sequence at all, so any would come from the data.
    const out = await cliWith(args, { stderrTTY: true, stdoutTTY: true, env: { NO_COLOR: '1' } });
    expect(out.code).toBe(1);
    for (const text of [out.stdout, out.stderr]) expect(text).not.toMatch(/[\u0000\u001b\u009b]/);
    expect(out.stdout).toContain('evil\\x1b[2J\\x9b31m.csv');
    expect(out.stdout).toContain('invalid_id (2)');
    // With colour on, the data's sequences are still escaped.
    const coloured = await cliWith(args, { stderrTTY: true, stdoutTTY: true });
    for (const text of [coloured.stdout, coloured.stderr]) expect(text).not.toMatch(/\u001b\[2J|[\u0000\u009b]/);
  });

  it('a bidirectional override (U+202E) or isolate in an id fails the row invalid_id (trial 20b N2), and never reaches the summary raw: it cannot reverse how the line reads', async () => {
    const file = join(dir, 'rtl.csv');
    writeFileSync(file, 'Customer Id,Email,Last Name\ne5\u202eRTL,e5@example.com,R\nf6\u2067x,f6@example.com,S\n');
    const out = await cliWith(['sync', '--to', 'salesforce', '--emulator', '--state-dir', join(dir, 's'), '--from', file, ...MAP, '--no-progress'], { stdoutTTY: true, env: { NO_COLOR: '1' } });
    expect(out.code).toBe(1);
    expect(out.stdout).not.toMatch(/[\u202e\u2067]/);
    expect(out.stdout).toMatch(/invalid_id +│? *2|invalid_id.*\b2\b/);
  });

  it('a source column named with an escape sequence is escaped in the error message', async () => {
    const file = join(dir, 'cols.csv');
    writeFileSync(file, 'Customer Id,"Em\x1b[2Jail"\nA1,a@example.com\n');
    const out = await cliWith(['sync', '--to', 'salesforce', '--emulator', '--state-dir', join(dir, 's'), '--from', file, '--id', 'Customer Id', '--map', 'Email=Email']);
    expect(out.code).toBe(2);
    expect(out.stderr).not.toContain('\x1b');
    expect(out.stderr).toContain('Em\\x1b[2Jail');
  });

  it('JSON output keeps the data (C0 escaped by JSON) and escapes C1 controls as \\u00XX; a C1 control in an id fails the row invalid_id (trial 20b N2)', async () => {
    const file = join(dir, 'c1.csv');
    writeFileSync(file, 'Customer Id,Email,Last Name\n"Z\x9b9",bad,Nine\nY8,bad,"Ni\x9bne"\n');
    const out = await cliWith(['sync', '--to', 'salesforce', '--emulator', '--state-dir', join(dir, 's'), '--from', file, ...MAP, '--report', '-']);
    expect(out.stdout).not.toMatch(/[\u0000-\u0008\u001b\u007f-\u009f]/);
    const records = (JSON.parse(out.stdout) as JsonReportFile).records;
    expect(records.map((r) => r.code)).toEqual(['invalid_id', 'invalid_email']);
  });

  it('syncmodes runs and runs show escape a sync name with an escape sequence, a NUL or a C1 control (as the summary does); --json escapes C1 as \\u00XX', async () => {
    const file = join(dir, 'p.csv');
    writeFileSync(file, CSV);
    const name = 'crm\x1b]0;owned\x07\x1b[2J\x9b31m\x00x';
    const stateDir = join(dir, 's');
    expect((await cliWith(['sync', '--to', 'salesforce', '--emulator', '--state-dir', stateDir, '--from', file, ...MAP, '--sync-name', name])).code).toBe(1); // C3's email is refused
    const listed = await cliWith(['runs', '--state-dir', stateDir], { stdoutTTY: true, env: { NO_COLOR: '1' } });
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(listed.stdout).toContain('crm\\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\0x');
    const json = await cliWith(['runs', '--state-dir', stateDir, '--json']);
    expect(json.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    const runs = JSON.parse(json.stdout) as { runId: string; syncName: string }[];
    expect(runs[0]?.syncName).toBe(name);
    const shown = await cliWith(['runs', 'show', runs[0]?.runId as string, '--state-dir', stateDir], { stdoutTTY: true, env: { NO_COLOR: '1' } });
    expect(shown.code).toBe(0);
    expect(shown.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(shown.stdout).toContain('of sync crm\\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\0x');
    // Fresh new-user check 120: a prefix of the id, as `state` takes a sync's, is enough; too short or unknown says how to give it.
    const runId = runs[0]?.runId as string;
    const byPrefix = await cliWith(['runs', 'show', runId.slice(0, 8), '--state-dir', stateDir]);
    expect(byPrefix.code).toBe(0);
    expect(byPrefix.stdout).toContain(`Run ${runId} of sync`);
    const unknown = await cliWith(['runs', 'show', 'ffffffff', '--state-dir', stateDir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No run "ffffffff" in the run history: give its id or a unique prefix of at least 4 characters');
  });

  it('logs are JSON lines when stderr is not a terminal, pretty on a terminal, and --log-format overrides both', async () => {
    const file = join(dir, 'p.csv');
    writeFileSync(file, CSV);
    const args = ['sync', '--to', 'salesforce', '--emulator', '--state-dir', join(dir, 's'), '--from', file, ...MAP, '--log-level', 'info', '--no-progress'];
    const jsonLines = (await cliWith(args)).stderr.split('\n').filter((l) => l.startsWith('{'));
    expect(jsonLines.length).toBeGreaterThan(0);
    expect(JSON.parse(jsonLines[0] as string)).toMatchObject({ level: 30, msg: expect.any(String) });
    const pretty = await cliWith(args, { stderrTTY: true, env: {} });
    expect(pretty.stderr).toContain('\x1b[32mINFO\x1b[39m'); // coloured on a terminal
    expect(pretty.stderr.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/\[\d\d:\d\d:\d\d\.\d{3}\] INFO: source scanned/);
    const noColor = await cliWith(args, { stderrTTY: true, env: { NO_COLOR: '1' } });
    expect(noColor.stderr).toMatch(/INFO: source scanned/);
    expect(noColor.stderr).not.toContain('\x1b');
    const forcedJson = await cliWith([...args, '--log-format', 'json'], { stderrTTY: true });
    expect(forcedJson.stderr.split('\n').some((l) => l.startsWith('{"level":30'))).toBe(true);
    const forcedPretty = await cliWith([...args, '--log-format', 'pretty']);
    expect(forcedPretty.stderr).toMatch(/INFO: source scanned/);
  });
});
