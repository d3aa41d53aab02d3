import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmulatorClient } from '@syncmodes/connector-kit/emulator';
import { createIntercomEmulator, EMULATOR_ACCESS_TOKEN as INTERCOM_TOKEN } from '@syncmodes/intercom/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, readReport, tempDir } from './cli-helpers';

// Reading the source exactly and converting values exactly, through the CLI against the
// emulators (issues #12 and #17).

type Contact = { Email?: string; Customer_Id__c?: string; FirstName?: string; LastName?: string; Subscription_Date__c?: string };
const salesforceContacts = (stateDir: string) =>
  (JSON.parse(readFileSync(join(stateDir, 'emulators', 'salesforce.json'), 'utf8')) as { Contact?: Contact[] }).Contact ?? [];

describe('Salesforce (--emulator): exact identifiers and dates', () => {
  it('writes a 2^53+1 external id (the match key) with every digit, keeps it apart from 2^53, and reads an epoch-ms date as that day', async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    const file = join(dir, 'people.ndjson');
    // JSON.parse would read both ids as 9007199254740992: one person written to the other's record.
    writeFileSync(
      file,
      [
        '{"customer":9007199254740993,"email":"odd@example.com","last":"Odd","since":1598400000000}',
        '{"customer":9007199254740992,"email":"even@example.com","last":"Even","since":1598400000}',
      ].join('\n'),
    );
    const report = join(dir, 'report.json');
    const argv = ['sync', '--to', 'salesforce', '--emulator', '--mode', 'additive', '--from', file, '--id', 'customer', '--map', 'Customer_Id__c=customer'];
    const run = (extra: string[] = []) =>
      cli([
        ...argv,
        '--map',
        'Email=email',
        '--map',
        'LastName=last',
        '--map',
        'Subscription_Date__c=since',
        '--option',
        'matchField=Customer_Id__c',
        '--state-dir',
        state,
        '--report',
        report,
        ...extra,
      ]);

    const first = await run();
    expect(first.code).toBe(0);
    expect(readReport(report).records.map((r) => [r.id, r.outcome])).toEqual([
      ['9007199254740993', 'created'],
      ['9007199254740992', 'created'],
    ]);
    const contacts = salesforceContacts(state);
    expect(contacts.map((c) => [c.Customer_Id__c, c.Email, c.Subscription_Date__c])).toEqual([
      ['9007199254740993', 'odd@example.com', '2020-08-26'],
      ['9007199254740992', 'even@example.com', '2020-08-26'],
    ]);
    const again = await run();
    expect(again.code).toBe(0);
    expect(readReport(report).counts).toMatchObject({ unchanged: 2, created: 0, updated: 0 });
    expect(salesforceContacts(state)).toHaveLength(2);
  });
});

describe('Salesforce (--emulator): a stray pair of quotes in sync mode', () => {
  it('fails the merged row at its file line, and deletes none of the people it swallowed', async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    // 100 people, 6 swallowed: under the deletion guard's 10%, so only the source check stands between them and deletion.
    const rows = Array.from({ length: 100 }, (_, i) => `C${i + 1},p${i + 1}@example.com,Last${i + 1}`);
    const write = (lines: string[]) => {
      const file = join(dir, 'people.csv');
      writeFileSync(file, `${['Customer Id,Email,Last Name', ...lines].join('\n')}\n`);
      return file;
    };
    const report = join(dir, 'report.json');
    const run = (file: string) =>
      cli([
        'sync',
        '--to',
        'salesforce',
        '--emulator',
        '--mode',
        'sync',
        '--from',
        file,
        '--id',
        'Customer Id',
        '--map',
        'Email=Email',
        '--map',
        'LastName=Last Name',
        '--state-dir',
        state,
        '--report',
        report,
      ]);

    expect((await run(write(rows))).code).toBe(0);
    expect(salesforceContacts(state)).toHaveLength(100);

    const stray = [...rows];
    stray[5] = 'C6,p6@example.com,"Last6'; // file line 7 opens a quote …
    stray[11] = 'C12,p12@example.com,Last12"'; // … line 13 closes it: C7–C11 would read as part of C6's last name
    const second = await run(write(stray));
    expect(second.code).toBe(1);
    const r = readReport(report);
    expect(r.counts).toMatchObject({ deleted: 0, failed: 7 });
    // Every line of the merged row (7–13) has its own entry, each naming the span.
    const malformed = r.records.filter((x) => x.code === 'malformed_row');
    expect(malformed.map((x) => [x.row, x.id])).toEqual([7, 8, 9, 10, 11, 12, 13].map((n) => [n, `row:${n}`]));
    for (const x of malformed) expect(x.message).toMatch(/^Lines 7–13 were read as one row/);
    // The report accounts for every input line (the header is line 1).
    expect(new Set(r.records.map((x) => x.row).filter((n) => n !== undefined))).toEqual(new Set(Array.from({ length: 100 }, (_, i) => i + 2)));
    expect(
      r.records
        .filter((x) => x.code === 'source_incomplete')
        .map((x) => x.id)
        .sort(),
    ).toEqual(['C10', 'C11', 'C12', 'C6', 'C7', 'C8', 'C9']);
    expect(r.records.find((x) => x.id === 'C13')?.row).toBe(14);
    expect(second.stdout).toContain('row 7, id row:7: Lines 7–13 were read as one row');
    const contacts = salesforceContacts(state);
    expect(contacts).toHaveLength(100);
    expect(contacts.find((c) => c.Email === 'p6@example.com')?.LastName).toBe('Last6');
  });
});

