import { existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './cli-helpers';
import { SF_CSV, SF_MAP } from './fixtures/per-test';

// Hostile trial: a truncated emulator data file (`<state-dir>/emulators/<id>.json`, or
// `syncmodes emulator --data`) made the CLI print `unexpected error: SyntaxError: Unterminated
// string in JSON … at new EmulatorServer (…)`. It is a usage error naming the file and what
// to do with it (invalid_emulator_data, exit 2); the file is left as it is.

describe('an emulator data file that is not the emulator data (truncated)', () => {
  it('sync --emulator: invalid_emulator_data naming the file, exit 2, nothing written; the file is kept as it was', async () => {
    const dir = tempDir();
    const source = join(dir, 'people.csv');
    writeFileSync(source, SF_CSV);
    const state = join(dir, 'st');
    const sync = () => cli(['sync', '--to', 'salesforce', '--emulator', '--mode', 'additive', '--from', source, ...SF_MAP, '--state-dir', state, '--no-progress']);
    expect((await sync()).code).toBe(0);
    const data = join(state, 'emulators', 'salesforce.json');
    truncateSync(data, 40);
    const truncated = readFileSync(data);
    const out = await sync();
    expect(out.code, out.stderr).toBe(2);
    expect(out.stderr).toMatch(/^error \(invalid_emulator_data\): Cannot load the Salesforce emulator's data from "[^"]*\/st\/emulators\/salesforce\.json": it is not valid JSON \(.*\); truncated or edited\?\. Nothing was sent\. Move it away \(or delete it\) to start the emulator empty on the next run\.\n$/);
    expect(out.stderr).not.toMatch(/unexpected error|SyntaxError|at new /);
    expect(out.stdout).toBe('');
    expect(readFileSync(data)).toEqual(truncated);
  });

  it('syncmodes emulator --data: invalid_emulator_data naming the file, exit 2; the file is kept as it was', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'd'));
    const data = join(dir, 'd', 'bad.json');
    writeFileSync(data, '{"contacts": [{"id": "1", "email": "a@exa');
    const out = await cli(['emulator', 'intercom', '--port', '0', '--data', data]);
    expect(out.code, out.stderr).toBe(2);
    expect(out.stderr).toMatch(/^error \(invalid_emulator_data\): Cannot load the Intercom emulator's data from "[^"]*bad\.json": it is not valid JSON \(.*\); truncated or edited\?\. Move it away \(or delete it\), or give --data another file, to start the emulator empty\.\n$/);
    expect(out.stdout).toBe('');
    expect(existsSync(data) && readFileSync(data, 'utf8')).toBe('{"contacts": [{"id": "1", "email": "a@exa');
  });
});
