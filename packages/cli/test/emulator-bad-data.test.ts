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

describe('an emulator data file that is valid JSON of another shape (re-trial of stop 23: Salesforce and Facebook took it as an empty account and saved over it)', () => {
  const cases = [
    ['salesforce', '[1,2]', /expected an object of records by object name/],
    ['salesforce', '{"Contact":"oops"}', /"Contact" is not a list of records/],
    ['salesforce', '{"Contact":[1]}', /a "Contact" record without a string Id/],
    ['salesforce', '{"Nope":[]}', /"Nope" is not an object this emulator knows/],
    ['facebook', '[1,2]', /it is not the Facebook emulator's data/],
    ['facebook', '{}', /it is not the Facebook emulator's data/],
    ['facebook', '{"audiences":[5]}', /it is not the Facebook emulator's data/],
  ] as const;
  for (const [id, text, why] of cases) {
    it(`${id}: ${text} → check --emulator refuses invalid_emulator_data (exit 2); the file is kept as it was`, async () => {
      const dir = tempDir();
      const state = join(dir, 'st');
      mkdirSync(join(state, 'emulators'), { recursive: true });
      const data = join(state, 'emulators', `${id}.json`);
      writeFileSync(data, text);
      const target = id === 'salesforce' ? ['--map', 'Email=Email'] : ['--option', 'adAccountId=act_123', '--option', 'audience=VIP', '--map', 'EMAIL=Email'];
      const out = await cli(['check', '--to', id, '--emulator', '--state-dir', state, ...target]);
      expect(out.code, out.stderr + out.stdout).toBe(2);
      expect(out.stderr).toMatch(/^error \(invalid_emulator_data\): Cannot load the (Salesforce|Facebook Custom Audiences) emulator's data from /);
      expect(out.stderr).toMatch(why);
      expect(readFileSync(data, 'utf8')).toBe(text);
    });
  }
});