describe('Salesforce (--emulator): a stray quote that swallows lines 3–5 (hostile trial, item 4)', () => {
  it('lines 3, 4 and 5 each get a malformed_row entry naming "lines 3–5" and the fix; the run is source_incomplete and deletes nothing', async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    const file = join(dir, 'people.csv');
    const report = join(dir, 'report.json');
    const lines = ['Customer Id,Email,Last Name', ...Array.from({ length: 30 }, (_, i) => `C${i + 1},p${i + 1}@example.com,Last${i + 1}`)];
    const run = () =>
      cli(['sync', '--to', 'salesforce', '--emulator', '--mode', 'sync', '--from', file, '--id', 'Customer Id', '--map', 'Email=Email', '--map', 'LastName=Last Name', '--state-dir', state, '--report', report]);
    writeFileSync(file, `${lines.join('\n')}\n`);
    expect((await run()).code).toBe(0);
    lines[2] = 'C2,p2@example.com,"Last2'; // file line 3 opens a quote …
    lines[4] = 'C4,p4@example.com,Last4"'; // … file line 5 closes it
    writeFileSync(file, `${lines.join('\n')}\n`);
    const out = await run();
    expect(out.code).toBe(1);
    const r = readReport(report);
    const malformed = r.records.filter((x) => x.code === 'malformed_row');
    expect(malformed.map((x) => x.row)).toEqual([3, 4, 5]);
    for (const x of malformed) {
      expect(x).toMatchObject({ outcome: 'failed', id: `row:${x.row}` });
      expect(x.message).toMatch(/^Lines 3–5 were read as one row/);
      expect(x.message).toContain('A quote is probably stray: remove it, or double it ("") inside a quoted value.');
    }
    // Every input line is in the report, numbered by file line (the header is line 1).
    expect(new Set(r.records.map((x) => x.row).filter((n) => n !== undefined))).toEqual(new Set(Array.from({ length: 30 }, (_, i) => i + 2)));
    // The people on lines 3–5 were not read: source_incomplete, none deleted.
    expect(r.records.filter((x) => x.code === 'source_incomplete').map((x) => x.id).sort()).toEqual(['C2', 'C3', 'C4']);
    expect(r.counts).toMatchObject({ deleted: 0, failed: 3 });
    expect(salesforceContacts(state)).toHaveLength(30);
  });
});

