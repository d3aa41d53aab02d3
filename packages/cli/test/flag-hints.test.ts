import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkDeletionGuard, KIT_CODES, openSource, parseConfig, resolveSyncMode, SqliteStateStore } from '@syncmodes/connector-kit';
import { ambiguousAudience } from '@syncmodes/facebook';
import { destination as salesforce } from '@syncmodes/salesforce';
import { createSalesforceEmulator, EMULATOR_ACCESS_TOKEN } from '@syncmodes/salesforce/emulator';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FLAG_HINTS, withFlags } from '../src/output/flag-hints';
import { cli, readReport, tempDir } from './cli-helpers';

/** Library wording a CLI user must never see: runSync options, kit classes, the config object. */
const LIBRARY_WORDS = /guard\.|deletePolicy|waitForOtherRunMs|multilineValues|maxRateLimitWaitMs|groupIds|openSource|SqliteStateStore|the mode option|config\.\w|mapping's fields/;

const thrown = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
};

/** Real kit messages, by code, for the codes whose wording the CLI translates. */
function kitSamples(dir: string): Record<string, string[]> {
  const folder = join(dir, 'folder.sqlite');
  mkdirSync(folder);
  const empty = join(dir, 'empty.sqlite');
  writeFileSync(empty, '');
  const other = join(dir, 'other.sqlite');
  new Database(other).exec('CREATE TABLE notes (id INTEGER)');
  const facts = { plannedDeletes: 20, ownedRecords: 30, sourceRecords: 10, stateRecords: 30 };
  return {
    deletion_guard: [checkDeletionGuard(facts)?.message ?? '', checkDeletionGuard(facts, { maxDeletes: 5 })?.message ?? ''],
    empty_source: [checkDeletionGuard({ ...facts, sourceRecords: 0 })?.message ?? ''],
    unsupported_mode: [thrown(() => resolveSyncMode({ id: 'x', syncModes: ['sync', 'enrich'] })).message],
    unknown_format: [thrown(() => openSource('people.xlsx', { idColumn: 'id', fields: {} })).message],
    format_required: [],
    state_unreadable: [folder, empty, other].map((path) => thrown(() => new SqliteStateStore(path)).message),
    invalid_config: [thrown(() => parseConfig(salesforce, { instanceUrl: 'http://127.0.0.1:1' })).message],
    not_owned: [],
    match_key_not_mapped: [],
    ambiguous_group: [ambiguousAudience('Newsletter', ['1', '2']).message],
    audience_not_found: [],
    unknown_object: [],
    rate_limited: [],
    malformed_row: [],
    unknown_column: [],
  };
}

