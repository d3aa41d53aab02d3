import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonReportStream } from '../src/output/report-stream';
import { cli, tempDir } from './cli-helpers';

/** What a process that ends hard (a second Ctrl-C: process.exit mid-run) leaves behind (#17). */
describe('a hard exit never destroys an earlier report', () => {
  it('the JSON report is written beside the old one and replaces it only when closed', async () => {
    const dir = tempDir();
    const path = join(dir, 'report.json');
    writeFileSync(path, '{"old":"valid"}');
    const stream = new JsonReportStream(path, []);
    stream.write({ id: 'a', row: 1, outcome: 'created', action: 'create' });
    // Mid-run (what a hard exit would leave): the earlier report is intact.
    expect(readFileSync(path, 'utf8')).toBe('{"old":"valid"}');
    const partial = readdirSync(dir).filter((f) => f.startsWith('report.json.partial-'));
    expect(partial).toHaveLength(1);
    await stream.close();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ records: [{ id: 'a', row: 1, outcome: 'created', action: 'create' }], complete: false });
    expect(readdirSync(dir)).toEqual(['report.json']);
  });
});

describe('--json and errors found while parsing the options', () => {
  it('an unknown option or a bad value still gives one JSON error object on stdout (exit 2)', async () => {
    for (const argv of [['sync', '--bogus-flag', '--json'], ['state', 'list', '--bogus', '--json']]) {
      const out = await cli(argv);
      expect(out.code).toBe(2);
      expect(JSON.parse(out.stdout)).toMatchObject({ exitCode: 2, status: 'error', error: { code: 'usage_error' } });
      expect(out.stdout).not.toMatch(/^error:/m);
    }
    const plain = await cli(['sync', '--bogus-flag']);
    expect(plain.stdout).toBe('');
  });
});

describe('a run that ends in an error after its JSON report was opened', () => {
  it('leaves valid JSON saying why: status error, the code and message, complete false (second trial of stop 31: a bare stub)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'people.csv'), 'id,Email,LastName\n1,a@example.com,A\n');
    const report = join(dir, 'r.json');
    const out = await cli(['sync', '--to', 'salesforce', '--emulator', '--from', join(dir, 'people.csv'), '--id', 'id', '--map', 'Email=Nope', '--state-dir', join(dir, 's'), '--report', report, '--no-progress'], {});
    expect(out.code).toBe(2);
    const written = JSON.parse(readFileSync(report, 'utf8')) as { status?: string; error?: { code: string; message: string }; complete?: boolean };
    expect(written).toMatchObject({ status: 'error', error: { code: 'unknown_column' }, complete: false });
    expect(written.error?.message).toContain('Nope');
  });
});