describe('Salesforce (--emulator): a stray pair of quotes opened in a middle column (trial of stop 24)', () => {
  it('the swallowed lines are malformed_row even though the merged row has the right number of values; nothing is deleted or written garbled', async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    const file = join(dir, 'people.csv');
    const report = join(dir, 'report.json');
    const lines = ['id,email,first,last', ...Array.from({ length: 100 }, (_, i) => `${i + 1},p${i + 1}@example.com,F${i + 1},L${i + 1}`)];
    const run = () =>
      cli(['sync', '--to', 'salesforce', '--emulator', '--mode', 'sync', '--from', file, '--id', 'id', '--map', 'Email=email', '--map', 'FirstName=first', '--map', 'LastName=last', '--state-dir', state, '--report', report]);
    writeFileSync(file, `${lines.join('\n')}\n`);
    expect((await run()).code).toBe(0);
    lines[3] = '3,p3@example.com,"F3'; // file line 4 opens a quote in "first" (its line has 3 of the 4 values) …
    lines[5] = '5,p5@example.com,F5",L5'; // … file line 6 closes it: 3 + 1 values, the count of a row
    writeFileSync(file, `${lines.join('\n')}\n`);
    const out = await run();
    expect(out.code).toBe(1);
    const r = readReport(report);
    expect(r.records.filter((x) => x.code === 'malformed_row').map((x) => x.row)).toEqual([4, 5, 6]);
    expect(r.records.find((x) => x.row === 4)?.message).toMatch(/^Lines 4–6 were read as one row: .* line 5 inside it looks like a row of its own/);
    expect(r.records.filter((x) => x.code === 'source_incomplete').map((x) => x.id).sort()).toEqual(['3', '4', '5']);
    expect(r.counts).toMatchObject({ deleted: 0, updated: 0 });
    const contacts = salesforceContacts(state) as (Contact & { FirstName?: string })[];
    expect(contacts).toHaveLength(100);
    expect(contacts.find((c) => c.Email === 'p3@example.com')).toMatchObject({ FirstName: 'F3', LastName: 'L3' });
  });
});