describe('the CLI names flags where the kit names runSync options', () => {
  it('every hint matches a real kit message or its code’s "what to do"; translated, no library wording is left', () => {
    const samples = kitSamples(tempDir());
    for (const [code, hints] of Object.entries(FLAG_HINTS)) {
      const texts = [...(samples[code] ?? []), (KIT_CODES as Record<string, { action: string }>)[code]?.action ?? ''];
      for (const hint of hints) {
        // Each library wording still occurs in what the kit says for this code (or the run tests below prove it).
        const seen = texts.some((t) => new RegExp(hint.library.source).test(t));
        const provenByRun = ['not_owned', 'match_key_not_mapped', 'ambiguous_group', 'audience_not_found', 'unknown_object', 'malformed_row', 'unknown_column'].includes(code);
        expect(seen || provenByRun, `${code}: ${hint.library}`).toBe(true);
      }
      for (const text of texts) expect(withFlags(code, text), code).not.toMatch(LIBRARY_WORDS);
    }
    expect(withFlags('deletion_guard', samples.deletion_guard?.[0] ?? '')).toContain('allow it with --allow-deletes 20.');
    expect(withFlags('deletion_guard', KIT_CODES.deletion_guard.action)).toBe('Check the input, or allow it with --allow-deletes <n>.');
    expect(withFlags('state_unreadable', samples.state_unreadable?.[2] ?? '')).toContain('Point --state-dir elsewhere, or start over: run with --reset-state');
    expect(withFlags('unknown_format', samples.unknown_format?.[0] ?? '')).toContain('or pass --format (csv, ndjson or json)');
    expect(withFlags('not_found', 'not_found text with guard.maxDeletes')).toBe('not_found text with guard.maxDeletes');
  });

  it('a missing secret names its environment variable (sync and check), never a value', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'people.csv'), 'id,Email,LastName\n1,a@example.com,A\n');
    const sync = await cli(['sync', '--to', 'salesforce', '--option', 'instanceUrl=http://127.0.0.1:9', '--from', join(dir, 'people.csv'), '--id', 'id', '--map', 'Email=Email', '--state-dir', join(dir, 's')]);
    expect(sync.code).toBe(2);
    expect(sync.stderr).toMatch(/^error \(missing_secret\): Salesforce needs accessToken: set the SALESFORCE_ACCESS_TOKEN environment variable/);
    const check = await cli(['check', '--to', 'salesforce', '--option', 'instanceUrl=http://127.0.0.1:9', '--json']);
    expect(check.code).toBe(2);
    expect(JSON.parse(check.stdout)).toMatchObject({ status: 'error', error: { code: 'missing_secret' } });
    expect(check.stdout).toContain('SALESFORCE_ACCESS_TOKEN');
  });

  it('an endpoint URL that is not http(s) is refused invalid_config before anything is read; --emulator with the address option given is refused emulator_conflict (second trial of stop 31)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'people.csv'), 'id,Email,LastName\n1,a@example.com,A\n');
    for (const url of ['ftp://127.0.0.1/x', 'javascript:alert(1)']) {
      const out = await cli(['sync', '--to', 'salesforce', '--option', `instanceUrl=${url}`, '--from', join(dir, 'people.csv'), '--id', 'id', '--map', 'Email=Email', '--state-dir', join(dir, 's')], { SALESFORCE_ACCESS_TOKEN: 'tok' });
      expect(out.code).toBe(2);
      expect(out.stderr).toContain('must be an http:// or https:// URL');
    }
    const both = await cli(['sync', '--to', 'salesforce', '--emulator', '--option', 'instanceUrl=https://acme.my.salesforce.com', '--from', join(dir, 'people.csv'), '--id', 'id', '--map', 'Email=Email', '--state-dir', join(dir, 's')], {});
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/emulator_conflict/);
    expect(both.stderr).toContain('"instanceUrl" is set by --emulator');
  });

  it('a password in an endpoint URL is refused, never stored in state or repeated (trial of stop 25: state list printed it)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'people.csv'), 'id,Email,LastName\n1,a@example.com,A\n');
    for (const [to, option, env] of [
      ['salesforce', 'instanceUrl', { SALESFORCE_ACCESS_TOKEN: 'tok' }],
      ['intercom', 'baseUrl', { INTERCOM_ACCESS_TOKEN: 'tok' }],
    ] as const) {
      const out = await cli(['sync', '--to', to, '--option', `${option}=http://user:Pw-9f3k@127.0.0.1:9`, '--from', join(dir, 'people.csv'), '--id', 'id', '--map', 'Email=Email', '--state-dir', join(dir, 's')], env);
      expect(out.code).toBe(2);
      expect(out.stderr).toContain('must not hold a user name or password');
      expect(`${out.stdout}${out.stderr}`).not.toContain('Pw-9f3k');
    }
    const list = await cli(['state', 'list', '--state-dir', join(dir, 's')]);
    expect(`${list.stdout}${list.stderr}`).not.toContain('Pw-9f3k');
  });

  it('a token in an endpoint URL\'s query string or fragment is refused, never stored or repeated (trial of stop 26)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'people.csv'), 'id,Email,LastName\n1,a@example.com,A\n');
    for (const url of ['http://127.0.0.1:9/?token=Tk-7q2x', 'http://127.0.0.1:9/#Tk-7q2x', 'http://127.0.0.1:9?access_token=Tk-7q2x']) {
      const out = await cli(['sync', '--to', 'salesforce', '--option', `instanceUrl=${url}`, '--from', join(dir, 'people.csv'), '--id', 'id', '--map', 'Email=Email', '--state-dir', join(dir, 's')], { SALESFORCE_ACCESS_TOKEN: 'tok' });
      expect(out.code).toBe(2);
      expect(out.stderr).toContain('must not hold a query string');
      expect(`${out.stdout}${out.stderr}`).not.toContain('Tk-7q2x');
    }
    const list = await cli(['state', 'list', '--state-dir', join(dir, 's')]);
    expect(`${list.stdout}${list.stderr}`).not.toContain('Tk-7q2x');
  });
});