describe('Intercom (emulator): new data attributes typed from the values, shown in a dry run', () => {
  let emulator: ReturnType<typeof createIntercomEmulator>;
  let url: string;
  let admin: EmulatorClient;
  beforeEach(async () => {
    emulator = createIntercomEmulator();
    url = await emulator.start();
    admin = new EmulatorClient(url);
  });
  afterEach(async () => {
    await emulator.stop();
  });

  type Workspace = {
    data_attributes: { name: string; data_type: string }[];
    contacts: { external_id: string; signed_up_at: number | null; custom_attributes: Record<string, unknown> }[];
  };

  it('dry run prints "would create data attribute zip (string)" and creates nothing; the real run creates zip as a string; 00501 keeps its zeros', async () => {
    const dir = tempDir();
    const file = join(dir, 'people.csv');
    const report = join(dir, 'report.json');
    const write = (zip2: string) =>
      writeFileSync(
        file,
        [
          'User Id,Email,Zip,Visits,Signed Up',
          `u1,u1@example.com,02134,3,1700000000000`,
          `u2,u2@example.com,${zip2},12,1700000000`,
          'u3,u3@example.com,94105,7,',
        ].join('\n'),
      );
    const run = (extra: string[]) =>
      cli(
        [
          'sync',
          '--to',
          'intercom',
          '--mode',
          'additive',
          '--from',
          file,
          '--id',
          'User Id',
          '--map',
          'external_id=User Id',
          '--map',
          'email=Email',
          '--map',
          'custom_attributes.zip=Zip',
          '--map',
          'custom_attributes.visits=Visits',
          '--map',
          'signed_up_at=Signed Up',
          '--option',
          `baseUrl=${url}`,
          '--state-dir',
          join(dir, 'state'),
          '--report',
          report,
          ...extra,
        ],
        { INTERCOM_ACCESS_TOKEN: INTERCOM_TOKEN },
      );

    write('10001');
    const dry = await run(['--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('would create data attribute zip (string): some values are digits a number would change');
    expect(dry.stdout).toContain('would create data attribute visits (integer): every value is a whole number');
    expect(readReport(report).fields).toEqual([
      { name: 'zip', type: 'string', action: 'create', kind: 'data attribute', reason: expect.any(String) },
      { name: 'visits', type: 'integer', action: 'create', kind: 'data attribute', reason: expect.any(String) },
    ]);
    const writes = (await admin.requests()).filter((e) => e.method !== 'GET' && e.path !== '/contacts/search');
    expect(writes).toEqual([]);
    expect((await admin.records<Workspace>()).data_attributes.map((a) => a.name)).not.toContain('zip');

    const real = await run([]);
    expect(real.code).toBe(0);
    expect(real.stdout).toContain('created data attribute zip (string)');
    const created = (await admin.requests()).filter((e) => e.method === 'POST' && e.path === '/data_attributes').map((e) => e.body);
    expect(created).toEqual([expect.objectContaining({ name: 'zip', data_type: 'string' }), expect.objectContaining({ name: 'visits', data_type: 'integer' })]);
    let data = await admin.records<Workspace>();
    const byId = () => Object.fromEntries(data.contacts.map((c) => [c.external_id, c]));
    expect(byId().u1?.custom_attributes).toMatchObject({ zip: '02134', visits: 3 });
    // signed_up_at (a date): epoch milliseconds and epoch seconds both stored as seconds.
    expect(byId().u1?.signed_up_at).toBe(1700000000);
    expect(byId().u2?.signed_up_at).toBe(1700000000);

    write('00501');
    expect((await run([])).code).toBe(0);
    data = await admin.records<Workspace>();
    expect(byId().u2?.custom_attributes).toMatchObject({ zip: '00501' });
  });
});

describe('OneSignal (--emulator): date tags', () => {
  it('sends epoch milliseconds and seconds in a date tag as unix seconds', async () => {
    const dir = tempDir();
    const seed = join(dir, 'seed.json');
    writeFileSync(seed, JSON.stringify({ users: ['a', 'b', 'c'].map((id) => ({ identity: { external_id: id }, properties: { tags: {} } })) }));
    const file = join(dir, 'people.csv');
    writeFileSync(file, 'id,since\na,1700000000000\nb,1700000000\nc,2023-11-14T22:13:20Z\n');
    const state = join(dir, 'state');
    const run = await cli([
      'sync',
      '--to',
      'onesignal',
      '--emulator',
      '--emulator-seed',
      seed,
      '--option',
      'dateTags=since',
      '--from',
      file,
      '--id',
      'id',
      '--map',
      'external_id=id',
      '--map',
      'since=since',
      '--state-dir',
      state,
    ]);
    expect(run.code).toBe(0);
    type User = { identity: { external_id: string }; properties: { tags: Record<string, string> } };
    const data = JSON.parse(readFileSync(join(state, 'emulators', 'onesignal.json'), 'utf8')) as { apps: Record<string, { users: User[] }> };
    const tags = Object.fromEntries(Object.values(data.apps).flatMap((a) => a.users.map((u) => [u.identity.external_id, u.properties.tags.since])));
    expect(tags).toEqual({ a: '1700000000', b: '1700000000', c: '1700000000' });
  });
});

describe('Salesforce (--emulator): a quote closed on the next row\'s id (trial of stop 26: `C2,p2@…,"B` then `C3",L`)', () => {
  it('both lines fail malformed_row, the run deletes nobody, C3 keeps its Contact', async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    const file = join(dir, 'people.csv');
    const report = join(dir, 'report.json');
    const rows = Array.from({ length: 20 }, (_, i) => `C${i + 1},p${i + 1}@example.com,First${i + 1},L`);
    const write = (lines: string[]) => writeFileSync(file, `${['Id,Email,First,Last', ...lines].join('\n')}\n`);
    const run = () =>
      cli(['sync', '--to', 'salesforce', '--emulator', '--mode', 'sync', '--from', file, '--id', 'Id', '--map', 'Email=Email', '--map', 'FirstName=First', '--map', 'LastName=Last', '--state-dir', state, '--report', report, '--allow-deletes', '20']);
    write(rows);
    expect((await run()).code).toBe(0);
    const merged = [...rows];
    merged.splice(1, 2, 'C2,p2@example.com,"B', 'C3",L');
    write(merged);
    const second = await run();
    expect(second.code).toBe(1);
    const r = readReport(report);
    expect(r.counts).toMatchObject({ deleted: 0 });
    expect(r.records.filter((x) => x.code === 'malformed_row').map((x) => x.row)).toEqual([3, 4]);
    const contacts = salesforceContacts(state);
    expect(contacts).toHaveLength(20);
    expect(contacts.find((c) => c.Email === 'p3@example.com')?.FirstName).toBe('First3');
    expect(contacts.find((c) => c.Email === 'p2@example.com')?.FirstName).toBe('First2');
  });
});