describe('kit refusals and skips through the CLI name flags (Salesforce emulator)', () => {
  let emulator: ReturnType<typeof createSalesforceEmulator>;
  let url: string;
  let dir: string;
  const env = { SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN };
  beforeEach(async () => {
    emulator = createSalesforceEmulator();
    url = await emulator.start();
    dir = tempDir();
  });
  afterEach(() => emulator.stop());

  const csv = (name: string, rows: string[], header = 'id,Email,LastName,Segments') => {
    const path = join(dir, name);
    writeFileSync(path, `${[header, ...rows].join('\n')}\n`);
    return path;
  };
  const person = (i: number, segments = '') => `${i},p${i}@example.com,Person ${i},${segments}`;
  const sync = (from: string, extra: string[] = []) =>
    cli(['sync', '--to', 'salesforce', '--option', `instanceUrl=${url}`, '--from', from, '--sync-name', 'people', '--id', 'id', '--map', 'Email=Email', '--map', 'LastName=LastName', '--state-dir', join(dir, 'state'), '--no-progress', ...extra], env);

  it('deletion guard: the table, --json and the JSON report say --allow-deletes <n>, never guard.maxDeletes; the flag then allows it', async () => {
    const all = Array.from({ length: 30 }, (_, i) => person(i + 1));
    expect((await sync(csv('all.csv', all), ['--mode', 'sync'])).code).toBe(0);
    const fewer = csv('fewer.csv', all.slice(0, 20));
    const table = await sync(fewer, ['--mode', 'sync', '--report', join(dir, 'r.json')]);
    expect(table.code).toBe(3);
    expect(table.stdout).toContain('REFUSED (deletion_guard)');
    expect(table.stdout).toContain('allow it with --allow-deletes 10.');
    expect(table.stdout + table.stderr).not.toMatch(LIBRARY_WORDS);
    expect(readReport(join(dir, 'r.json')).reason?.message).toContain('--allow-deletes 10');
    const json = await sync(fewer, ['--mode', 'sync', '--json']);
    expect((JSON.parse(json.stdout) as { reason: { message: string } }).reason.message).toContain('--allow-deletes 10');
    expect(json.stdout).not.toMatch(LIBRARY_WORDS);
    expect((await sync(fewer, ['--mode', 'sync', '--allow-deletes', '10'])).code).toBe(0);
    expect(emulator.org.all('Contact')).toHaveLength(20);

    const empty = await sync(csv('empty.csv', []), ['--mode', 'sync', '--quiet']);
    expect(empty.code).toBe(3);
    expect(empty.stderr).toContain('error (empty_source)');
    expect(empty.stderr).toContain('allow it with --allow-empty-source.');
    expect(empty.stderr).not.toMatch(LIBRARY_WORDS);
  });

  it('a record this sync did not create leaves the source: skipped not_owned, and the table and report name --delete-policy matched', async () => {
    emulator.seed({ Contact: [{ LastName: 'Existing', Email: 'p1@example.com' }] });
    expect((await sync(csv('both.csv', [person(1), person(2)]), ['--mode', 'sync'])).code).toBe(0);
    const out = await sync(csv('one.csv', [person(2)]), ['--mode', 'sync', '--report', join(dir, 'r.json')]);
    expect(out.code).toBe(0);
    const entry = readReport(join(dir, 'r.json')).records.find((r) => r.id === '1');
    expect(entry).toMatchObject({ outcome: 'skipped', code: 'not_owned' });
    expect(entry?.message).toContain('(--delete-policy matched widens deletes)');
    expect(out.stdout).toContain('--delete-policy matched widens deletes');
    expect(out.stdout).not.toMatch(LIBRARY_WORDS);
    expect(emulator.org.all('Contact').map((c) => c.Email).sort()).toEqual(['p1@example.com', 'p2@example.com']);
  });

  it('a quoted value over lines that look like rows: malformed_row naming --multiline-values trust, nothing deleted; with that flag the value is read as it is', async () => {
    const rows = [person(1), person(2), person(3), person(4)];
    expect((await sync(csv('all.csv', rows), ['--mode', 'sync'])).code).toBe(0);
    const notes = csv('notes.csv', [person(1), '2,p2@example.com,"Person 2', '3,p3@example.com,Person 3",', person(4)]);
    const out = await sync(notes, ['--mode', 'sync', '--report', join(dir, 'r.json')]);
    const entries = readReport(join(dir, 'r.json')).records.filter((r) => r.code === 'malformed_row');
    expect(entries.map((r) => r.row)).toEqual([3, 4]);
    expect(entries[0]?.message).toContain("read it as it is with --multiline-values trust.");
    expect(out.stdout + out.stderr).not.toMatch(LIBRARY_WORDS);
    expect(emulator.org.all('Contact')).toHaveLength(4); // source_incomplete: nothing deleted
    const trusted = await sync(notes, ['--mode', 'sync', '--multiline-values', 'trust', '--allow-deletes', '1', '--report', join(dir, 'r2.json')]);
    expect(trusted.code).toBe(0);
    expect(readReport(join(dir, 'r2.json')).records.find((r) => r.id === '2')).toMatchObject({ outcome: 'updated' });
    expect(emulator.org.all('Contact').find((c) => c.Email === 'p2@example.com')?.LastName).toBe('Person 2\n3,p3@example.com,Person 3');
  });

  it('a file separated by ";" (or tabs) refused unknown_column naming --delimiter, nothing sent; with --delimiter the rows are read (seventh trial of stop 28)', async () => {
    const semi = csv('semi.csv', ['1;p1@example.com;Person 1', '2;p2@example.com;"Person; 2"'], 'id;Email;LastName');
    const refused = await sync(semi);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`error (unknown_column): The source has no column "id", "Email", "LastName". Columns found: "id;Email;LastName". The header looks separated by ";", not ",": read the file with --delimiter ';'.`);
    expect(emulator.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect((await sync(semi, ['--delimiter', ';'])).code).toBe(0);
    expect(emulator.org.all('Contact').map((c) => c.LastName).sort()).toEqual(['Person 1', 'Person; 2']);
    const tabs = csv('tabs.csv', ['3\tp3@example.com\tPerson 3'], 'id\tEmail\tLastName');
    expect((await sync(tabs)).stderr).toContain('read the file with --delimiter tab.');
    expect((await sync(tabs, ['--delimiter', 'tab', '--sync-name', 'tabs'])).code).toBe(0);
    expect(emulator.org.all('Contact')).toHaveLength(3);
    const bad = await sync(semi, ['--delimiter', ';;']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/delimiter/);
  });

  it('an unmapped match key names --map', async () => {
    const out = await cli(
      ['sync', '--to', 'salesforce', '--option', `instanceUrl=${url}`, '--from', csv('p.csv', [person(1)]), '--id', 'id', '--map', 'LastName=LastName', '--state-dir', join(dir, 'state')],
      env,
    );
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^error \(match_key_not_mapped\): .*map a source column to it \(--map <field>=<column>\)/);
    expect(out.stderr).not.toMatch(LIBRARY_WORDS);
  });

  it('two campaigns with one name: refused naming --group-id; --group-id pins one and the member joins that campaign only', async () => {
    emulator.seed({ Campaign: [{ Name: 'Twins' }, { Name: 'Twins' }] });
    const [first, second] = emulator.org.all('Campaign').map((c) => String(c.Id));
    const from = csv('groups.csv', [person(1, 'Twins')]);
    const refused = await sync(from, ['--groups', 'Segments']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('error (ambiguous_group)');
    expect(refused.stderr).toContain(`pin the id with --group-id "<name>=<id>"`);
    expect(refused.stderr).toContain(String(first));
    expect(refused.stderr).not.toMatch(LIBRARY_WORDS);
    expect(emulator.org.all('Contact')).toEqual([]);

    const pinned = await sync(from, ['--groups', 'Segments', '--group-id', `Twins=${second}`]);
    expect(pinned.code).toBe(0);
    const members = emulator.org.all('CampaignMember');
    expect(members).toHaveLength(1);
    expect(members[0]?.CampaignId).toBe(second);
  });

  it('a state file of another application: --state-dir and --reset-state, not the library’s SqliteStateStore', async () => {
    mkdirSync(join(dir, 'state'));
    new Database(join(dir, 'state', 'state.sqlite')).exec('CREATE TABLE notes (id INTEGER)');
    const out = await sync(csv('p.csv', [person(1)]));
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^error \(state_unreadable\): /);
    expect(out.stderr).toContain('Point --state-dir elsewhere, or start over: run with --reset-state');
    expect(out.stderr).not.toMatch(LIBRARY_WORDS);
  });
});
