import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main, type JsonReportFile } from '@syncmodes/cli';
import { describe, expect, it } from 'vitest';
import { salesforceId } from '../src/emulator/index';

/**
 * Issue #12 item 1, through the CLI (`syncmodes sync --to salesforce --emulator`): the
 * emulator holds duplicates the way Salesforce does (Leads and Contacts with one Email made
 * by hand are allowed unless a duplicate rule blocks them), and the kit decides — a key
 * matching several records fails that row with `ambiguous_match` naming every id and writes
 * to none of them; two rows resolving to one record: the later fails
 * `duplicate_destination_record`. Salesforce's standard Contact and Lead duplicate rules
 * "Allow: The user is alerted but allowed to create the record":
 * https://help.salesforce.com/s/articleView?id=sales.duplicate_rules_standard_contact_rule.htm ,
 * https://help.salesforce.com/s/articleView?id=sales.duplicate_rules_standard_lead_rule.htm
 */
type Row = Record<string, string>;
type Org = Record<string, Record<string, unknown>[]>;

function sink(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = Object.assign(new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) }), { isTTY: false }) as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

/** A working folder with the seed, and a runner of `syncmodes sync … --emulator` on CSV rows. */
function workspace(seed: Org) {
  const dir = mkdtempSync(join(tmpdir(), 'sf-cli-identity-'));
  writeFileSync(join(dir, 'seed.json'), JSON.stringify(seed));
  let runs = 0;
  return {
    dir,
    async sync(mode: string, rows: readonly Row[], options: string[] = []) {
      const columns = Object.keys(rows[0] as Row);
      const file = join(dir, `rows-${++runs}.csv`);
      writeFileSync(file, `${columns.join(',')}\n${rows.map((r) => columns.map((c) => r[c] ?? '').join(',')).join('\n')}\n`);
      const report = join(dir, `report-${runs}.json`);
      const out = sink();
      const err = sink();
      const args = ['sync', '--to', 'salesforce', '--emulator', '--mode', mode, '--from', file, '--id', 'id', '--sync-name', 'identity', '--state-dir', join(dir, 'state'), '--report', report, '--no-progress'];
      if (runs === 1) args.push('--emulator-seed', join(dir, 'seed.json'));
      for (const c of columns.filter((c) => c !== 'id')) args.push('--map', `${c}=${c}`);
      const code = await main([...args, ...options], { io: { stdout: out.stream, stderr: err.stream, env: {} } });
      return { code, stderr: err.text(), report: JSON.parse(readFileSync(report, 'utf8')) as JsonReportFile };
    },
    /** The emulator's data as it saved it under the state directory. */
    org: (): Org => JSON.parse(readFileSync(join(dir, 'state', 'emulators', 'salesforce.json'), 'utf8')) as Org,
  };
}

const outcome = (report: JsonReportFile, id: string) => report.records.find((r) => r.id === id);
const byId = (org: Org, object: string) => new Map((org[object] ?? []).map((r) => [String(r.Id), r]));

describe('CLI: a key matching several Contacts fails that row alone (ambiguous_match), in every mode', () => {
  const dupIds = [salesforceId('003', 101), salesforceId('003', 102)];
  const tripIds = [salesforceId('003', 201), salesforceId('003', 202), salesforceId('003', 203)];
  const soloId = salesforceId('003', 301);
  const seed: Org = {
    Contact: [
      ...dupIds.map((Id, i) => ({ Id, LastName: `Dup${i}`, Email: i === 0 ? 'dup@example.com' : 'DUP@example.com', Title: 'Old' })),
      ...tripIds.map((Id, i) => ({ Id, LastName: `Trip${i}`, Email: 'trip@example.com', Title: 'Old' })),
      { Id: soloId, LastName: 'Solo', Email: 'solo@example.com', Title: 'Old' },
    ],
  };
  const rows: Row[] = [
    { id: 'c-dup', Email: 'dup@example.com', LastName: 'Dup', Title: 'New' },
    { id: 'c-trip', Email: 'trip@example.com', LastName: 'Trip', Title: 'New' },
    { id: 'c-solo', Email: 'solo@example.com', LastName: 'Solo', Title: 'New' },
    { id: 'c-new', Email: 'new@example.com', LastName: 'Newman', Title: 'New' },
  ];

  for (const mode of ['sync', 'additive', 'enrich']) {
    it(`${mode}: two and three Contacts with one Email fail with every id named, none written; the other rows are synced`, async () => {
      const ws = workspace(seed);
      const { code, report } = await ws.sync(mode, rows);
      expect(code).toBe(1);
      expect(outcome(report, 'c-dup')).toMatchObject({ outcome: 'failed', code: 'ambiguous_match' });
      expect(outcome(report, 'c-trip')).toMatchObject({ outcome: 'failed', code: 'ambiguous_match' });
      for (const id of dupIds) expect(outcome(report, 'c-dup')?.message).toContain(id);
      for (const id of tripIds) expect(outcome(report, 'c-trip')?.message).toContain(id);
      expect(outcome(report, 'c-solo')).toMatchObject({ outcome: 'updated', destinationId: soloId });
      expect(outcome(report, 'c-new')).toMatchObject(mode === 'enrich' ? { outcome: 'skipped', code: 'not_found' } : { outcome: 'created' });

      const contacts = byId(ws.org(), 'Contact');
      for (const id of [...dupIds, ...tripIds]) expect(contacts.get(id)).toMatchObject({ Title: 'Old', LastName: expect.stringMatching(/^(Dup|Trip)\d$/) });
      expect(contacts.get(soloId)?.Title).toBe('New');
      expect([...contacts.values()].filter((c) => c.Email === 'new@example.com')).toHaveLength(mode === 'enrich' ? 0 : 1);
      expect(contacts.size).toBe(mode === 'enrich' ? 6 : 7);
    });
  }
});

describe('CLI: Leads (object=Lead) with one Email, a converted Lead beside an unconverted one included', () => {
  const dupIds = [salesforceId('00Q', 101), salesforceId('00Q', 102)];
  const convertedId = salesforceId('00Q', 201);
  const openId = salesforceId('00Q', 202);
  const seed: Org = {
    Lead: [
      ...dupIds.map((Id, i) => ({ Id, LastName: `Dup${i}`, Company: 'Acme', Email: 'dup@example.com', Title: 'Old' })),
      { Id: convertedId, LastName: 'Conv', Company: 'Acme', Email: 'conv@example.com', Title: 'Old', IsConverted: true },
      { Id: openId, LastName: 'Open', Company: 'Acme', Email: 'conv@example.com', Title: 'Old' },
      { LastName: 'Solo', Company: 'Acme', Email: 'solo@example.com', Title: 'Old' },
    ],
  };
  const rows: Row[] = [
    { id: 'l-dup', Email: 'dup@example.com', LastName: 'Dup', Company: 'Acme', Title: 'New' },
    { id: 'l-conv', Email: 'conv@example.com', LastName: 'Conv', Company: 'Acme', Title: 'New' },
    { id: 'l-solo', Email: 'solo@example.com', LastName: 'Solo', Company: 'Acme', Title: 'New' },
    { id: 'l-new', Email: 'new@example.com', LastName: 'Newman', Company: 'Acme', Title: 'New' },
  ];

  for (const mode of ['sync', 'additive', 'enrich']) {
    it(`${mode}: each ambiguous Email fails naming the Leads, none of them written; the other rows are synced`, async () => {
      const ws = workspace(seed);
      const { code, report } = await ws.sync(mode, rows, ['--option', 'object=Lead']);
      expect(code).toBe(1);
      expect(outcome(report, 'l-dup')).toMatchObject({ outcome: 'failed', code: 'ambiguous_match' });
      expect(outcome(report, 'l-conv')).toMatchObject({ outcome: 'failed', code: 'ambiguous_match' });
      for (const id of dupIds) expect(outcome(report, 'l-dup')?.message).toContain(id);
      for (const id of [convertedId, openId]) expect(outcome(report, 'l-conv')?.message).toContain(id);
      expect(outcome(report, 'l-solo')).toMatchObject({ outcome: 'updated' });
      expect(outcome(report, 'l-new')).toMatchObject(mode === 'enrich' ? { outcome: 'skipped', code: 'not_found' } : { outcome: 'created' });

      const leads = byId(ws.org(), 'Lead');
      for (const id of [...dupIds, convertedId, openId]) expect(leads.get(id)?.Title).toBe('Old');
      expect([...leads.values()].find((l) => l.Email === 'solo@example.com')?.Title).toBe('New');
    });
  }
});

describe('CLI: two rows resolving to one record — the later fails duplicate_destination_record', () => {
  for (const [how, matchField, key] of [
    ['an external-id match field (Customer_Id__c)', 'Customer_Id__c', (i: number) => `CUST-${i}`],
    ['Email, where the config matches by Email', 'Email', (i: number) => `person${i}@example.com`],
  ] as const) {
    it(`by ${how}: nothing is written — the row whose key moved to a new row is refused (the ids look reused), the new row is refused naming it`, async () => {
      const ws = workspace({ Contact: [] });
      const row = (id: string, k: number, title: string): Row =>
        matchField === 'Email' ? { id, Email: key(k), LastName: id, Title: title } : { id, Customer_Id__c: key(k), Email: `${id}@example.com`, LastName: id, Title: title };
      const options = ['--option', `matchField=${matchField}`];
      const first = await ws.sync('additive', [row('r1', 1, 'one')], options);
      expect(first.code).toBe(0);
      const recordId = outcome(first.report, 'r1')?.destinationId as string;
      expect(recordId).toMatch(/^003/);

      // r1's key changes; r2, new, now has r1's old key. Read by key, r1's record is r2's person
      // and r1 someone new (the id was reused); read by id, r1 changed its key. Never guessed (trial of stop 25).
      const second = await ws.sync('additive', [row('r1', 2, 'two'), row('r2', 1, 'intruder')], options);
      expect(second.code).toBe(1);
      expect(outcome(second.report, 'r1')).toMatchObject({ outcome: 'failed', code: 'match_key_taken' });
      expect(outcome(second.report, 'r1')?.message).toContain('"r2"');
      expect(outcome(second.report, 'r2')).toMatchObject({ outcome: 'failed', code: 'duplicate_destination_record' });
      expect(outcome(second.report, 'r2')?.message).toContain('r1');
      const contacts = ws.org().Contact ?? [];
      expect(contacts).toHaveLength(1);
      expect(contacts[0]).toMatchObject({ Id: recordId, Title: 'one', [matchField]: key(1) });
    });
  }
});

describe('CLI: a record leaves and another takes its Email (trial of stop 22: it never converged)', () => {
  const rows = (email4: string): Row[] => [{ id: 'c1', Email: email4, LastName: 'One', Title: 'T' }];
  const start: Row[] = [
    { id: 'c1', Email: 'one@example.com', LastName: 'One', Title: 'T' },
    { id: 'c4', Email: 'four@example.com', LastName: 'Four', Title: 'T' },
  ];

  for (const [how, options, rowsOf] of [
    ['Email', [] as string[], (r: Row[]) => r],
    ['an external-id match field (Customer_Id__c, upserted)', ['--option', 'matchField=Customer_Id__c'], (r: Row[]) => r.map((x) => ({ ...x, Customer_Id__c: `K-${x.Email}`, Email: `${x.id}@example.com` }))],
  ] as const) {
  it(`sync, by ${how}: the departed record is deleted (not kept for the other), the other waits one run, then takes the key; then nothing to do`, async () => {
    const ws = workspace({ Contact: [] });
    const sync = (rows: Row[], extra: string[] = []) => ws.sync('sync', rowsOf(rows), [...options, ...extra]);
    const first = await sync(start);
    expect(first.code).toBe(0);
    const r1 = outcome(first.report, 'c1')?.destinationId as string;
    const r4 = outcome(first.report, 'c4')?.destinationId as string;

    const second = await sync(rows('four@example.com'), ['--allow-deletes', '5']);
    expect(outcome(second.report, 'c4')).toMatchObject({ outcome: 'deleted', destinationId: r4 });
    expect(outcome(second.report, 'c1')).toMatchObject({ outcome: 'failed', code: 'match_key_taken' });
    expect(outcome(second.report, 'c1')?.message).toContain('"c4"');
    expect(outcome(second.report, 'c1')?.message).toContain('the next run sends this change');
    expect(byId(ws.org(), 'Contact').has(r4)).toBe(false);

    const third = await sync(rows('four@example.com'));
    expect(third.code).toBe(0);
    expect(outcome(third.report, 'c1')).toMatchObject({ outcome: 'updated', destinationId: r1 });
    expect(outcome(third.report, 'c4')).toBeUndefined();
    const contacts = [...byId(ws.org(), 'Contact').values()];
    expect(contacts).toHaveLength(1);
    const { id: _id, ...fields } = rowsOf(rows('four@example.com'))[0] as Row;
    expect(contacts[0]).toMatchObject({ Id: r1, ...fields });

    const fourth = await sync(rows('four@example.com'));
    expect(fourth.report.records.map((r) => [r.id, r.outcome])).toEqual([['c1', 'unchanged']]);
  });
  }

  for (const mode of ['additive', 'enrich']) {
    it(`${mode}: the departed record is kept (the mode never deletes), and the other is refused match_key_taken on every run, nothing written`, async () => {
      const ws = workspace({ Contact: [{ LastName: 'One', Email: 'one@example.com' }, { LastName: 'Four', Email: 'four@example.com' }] });
      expect((await ws.sync(mode, start)).code).toBe(0);
      for (let run = 0; run < 2; run++) {
        const next = await ws.sync(mode, rows('four@example.com'));
        // The departure is reported once (kept); its state stays, so c1 is told whose key it is every run.
        if (run === 0) expect(outcome(next.report, 'c4')).toMatchObject({ outcome: 'skipped', code: 'delete_not_allowed' });
        expect(outcome(next.report, 'c1')).toMatchObject({ outcome: 'failed', code: 'match_key_taken' });
        expect(outcome(next.report, 'c1')?.message).toContain('mode never deletes that record');
      }
      expect([...byId(ws.org(), 'Contact').values()].map((c) => c.Email).sort()).toEqual(['four@example.com', 'one@example.com']);
    });
  }
});

describe('CLI: two records swap their Emails (trial of stop 23: both refused match_key_taken for ever)', () => {
  for (const mode of ['sync', 'additive']) {
    it(`${mode}: each keeps its Contact, now with the other's Email, in one run; then nothing to do`, async () => {
      const ws = workspace({ Contact: [] });
      const first = await ws.sync(mode, [
        { id: 'c11', Email: 'a@example.com', LastName: 'Eleven' },
        { id: 'c12', Email: 'b@example.com', LastName: 'Twelve' },
      ]);
      const ids = Object.fromEntries(first.report.records.map((r) => [r.id, r.destinationId]));
      const swapped = [
        { id: 'c11', Email: 'b@example.com', LastName: 'Eleven' },
        { id: 'c12', Email: 'a@example.com', LastName: 'Twelve' },
      ];
      const second = await ws.sync(mode, swapped);
      expect(second.code, second.stderr).toBe(0);
      expect(second.report.records.map((r) => [r.id, r.outcome, r.destinationId])).toEqual([
        ['c11', 'updated', ids.c11],
        ['c12', 'updated', ids.c12],
      ]);
      const contacts = byId(ws.org(), 'Contact');
      expect(contacts.size).toBe(2);
      expect(contacts.get(ids.c11 as string)?.Email).toBe('b@example.com');
      expect(contacts.get(ids.c12 as string)?.Email).toBe('a@example.com');
      expect((await ws.sync(mode, swapped)).report.records.map((r) => r.outcome)).toEqual(['unchanged', 'unchanged']);
    });
  }
});

describe('CLI: three records rotate their Emails (nobody new, nobody gone)', () => {
  it('sync: each keeps its Contact, now with the next Email, in one run', async () => {
    const ws = workspace({ Contact: [] });
    const first = await ws.sync('sync', [
      { id: 'c11', Email: 'a@example.com', LastName: 'Eleven' },
      { id: 'c12', Email: 'b@example.com', LastName: 'Twelve' },
      { id: 'c13', Email: 'c@example.com', LastName: 'Thirteen' },
    ]);
    const ids = Object.fromEntries(first.report.records.map((r) => [r.id, r.destinationId]));
    const rotated = [
      { id: 'c11', Email: 'b@example.com', LastName: 'Eleven' },
      { id: 'c12', Email: 'c@example.com', LastName: 'Twelve' },
      { id: 'c13', Email: 'a@example.com', LastName: 'Thirteen' },
    ];
    const second = await ws.sync('sync', rotated);
    expect(second.code, second.stderr).toBe(0);
    expect(second.report.records.map((r) => [r.id, r.outcome, r.destinationId])).toEqual([
      ['c11', 'updated', ids.c11],
      ['c12', 'updated', ids.c12],
      ['c13', 'updated', ids.c13],
    ]);
    expect(byId(ws.org(), 'Contact').get(ids.c13 as string)?.Email).toBe('a@example.com');
  });
});

describe('CLI: ids swapped or rotated, every value moving with the Email (fourth trial of stop 27: each person written onto another\'s Contact)', () => {
  const person = (id: string, n: number) => ({ id, Email: `p${n}@example.com`, LastName: `Person${n}`, Title: `T${n}` });
  for (const [name, moved] of [
    ['two ids swapped', [person('c2', 1), person('c1', 2), person('c3', 3)]],
    ['three ids rotated', [person('c3', 1), person('c1', 2), person('c2', 3)]],
  ] as const) {
    for (const mode of ['sync', 'additive']) {
      it(`${mode}, ${name}: every record of the cycle refused match_key_taken, no Contact written or deleted, every run; the ids given back, nothing to do`, async () => {
        const ws = workspace({ Contact: [] });
        const rows = [person('c1', 1), person('c2', 2), person('c3', 3)];
        expect((await ws.sync(mode, rows)).code).toBe(0);
        const before = ws.org().Contact;
        for (let run = 0; run < 2; run++) {
          const again = await ws.sync(mode, [...moved], ['--allow-deletes', '5']);
          expect(again.code).toBe(1);
          const refused = again.report.records.filter((r) => r.code === 'match_key_taken');
          expect(refused.map((r) => r.id).sort()).toEqual(name === 'two ids swapped' ? ['c1', 'c2'] : ['c1', 'c2', 'c3']);
          expect(refused[0]?.message).toContain('the source\'s ids look swapped or rotated');
          expect(again.report.records.filter((r) => r.outcome === 'deleted' || r.outcome === 'updated' || r.outcome === 'created')).toEqual([]);
          expect(ws.org().Contact).toEqual(before);
        }
        expect((await ws.sync(mode, rows)).report.records.map((r) => r.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged']);
      });
    }
  }
});

describe('CLI: Emails swapped together with some other values while both names stay (fourteenth trial of #17: both Contacts rewritten with the other person\'s phone and city)', () => {
  // Half the values follow the id (FirstName, LastName), half the Email (Phone, MailingCity): read by id or by Email, someone is written onto another's Contact.
  const person = (id: string, n: number, values = n) => ({ id, Email: `p${values}@example.com`, FirstName: `First${n}`, LastName: `Last${n}`, Phone: `55500${values}`, MailingCity: `City${values}` });
  for (const mode of ['sync', 'additive', 'enrich']) {
    it(`${mode}: both rows refused match_key_taken, no Contact written, every run; the Emails swapped alone go through`, async () => {
      const ws = workspace({ Contact: [] });
      const rows = [person('c1', 1), person('c2', 2), person('c3', 3)];
      expect((await ws.sync(mode === 'enrich' ? 'additive' : mode, rows)).code).toBe(0);
      const before = ws.org().Contact;
      for (let run = 0; run < 2; run++) {
        const again = await ws.sync(mode, [person('c1', 1, 2), person('c2', 2, 1), person('c3', 3)], ['--allow-deletes', '5']);
        expect(again.code).toBe(1);
        expect(again.report.records.map((r) => `${r.id}:${r.code ?? r.outcome}`).sort()).toEqual(['c1:match_key_taken', 'c2:match_key_taken', 'c3:unchanged']);
        expect(ws.org().Contact).toEqual(before);
      }
      const emailsOnly = await ws.sync(mode, [{ ...person('c1', 1), Email: 'p2@example.com' }, { ...person('c2', 2), Email: 'p1@example.com' }, person('c3', 3)]);
      expect(emailsOnly.code, emailsOnly.stderr).toBe(0);
      expect(emailsOnly.report.records.map((r) => `${r.id}:${r.outcome}`).sort()).toEqual(['c1:updated', 'c2:updated', 'c3:unchanged']);
    });

    it(`${mode}: a city that moved with the Email in another case (WILMSLOW) moved all the same: both refused, nothing written (fifteenth trial of #17)`, async () => {
      const ws = workspace({ Contact: [] });
      expect((await ws.sync(mode === 'enrich' ? 'additive' : mode, [person('c1', 1), person('c2', 2), person('c3', 3)])).code).toBe(0);
      const before = ws.org().Contact;
      const upper = (p: Row, from: Row) => ({ ...p, Email: from.Email as string, MailingCity: (from.MailingCity as string).toUpperCase() });
      const again = await ws.sync(mode, [upper(person('c1', 1), person('c2', 2)), { ...upper(person('c2', 2), person('c1', 1)), MailingCity: ' city1 ' }, person('c3', 3)], ['--allow-deletes', '5']);
      expect(again.code).toBe(1);
      expect(again.report.records.map((r) => `${r.id}:${r.code ?? r.outcome}`).sort()).toEqual(['c1:match_key_taken', 'c2:match_key_taken', 'c3:unchanged']);
      expect(ws.org().Contact).toEqual(before);
    });
  }
});

describe('CLI: a chain — c1 leaves, c2 takes its Email, c3 takes c2\'s (stop 23 left two Contacts with one Email for a run)', () => {
  // Read by id, c1 left and two people changed their Emails; read by Email, Three (three@)
  // left and the ids moved along (a renumbered source). The kit cannot tell which: it deletes
  // nobody and writes nothing, and says so, until the source or the org says who is who.
  it('sync: nothing deleted, nothing written, never two Contacts with one Email; c2 is refused naming the renumbering, c3 waits for c2, every run', async () => {
    const ws = workspace({ Contact: [] });
    const first = await ws.sync('sync', [
      { id: 'c1', Email: 'one@example.com', LastName: 'One' },
      { id: 'c2', Email: 'two@example.com', LastName: 'Two' },
      { id: 'c3', Email: 'three@example.com', LastName: 'Three' },
    ]);
    expect(first.code).toBe(0);
    const before = ws.org().Contact;
    const chain = [
      { id: 'c2', Email: 'one@example.com', LastName: 'Two' },
      { id: 'c3', Email: 'two@example.com', LastName: 'Three' },
    ];
    for (let run = 0; run < 3; run++) {
      const next = await ws.sync('sync', chain, ['--allow-deletes', '5']);
      expect(next.code).toBe(1);
      expect(outcome(next.report, 'c1')).toMatchObject({ outcome: 'skipped' });
      expect(outcome(next.report, 'c2')).toMatchObject({ outcome: 'failed', code: 'match_key_taken' });
      expect(outcome(next.report, 'c2')?.message).toMatch(/previous Email is now record "c3"'s, so the source's ids look (renumbered|shifted) or reused/i);
      expect(outcome(next.report, 'c3')).toMatchObject({ outcome: 'failed', code: 'match_key_taken' });
      expect(outcome(next.report, 'c3')?.message).toContain('"c2"');
      expect(ws.org().Contact).toEqual(before);
    }
  });
});

describe('CLI: the source\'s ids renumbered or reused (trial of stop 24: people still in the source were deleted, others overwritten)', () => {
  const people = [
    { Email: 'ada@x.com', FirstName: 'Ada', LastName: 'Lovelace' },
    { Email: 'alan@x.com', FirstName: 'Alan', LastName: 'Turing' },
    { Email: 'grace@x.com', FirstName: 'Grace', LastName: 'Hopper' },
    { Email: 'linus@x.com', FirstName: 'Linus', LastName: 'Torvalds' },
    { Email: 'ken@x.com', FirstName: 'Ken', LastName: 'Thompson' },
  ];
  const numbered = (ids: readonly string[], who: readonly (typeof people)[number][]) => who.map((p, i) => ({ id: ids[i] as string, ...p }));

  for (const [name, next] of [
    ['an id reused (Ada is now 11, Alan is now 1, 2 is gone)', numbered(['11', '1', '3', '4', '5'], people)],
    ['every id shifted by one (Ada left; Alan is now 1, …, Ken 4; 5 is gone)', numbered(['1', '2', '3', '4'], people.slice(1))],
    // Trial of stop 25: nobody leaves the source, yet each person moves to the next id.
    ['every id shifted by one behind a new first row (Zed is 1, Ada 2, …, Ken 6)', numbered(['1', '2', '3', '4', '5', '6'], [{ Email: 'zed@x.com', FirstName: 'Zed', LastName: 'Z' }, ...people])],
    ['ids reused with nobody gone (Alan is 1, someone new is 2, Ada a new 6)', numbered(['1', '2', '3', '4', '5', '6'], [people[1], { Email: 'gwen@x.com', FirstName: 'Gwen', LastName: 'G' }, ...people.slice(2), people[0]] as (typeof people)[number][])],
    ['an id given to a new person while its person takes a new id (Zed is 1, Ada a new 6)', numbered(['1', '2', '3', '4', '5', '6'], [{ Email: 'zed@x.com', FirstName: 'Zed', LastName: 'Z' }, ...people.slice(1), people[0]] as (typeof people)[number][])],
  ] as const) {
    it(`sync, ${name}: nobody still in the source is deleted and nothing is written to another person's Contact; the rows are refused naming the reason`, async () => {
      const ws = workspace({ Contact: [] });
      const first = await ws.sync('sync', numbered(['1', '2', '3', '4', '5'], people));
      expect(first.code).toBe(0);
      const before = ws.org().Contact ?? [];
      for (let run = 0; run < 3; run++) {
        const again = await ws.sync('sync', next, ['--allow-deletes', '5']);
        expect(again.report.records.filter((r) => r.outcome === 'deleted' || r.outcome === 'updated' || r.outcome === 'created')).toEqual([]);
        expect(again.code).toBe(1);
        const taken = again.report.records.filter((r) => r.code === 'match_key_taken');
        expect(taken.length).toBeGreaterThan(0);
        expect(taken.some((r) => /ids look (renumbered or reused|shifted or reused)/.test(r.message ?? ''))).toBe(true);
      }
      // Every Contact as it was: each person's own values, none deleted.
      expect(ws.org().Contact).toEqual(before);
    });
  }
});

describe('CLI: a row takes a departed record\'s Email and name while its own id is tracked on another Contact (trial of stop 26: that Contact was deleted)', () => {
  const c2 = { id: 'c2', Email: 'p2@x.com', FirstName: 'Nora', LastName: 'Lane' };
  const c3 = { id: 'c3', Email: 'p3@x.com', FirstName: 'Ned', LastName: 'Lane' };

  it('sync: the departed Contact is kept (rekeyed), the row refused match_key_taken saying it may be that person, nothing written, every run', async () => {
    const ws = workspace({ Contact: [] });
    const first = await ws.sync('sync', [c2, c3]);
    expect(first.code).toBe(0);
    const before = ws.org().Contact ?? [];
    const r2 = outcome(first.report, 'c2')?.destinationId as string;
    for (let run = 0; run < 2; run++) {
      // c2's id is gone; c3 now has c2's Email and first name (ids reused or shifted): who is who is unsure.
      const again = await ws.sync('sync', [{ ...c3, Email: c2.Email, FirstName: c2.FirstName }], ['--allow-deletes', '5']);
      expect(again.code).toBe(1);
      if (run === 0) expect(outcome(again.report, 'c2')).toMatchObject({ outcome: 'skipped', code: 'rekeyed', destinationId: r2 });
      expect(outcome(again.report, 'c3')).toMatchObject({ outcome: 'failed', code: 'match_key_taken' });
      expect(outcome(again.report, 'c3')?.message).toContain('may be that person under a new id');
      expect(ws.org().Contact).toEqual(before);
    }
  });

  it('sync: the history the trial found (ids rotated, swapped, reused over six runs) never deletes a Contact whose Email and name a row still has', async () => {
    const ws = workspace({ Contact: [] });
    const row = (id: string, n: number, first: number) => ({ id, Email: `p${n}@x.com`, FirstName: `N${first}`, LastName: 'L' });
    const steps = [
      [row('c1', 1, 1), row('c2', 2, 2), row('c3', 3, 3), row('c4', 4, 4)],
      [row('c2', 1, 1), row('c3', 2, 2), row('c4', 4, 4)],
      [row('c2', 1, 1), row('c3', 4, 2), row('c4', 2, 4)],
      [row('c2', 2, 4), row('c3', 4, 2), row('c4', 1, 1)],
      [row('c1', 1, 1), row('c2', 5, 5), row('c3', 2, 4), row('c4', 4, 2)],
      [row('c1', 4, 2), row('c3', 2, 4), row('c4', 1, 1), row('c6', 5, 5)],
    ];
    for (const rows of steps) {
      const run = await ws.sync('sync', rows, ['--allow-deletes', '5']);
      const contacts = ws.org().Contact ?? [];
      for (const r of rows) {
        // Every row's person is still somewhere: a Contact with its Email and first name, or the one this sync keeps for its id.
        const mine = outcome(run.report, r.id);
        const kept = contacts.some((c) => c.Email === r.Email && c.FirstName === r.FirstName) || contacts.some((c) => c.Id === mine?.destinationId);
        expect(kept, `${r.id} (${r.Email} ${r.FirstName}) after ${JSON.stringify(rows.map((x) => x.id))}`).toBe(true);
      }
      const deleted = run.report.records.filter((r) => r.outcome === 'deleted').map((r) => r.destinationId);
      for (const r of rows) expect(deleted).not.toContain(contacts.find((c) => c.Email === r.Email && c.FirstName === r.FirstName)?.Id ?? '');
    }
    // No Contact holds a mix of two people: each one's Email and name were a row's together in some run (rows refused since
    // the tenth trial of stop 28 leave every Contact as it was, rather than writing p2@ with N4).
    const pairs = new Set(steps.flat().map((r) => `${r.Email} ${r.FirstName}`));
    for (const c of ws.org().Contact ?? []) expect(pairs.has(`${c.Email} ${c.FirstName}`), `${c.Email} ${c.FirstName}`).toBe(true);
  });
});

describe('CLI: two rows take a departed record\'s Email (verify seed 868883117: the departed Contact was deleted while either row may be that person)', () => {
  const c0 = { id: 'c0', Email: 'p0@x.com', LastName: 'Bell' };
  const c2 = { id: 'c2', Email: 'p2@x.com', LastName: 'Bell' };

  it('sync: the departed Contact is kept (rekeyed), both rows refused duplicate_match_key, nothing written or deleted, every run; once one row has the Email, that row takes it', async () => {
    const ws = workspace({ Contact: [] });
    const first = await ws.sync('sync', [c0, c2]);
    expect(first.code).toBe(0);
    const before = ws.org().Contact ?? [];
    const r2 = outcome(first.report, 'c2')?.destinationId as string;
    for (let run = 0; run < 2; run++) {
      // c2's id is gone; c0 moved to c2's Email and a new c4 has it too: either may be c2's person.
      const again = await ws.sync('sync', [{ ...c0, Email: c2.Email }, { ...c2, id: 'c4' }], ['--allow-deletes', '5']);
      expect(again.code).toBe(1);
      if (run === 0) expect(outcome(again.report, 'c2')).toMatchObject({ outcome: 'skipped', code: 'rekeyed', destinationId: r2 });
      expect(outcome(again.report, 'c0')).toMatchObject({ outcome: 'failed', code: 'duplicate_match_key' });
      expect(outcome(again.report, 'c4')).toMatchObject({ outcome: 'failed', code: 'duplicate_match_key' });
      expect(again.report.records.filter((r) => r.outcome === 'deleted')).toEqual([]);
      expect(ws.org().Contact).toEqual(before);
    }
    // The source settles: only c4 has the Email — it is that Contact, c0 keeps its own.
    const settled = await ws.sync('sync', [c0, { ...c2, id: 'c4' }], ['--allow-deletes', '5']);
    expect(settled.code).toBe(0);
    expect(outcome(settled.report, 'c4')?.destinationId).toBe(r2);
    expect((ws.org().Contact ?? []).map((c) => c.Email).sort()).toEqual(['p0@x.com', 'p2@x.com']);
  });
});

describe('CLI: an external-id match field (Customer_Id__c = the source id): ids moved while one value stayed (eleventh trial of stop 29)', () => {
  // With the id as the key, the Email is what names the person (Salesforce's standard duplicate rules match by it). A row
  // whose Email became another row's while that row took a third's says the ids moved; with one value kept (a Phone),
  // every other rule took it for an ordinary trade: Contacts were rewritten, and a shift deleted a person still in the source.
  const row = (id: string, name: string, phone: string, email = `${name.toLowerCase()}@x.com`) => ({ id, Customer_Id__c: id, Email: email, LastName: name, Phone: phone });
  const first = [row('1', 'Ann', '111'), row('2', 'Bob', '222'), row('3', 'Cat', '333'), row('4', 'Dan', '444')];
  const moves: Record<string, { rows: Row[]; refused: string[] }> = {
    "swapped, Bob keeping Ann's Phone": { rows: [row('2', 'Ann', '111'), row('1', 'Bob', '111'), row('3', 'Cat', '333'), row('4', 'Dan', '444')], refused: ['1', '2'] },
    "shifted, Dan taking Cat's Phone and leaving id 4": { rows: [row('1', 'Bob', '222'), row('2', 'Cat', '333'), row('3', 'Dann', '333', 'dan@x.com')], refused: ['1', '2', '3'] },
    'a row made a copy of another': { rows: [row('1', 'Bob', '222'), row('2', 'Bob', '222'), row('3', 'Cat', '333'), row('4', 'Dan', '444')], refused: ['1'] },
  };
  const options = ['--option', 'matchField=Customer_Id__c', '--allow-deletes', '5'];
  for (const mode of ['sync', 'additive', 'enrich']) {
    for (const [name, { rows, refused }] of Object.entries(moves)) {
      it(`${mode}, ${name}: those rows refused identity_unclear, no Contact written or deleted, every run`, async () => {
        const ws = workspace({ Contact: [] });
        expect((await ws.sync(mode === 'enrich' ? 'additive' : mode, first, options)).code).toBe(0);
        const before = ws.org().Contact;
        for (let run = 0; run < 2; run++) {
          const again = await ws.sync(mode, rows, options);
          expect(again.code).toBe(1);
          for (const id of refused) expect(outcome(again.report, id), id).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
          expect(again.report.records.filter((r) => r.outcome === 'deleted' || r.outcome === 'updated' || r.outcome === 'created')).toEqual([]);
          expect(ws.org().Contact).toEqual(before);
        }
      });
    }
  }

  it('sync, Bulk API 2.0 in jobs of 1,000: every Phone changes while two ids 1,097 rows apart swap every other value (in different windows, one per job): both refused, every run; the rest updated', async () => {
    const bulk = [...options, '--option', 'bulkThreshold=100', '--option', 'bulkJobSize=1000', '--option', 'bulkPollIntervalMs=20'];
    const many = Array.from({ length: 1_200 }, (_, i) => row(String(i + 1), `Person${i + 1}`, `555-${i + 1}`));
    const ws = workspace({ Contact: [] });
    expect((await ws.sync('sync', many, options)).code).toBe(0);
    const before = byId(ws.org(), 'Contact');
    const renumbered = many.map((r) => ({ ...r, Phone: `556-${r.id}` }));
    const moved = (id: string, from: Row) => ({ ...from, id, Customer_Id__c: id, Phone: `556-${id}` });
    const swapped = renumbered.map((r) => (r.id === '3' ? moved('3', many[1_099] as Row) : r.id === '1100' ? moved('1100', many[2] as Row) : r));
    for (let run = 0; run < 2; run++) {
      const again = await ws.sync('sync', swapped, bulk);
      expect(again.code).toBe(1);
      for (const id of ['3', '1100']) expect(outcome(again.report, id), id).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
      expect(again.report.counts).toMatchObject({ updated: run === 0 ? 1_198 : 0, created: 0, deleted: 0, failed: 2 });
      const contacts = byId(ws.org(), 'Contact');
      for (const id of ['3', '1100']) {
        const was = [...before.values()].find((c) => c.Customer_Id__c === id);
        expect([...contacts.values()].find((c) => c.Customer_Id__c === id), id).toEqual(was);
      }
    }
  }, 120_000);

  it('sync, Bulk API 2.0 in jobs of 1,000: every Phone changes while id 3 (first window) takes the row of id 1100, which takes the row of id 1101, which leaves (a shift read back to front): nothing written to 3 or 1100, 1101 kept, every run', async () => {
    const bulk = [...options, '--option', 'bulkThreshold=100', '--option', 'bulkJobSize=1000', '--option', 'bulkPollIntervalMs=20'];
    const many = Array.from({ length: 1_200 }, (_, i) => row(String(i + 1), `Person${i + 1}`, `555-${i + 1}`));
    const ws = workspace({ Contact: [] });
    expect((await ws.sync('sync', many, bulk)).code).toBe(0);
    const before = byId(ws.org(), 'Contact');
    const moved = (id: string, from: Row) => ({ ...from, id, Customer_Id__c: id, Phone: `556-${id}` });
    const shifted = many
      .filter((r) => r.id !== '1101')
      .map((r) => (r.id === '3' ? moved('3', many[1_099] as Row) : r.id === '1100' ? moved('1100', many[1_100] as Row) : { ...r, Phone: `556-${r.id}` }));
    for (let run = 0; run < 2; run++) {
      const again = await ws.sync('sync', shifted, bulk);
      expect(again.code).toBe(1);
      for (const id of ['3', '1100']) expect(outcome(again.report, id), id).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
      expect(again.report.counts).toMatchObject({ deleted: 0, created: 0 });
      const contacts = [...byId(ws.org(), 'Contact').values()];
      for (const id of ['3', '1100', '1101']) expect(contacts.find((c) => c.Customer_Id__c === id), id).toEqual([...before.values()].find((c) => c.Customer_Id__c === id));
    }
  }, 120_000);

  for (const [direction, early, late] of [
    ['the early row takes the late one\'s Email and values', '3', '1500'],
    ['the late row takes the early one\'s Email and values', '1500', '3'],
  ] as const) {
    it(`Email as the key, Bulk API 2.0 in jobs of 1,000, every Phone changed, ${direction} while that one gets a new Email: both refused, no Contact written, every run (thirteenth trial)`, async () => {
      const bulk = ['--allow-deletes', '5', '--option', 'bulkThreshold=100', '--option', 'bulkJobSize=1000', '--option', 'bulkPollIntervalMs=20'];
      const many = Array.from({ length: 1_600 }, (_, i) => ({ id: String(i + 1), Email: `p${i + 1}@x.com`, LastName: `Person${i + 1}`, Phone: `555-${i + 1}` }));
      const ws = workspace({ Contact: [] });
      expect((await ws.sync('sync', many, bulk)).code).toBe(0);
      const before = byId(ws.org(), 'Contact');
      const taker = many[Number(early) - 1] as Row;
      const giver = many[Number(late) - 1] as Row;
      const changed = many.map((r) => (r.id === early ? { ...giver, id: early } : r.id === late ? { ...r, Email: 'zed@x.com', LastName: 'Zed' } : { ...r, Phone: `556-${r.id}` }));
      for (let run = 0; run < 2; run++) {
        const again = await ws.sync('sync', changed, bulk);
        expect(again.code).toBe(1);
        for (const id of [early, late]) expect(outcome(again.report, id), id).toMatchObject({ outcome: 'failed', code: 'match_key_taken' });
        const contacts = byId(ws.org(), 'Contact');
        for (const r of [taker, giver]) {
          const was = [...before.values()].find((c) => c.Email === r.Email);
          expect(contacts.get(String(was?.Id)), r.id).toEqual(was);
        }
      }
    }, 120_000);
  }

  it('sync: a new Email and a Phone trade between two people are sent (nothing moved between ids)', async () => {
    const ws = workspace({ Contact: [] });
    expect((await ws.sync('sync', first, options)).code).toBe(0);
    const next = await ws.sync('sync', [row('1', 'Ann', '222', 'ann.lee@y.com'), row('2', 'Bob', '111'), row('3', 'Cat', '333'), row('4', 'Dan', '444')], options);
    expect(next.code).toBe(0);
    expect(next.report.counts).toMatchObject({ updated: 2, failed: 0 });
    const contacts = byId(ws.org(), 'Contact');
    expect([...contacts.values()].map((c) => [c.Customer_Id__c, c.Email, c.Phone]).sort()).toEqual([
      ['1', 'ann.lee@y.com', '222'],
      ['2', 'bob@x.com', '111'],
      ['3', 'cat@x.com', '333'],
      ['4', 'dan@x.com', '444'],
    ]);
  });
});

describe('CLI: Customer_Id__c = the source id, Emails moving between ids (twelfth trial of stop 29)', () => {
  const row = (id: string, email: string, name: string, phone: string, city = `City${id}`) => ({ id, Customer_Id__c: id, Email: email, LastName: name, Phone: phone, MailingCity: city });
  const first = [row('1', 'ann@x.com', 'Ann', '111'), row('2', 'bob@x.com', 'Bob', '222'), row('3', 'cat@x.com', 'Cat', '333')];
  const options = ['--option', 'matchField=Customer_Id__c', '--allow-deletes', '5'];
  const refused: Record<string, { rows: Row[]; ids: string[] }> = {
    'Email and name swapped while Phone and city stay with the ids': { rows: [row('1', 'bob@x.com', 'Bob', '111'), row('2', 'ann@x.com', 'Ann', '222'), first[2] as Row], ids: ['1', '2'] },
    'Emails swapped and both renamed': { rows: [row('1', 'bob@x.com', 'Robert', '111'), row('2', 'ann@x.com', 'Annie', '222'), first[2] as Row], ids: ['1', '2'] },
    'a swap whose second row is on the source twice (duplicate_record_id)': { rows: [row('1', 'bob@x.com', 'Bob', '222', 'City2'), row('2', 'ann@x.com', 'Ann', '111', 'City1'), row('2', 'ann@x.com', 'Ann', '111', 'City1'), first[2] as Row], ids: ['1'] },
  };
  for (const [name, { rows, ids }] of Object.entries(refused)) {
    it(`sync, ${name}: refused identity_unclear, no Contact written, every run`, async () => {
      const ws = workspace({ Contact: [] });
      expect((await ws.sync('sync', first, options)).code).toBe(0);
      const before = ws.org().Contact;
      for (let run = 0; run < 2; run++) {
        const again = await ws.sync('sync', rows, options);
        expect(again.code).toBe(1);
        for (const id of ids) expect(outcome(again.report, id), id).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
        expect(again.report.counts).toMatchObject({ updated: 0, created: 0, deleted: 0 });
        expect(ws.org().Contact).toEqual(before);
      }
    });
  }

  const sent: Record<string, { base: Row[]; rows: Row[]; updated: number }> = {
    'two people swap only their Emails': { base: first, rows: [row('1', 'bob@x.com', 'Ann', '111'), row('2', 'ann@x.com', 'Bob', '222'), first[2] as Row], updated: 2 },
    'one of two people sharing a household Email moves to an Email of their own': {
      base: [row('1', 'home@x.com', 'Ann', '111'), row('2', 'home@x.com', 'Bob', '222'), first[2] as Row],
      rows: [row('1', 'home@x.com', 'Ann', '111'), row('2', 'bob@x.com', 'Bob', '222'), first[2] as Row],
      updated: 1,
    },
  };
  for (const [name, { base, rows, updated }] of Object.entries(sent)) {
    it(`sync, ${name}: updated in one run, then nothing to do`, async () => {
      const ws = workspace({ Contact: [] });
      expect((await ws.sync('sync', base, options)).code).toBe(0);
      const next = await ws.sync('sync', rows, options);
      expect(next.code).toBe(0);
      expect(next.report.counts).toMatchObject({ updated, failed: 0 });
      const contacts = [...byId(ws.org(), 'Contact').values()].map((c) => [c.Customer_Id__c, String(c.Email).toLowerCase(), c.LastName]).sort();
      expect(contacts).toEqual(rows.map((r) => [r.Customer_Id__c, r.Email, r.LastName]).sort());
      expect((await ws.sync('sync', rows, options)).report.counts).toMatchObject({ updated: 0, failed: 0 });
    });
  }
});

describe('CLI: Customer_Id__c = the source id, a new id with the Email of a record that left and none of its other values (fifteenth trial of #17)', () => {
  // Before, the new id was created beside the record that left, kept untracked: two live Contacts with one Email.
  const person = (id: string, n: number) => ({ id, Customer_Id__c: id, Email: `p${n}@example.com`, FirstName: `First${n}`, LastName: `Last${n}`, Phone: `55500${n}` });
  for (const mode of ['sync', 'additive']) {
    it(`${mode}: the new row refused identity_unclear, the record that left kept, nothing created, every run`, async () => {
      const ws = workspace({ Contact: [] });
      const opts = ['--option', 'matchField=Customer_Id__c', '--allow-deletes', '5'];
      expect((await ws.sync(mode, [person('c1', 1), person('c2', 2), person('c3', 3)], opts)).code).toBe(0);
      const before = ws.org().Contact;
      for (let run = 0; run < 2; run++) {
        const again = await ws.sync(mode, [person('c2', 2), person('c3', 3), { ...person('c4', 4), Email: 'p1@example.com' }], opts);
        expect(again.code).toBe(1);
        expect(again.report.records.map((r) => `${r.id}:${r.code ?? r.outcome}`).sort()).toEqual(['c1:rekeyed', 'c2:unchanged', 'c3:unchanged', 'c4:identity_unclear']);
        expect(ws.org().Contact).toEqual(before);
      }
    });
  }
});

describe('CLI: a new id with the Email of a record that left and one of its other values in common (first trial of stop 31: the Contact was rewritten with the new person)', () => {
  const person = (id: string, n: number, city = `City${n}`) => ({ id, Customer_Id__c: id, Email: `p${n}@example.com`, FirstName: `First${n}`, LastName: `Last${n}`, Phone: `55500${n}`, MailingCity: city });
  const cases: ReadonlyArray<readonly [string, string[]]> = [
    ['Email as the key', []],
    ['Customer_Id__c as the key', ['--option', 'matchField=Customer_Id__c']],
  ];
  for (const [name, match] of cases) {
    for (const mode of ['sync', 'additive']) {
      it(`${mode}, ${name}: only the city in common (another name and phone): refused identity_unclear, the record that left kept and untouched, every run; renumbered with every value hers (Email as the key), it takes her record over`, async () => {
        const ws = workspace({ Contact: [] });
        const opts = [...match, '--allow-deletes', '5'];
        expect((await ws.sync(mode, [person('c1', 1, 'Oslo'), person('c2', 2)], opts)).code).toBe(0);
        const before = ws.org().Contact;
        for (let run = 0; run < 2; run++) {
          const again = await ws.sync(mode, [person('c2', 2), { ...person('c6', 6, 'OSLO'), Email: 'p1@example.com' }], opts);
          expect(again.code).toBe(1);
          expect(outcome(again.report, 'c6')).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
          expect(outcome(again.report, 'c6')?.message).toMatch(/another (FirstName, LastName, Phone|Customer_Id__c, FirstName, LastName, Phone)/);
          expect(outcome(again.report, 'c1')?.outcome).not.toBe('deleted');
          expect(ws.org().Contact).toEqual(before);
        }
        // (With Customer_Id__c as the key a renumbered id is a new Contact: a known limit, see the closing note of stop 31.)
        if (match.length > 0) return;
        const renumbered = await ws.sync(mode, [person('c2', 2), { ...person('c1', 1, 'Oslo'), id: 'c6', Customer_Id__c: 'c6' }], opts);
        expect(outcome(renumbered.report, 'c1')?.outcome).not.toBe('deleted');
        expect(ws.org().Contact?.filter((c) => c.Email === 'p1@example.com').map((c) => [c.FirstName, c.MailingCity])).toEqual([['First1', 'Oslo']]);
      });
    }
  }
});

describe('CLI: a new id with the Email of a record that left, one of its values in common and every other cell empty (third trial of stop 32: taken as that person renumbered, then overwritten with the new person a run later)', () => {
  // Only Email, names, phone and city mapped (no id field in Salesforce), as the trial did.
  const person = (id: string, n: number, city = `City${n}`) => ({ id, Email: `p${n}@example.com`, FirstName: `First${n}`, LastName: `Last${n}`, Phone: `55500${n}`, MailingCity: city });
  for (const mode of ['sync', 'additive']) {
    it(`${mode}, Email as the key: refused identity_unclear naming what it lacks, the record that left kept and untouched; then with the new person's values, refused too`, async () => {
      const ws = workspace({ Contact: [] });
      const opts = ['--allow-deletes', '5'];
      expect((await ws.sync(mode, [person('c1', 1, 'Oslo'), person('c2', 2)], opts)).code).toBe(0);
      const before = ws.org().Contact;
      const blanks = { id: 'c6', Email: 'p1@example.com', FirstName: '', LastName: '', Phone: '', MailingCity: 'Oslo' };
      const zed = { ...blanks, FirstName: 'Zed', LastName: 'Zeta', Phone: '999' };
      for (const row of [blanks, zed]) {
        const again = await ws.sync(mode, [person('c2', 2), row], opts);
        expect(again.code).toBe(1);
        expect(outcome(again.report, 'c6')).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
        expect(outcome(again.report, 'c1')?.outcome).not.toBe('deleted');
        expect(ws.org().Contact).toEqual(before);
      }
    });
  }
});

describe('CLI: Email as the key with Customer_Id__c mapped from the id, a person renumbered with every other value the same (re-check of stop 32: refused on every run, the mapped id always differing)', () => {
  const person = (id: string, n: number) => ({ id, Customer_Id__c: id, Email: `p${n}@example.com`, FirstName: `First${n}`, LastName: `Last${n}`, Phone: `55500${n}`, MailingCity: `City${n}` });
  for (const mode of ['sync', 'additive']) {
    it(`${mode}: the new id takes the Contact over (updated, Customer_Id__c c6), the old id is rekeyed, nothing deleted or created; then nothing to do`, async () => {
      const ws = workspace({ Contact: [] });
      const opts = ['--allow-deletes', '5'];
      expect((await ws.sync(mode, [person('c1', 1), person('c2', 2)], opts)).code).toBe(0);
      const id = ws.org().Contact?.find((c) => c.Email === 'p1@example.com')?.Id;
      const renumbered = await ws.sync(mode, [person('c2', 2), { ...person('c6', 1) }], opts);
      expect(renumbered.code).toBe(0);
      expect(outcome(renumbered.report, 'c6')).toMatchObject({ outcome: 'updated', destinationId: id });
      expect(outcome(renumbered.report, 'c1')).toMatchObject({ outcome: 'skipped', code: 'rekeyed' });
      expect(ws.org().Contact?.filter((c) => c.Email === 'p1@example.com').map((c) => [c.Id, c.Customer_Id__c])).toEqual([[id, 'c6']]);
      expect(ws.org().Contact).toHaveLength(2);
      const again = await ws.sync(mode, [person('c2', 2), person('c6', 1)], opts);
      expect(again.report.records.map((r) => `${r.id}:${r.outcome}`).sort()).toEqual(['c2:unchanged', 'c6:unchanged']);
    });
  }
});

describe("CLI: Email as the key with Customer_Id__c mapped, a record in Salesforce has one row's Email and another row's Customer_Id__c (third trial of stop 32: Bob's Contact became Ann, its Customer_Id__c c2 → c1, and Bob was created anew)", () => {
  const rows: Row[] = [
    { id: 'c1', Customer_Id__c: 'c1', Email: 'ann@example.com', FirstName: 'Ann', LastName: 'Alpha', Company: 'Acme' },
    { id: 'c2', Customer_Id__c: 'c2', Email: 'bob@example.com', FirstName: 'Bob', LastName: 'Beta', Company: 'Acme' },
    { id: 'c3', Customer_Id__c: 'c3', Email: 'cat@example.com', FirstName: 'Cat', LastName: 'Gamma', Company: 'Acme' },
  ];
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ['Contact', 'additive', '003'],
    ['Contact', 'sync', '003'],
    ['Contact', 'enrich', '003'],
    ['Lead', 'additive', '00Q'],
  ];
  for (const [object, mode, prefix] of cases) {
    it(`${object}, ${mode}: both rows refused identity_unclear naming that record, nothing written to it and no record with Bob's Email, every run; the other row synced`, async () => {
      const id = salesforceId(prefix, 402);
      const fields = (r: Row) => (object === 'Lead' ? r : Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'Company')));
      const ws = workspace({ [object]: [fields({ Id: id, Customer_Id__c: 'c2', Email: 'ann@example.com', FirstName: 'Bob', LastName: 'Beta', Company: 'Acme' }), fields({ Customer_Id__c: 'c3', Email: 'cat@example.com', LastName: 'Old', Company: 'Acme' })] });
      const opts = ['--option', `object=${object}`];
      for (let run = 0; run < 2; run++) {
        const { code, report } = await ws.sync(mode, rows.map(fields), opts);
        expect(code).toBe(1);
        expect(outcome(report, 'c1')).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
        expect(outcome(report, 'c1')?.message).toContain(`record ${id}, found by its Email, has Customer_Id__c "c2" where this row has "c1"`);
        expect(outcome(report, 'c2')).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
        expect(outcome(report, 'c3')?.outcome).toBe(run === 0 ? 'updated' : 'unchanged');
        const records = ws.org()[object] ?? [];
        expect(records.find((r) => r.Id === id)).toMatchObject({ Customer_Id__c: 'c2', Email: 'ann@example.com', FirstName: 'Bob' });
        expect(records.filter((r) => String(r.Email).toLowerCase() === 'bob@example.com')).toHaveLength(0);
      }
    });
  }
});

describe("CLI: Customer_Id__c as the key, a record in Salesforce has one row's id and another row's Email (first trial of stop 31: Bob's Lead was rewritten with Ann, and Bob's row made a second Lead)", () => {
  const bobsId = salesforceId('00Q', 401);
  const rows: Row[] = [
    { id: 'c1', Customer_Id__c: 'c1', Email: 'ann@example.com', FirstName: 'Ann', LastName: 'Alpha', Company: 'Acme' },
    { id: 'c2', Customer_Id__c: 'c2', Email: 'bob@example.com', FirstName: 'Bob', LastName: 'Beta', Company: 'Acme' },
    { id: 'c3', Customer_Id__c: 'c3', Email: 'cat@example.com', FirstName: 'Cat', LastName: 'Gamma', Company: 'Acme' },
  ];
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ['Lead', 'additive', '00Q'],
    ['Lead', 'sync', '00Q'],
    ['Contact', 'enrich', '003'],
    // Contacts by an external id upsert their creates: with Emails in the source they are looked up first all the same.
    ['Contact', 'additive', '003'],
    ['Contact', 'sync', '003'],
  ];
  for (const [object, mode, prefix] of cases) {
    it(`${object}, ${mode}: both rows refused identity_unclear naming that record, nothing written to it and no second record with its Email, every run; the other row synced`, async () => {
      const id = prefix === '00Q' ? bobsId : salesforceId('003', 401);
      const fields = (r: Row) => (object === 'Lead' ? r : Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'Company')));
      const ws = workspace({ [object]: [fields({ Id: id, Customer_Id__c: 'c1', Email: 'bob@example.com', FirstName: 'Bob', LastName: 'Beta', Company: 'Acme' }), fields({ Customer_Id__c: 'c3', Email: 'cat@example.com', LastName: 'Old', Company: 'Acme' })] });
      const opts = ['--option', `object=${object}`, '--option', 'matchField=Customer_Id__c'];
      for (let run = 0; run < 2; run++) {
        const { code, report } = await ws.sync(mode, rows.map(fields), opts);
        expect(code).toBe(1);
        expect(outcome(report, 'c1')).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
        expect(outcome(report, 'c1')?.message).toContain(`record ${id}, found by its Customer_Id__c, has the Email of record "c2"`);
        expect(outcome(report, 'c2')).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
        expect(outcome(report, 'c3')?.outcome).toBe(run === 0 ? 'updated' : 'unchanged');
        const records = ws.org()[object] ?? [];
        expect(records.find((r) => r.Id === id)).toMatchObject({ Customer_Id__c: 'c1', Email: 'bob@example.com', FirstName: 'Bob' });
        expect(records.filter((r) => String(r.Email).toLowerCase() === 'bob@example.com')).toHaveLength(1);
        expect(records.filter((r) => r.Email === 'ann@example.com')).toHaveLength(0);
      }
    });
  }
});

describe('CLI: Customer_Id__c as the key, sync, an id renumbered with its Email kept: the deletion guard counts no delete (first trial of stop 31: refused as a mass deletion that the plan never makes)', () => {
  const person = (id: string, n: number) => ({ id, Customer_Id__c: id, Email: `p${n}@example.com`, FirstName: `First${n}`, LastName: `Last${n}` });
  it('runs without --allow-deletes; nothing is deleted', async () => {
    const ws = workspace({ Contact: [] });
    const opts = ['--option', 'matchField=Customer_Id__c'];
    expect((await ws.sync('sync', [person('c1', 1), person('c2', 2), person('c3', 3)], opts)).code).toBe(0);
    const renumbered = await ws.sync('sync', [{ ...person('c9', 1) }, person('c2', 2), person('c3', 3)], opts);
    expect(renumbered.stderr).not.toMatch(/deletion_guard/);
    expect(renumbered.report.records.filter((r) => r.outcome === 'deleted')).toEqual([]);
    expect(outcome(renumbered.report, 'c1')?.outcome).toBe('skipped');
    expect((ws.org().Contact ?? []).filter((c) => c.Email === 'p1@example.com').length).toBeGreaterThan(0);
  });
});

describe("CLI: Email as the key, a Contact's Email changed in Salesforce to a new row's Email (first trial of stop 31: the message told the user to send a change the source never had)", () => {
  const person = (id: string, n: number) => ({ id, Email: `p${n}@example.com`, FirstName: `First${n}`, LastName: `Last${n}` });
  it('the new row is refused duplicate_destination_record, saying the Contact was changed in Salesforce', async () => {
    const ws = workspace({ Contact: [] });
    expect((await ws.sync('additive', [person('c1', 1), person('c2', 2)])).code).toBe(0);
    const file = join(ws.dir, 'state', 'emulators', 'salesforce.json');
    const org = ws.org();
    for (const c of org.Contact ?? []) if (c.Email === 'p2@example.com') c.Email = 'p7@example.com';
    writeFileSync(file, JSON.stringify(org));
    const next = await ws.sync('additive', [person('c1', 1), person('c2', 2), person('c7', 7)]);
    expect(outcome(next.report, 'c7')).toMatchObject({ outcome: 'failed', code: 'duplicate_destination_record' });
    expect(outcome(next.report, 'c7')?.message).toMatch(/which this sync tracks for record "c2" but which now has this row's Email, though this sync never wrote it there/);
    expect(outcome(next.report, 'c7')?.message).not.toMatch(/separate runs/);
  });
});

describe('CLI: Customer_Id__c as the key, two Contacts whose ids differ only by Unicode normalisation (trial 20a F2: the row was sent NFC-normalised and overwrote the other Contact)', () => {
  const nfc = 'jos\u00e9';
  const nfd = 'jose\u0301';
  const seed = { Contact: [
    { Id: salesforceId('003', 401), Customer_Id__c: nfc, Email: 'nfc@example.com', FirstName: 'Composed', LastName: 'Person' },
    { Id: salesforceId('003', 402), Customer_Id__c: nfd, Email: 'nfd@example.com', FirstName: 'Decomposed', LastName: 'Person' },
  ] };
  it.each(['additive', 'enrich'])('%s: each row reaches the Contact with its own id, written as the source has it; the other is untouched', async (mode) => {
    const ws = workspace(seed);
    const opts = ['--option', 'matchField=Customer_Id__c'];
    const run = await ws.sync(mode, [{ id: 'r1', Customer_Id__c: nfd, FirstName: 'DecomposedRow', LastName: 'Person' }], opts);
    expect(outcome(run.report, 'r1')).toMatchObject({ outcome: 'updated', destinationId: salesforceId('003', 402) });
    const contacts = byId(ws.org(), 'Contact');
    expect(contacts.get(salesforceId('003', 402))).toMatchObject({ Customer_Id__c: nfd, FirstName: 'DecomposedRow' });
    expect(contacts.get(salesforceId('003', 401))).toMatchObject({ Customer_Id__c: nfc, FirstName: 'Composed' });
    expect(contacts.size).toBe(2);
  });
});

describe('CLI: a leaver whose row had only its Email and a name, and a new id with that Email and values of its own (trial 20a F3: taken over, the new values written onto the leaver\'s Contact)', () => {
  it.each(['sync', 'additive'])('%s: the new row is refused identity_unclear, naming the values the leaver did not have; the Contact is kept as it was', async (mode) => {
    const ws = workspace({ Contact: [] });
    const ann = { id: 'c1', Email: 'a@example.com', FirstName: '', LastName: 'Alpha', Phone: '', MailingCity: '' };
    const bob = { id: 'c2', Email: 'b@example.com', FirstName: 'Bob', LastName: 'Beta', Phone: '222', MailingCity: 'Bergen' };
    expect((await ws.sync(mode, [ann, bob], ['--allow-deletes', '10'])).code).toBe(0);
    const before = (ws.org().Contact ?? []).find((c) => c.Email === 'a@example.com');
    const next = await ws.sync(mode, [{ id: 'c6', Email: 'a@example.com', FirstName: 'Zed', LastName: 'Alpha', Phone: '999', MailingCity: 'Narvik' }, bob], ['--allow-deletes', '10']);
    expect(outcome(next.report, 'c6')).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
    expect(outcome(next.report, 'c6')?.message).toMatch(/FirstName, Phone, MailingCity/);
    expect(next.report.records.filter((r) => r.outcome === 'deleted')).toEqual([]);
    const after = (ws.org().Contact ?? []).filter((c) => c.Email === 'a@example.com');
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ Id: before?.Id, LastName: 'Alpha' });
    expect(after[0]?.FirstName ?? null).toBeNull();
    expect(after[0]?.Phone ?? null).toBeNull();
  });

  it('sync: a new id with exactly the leaver\'s values (its Email and name) is that person renumbered: the Contact is kept, nothing refused', async () => {
    const ws = workspace({ Contact: [] });
    const ann = { id: 'c1', Email: 'a@example.com', LastName: 'Alpha' };
    expect((await ws.sync('sync', [ann, { id: 'c2', Email: 'b@example.com', LastName: 'Beta' }])).code).toBe(0);
    const next = await ws.sync('sync', [{ ...ann, id: 'c6' }, { id: 'c2', Email: 'b@example.com', LastName: 'Beta' }]);
    expect(next.code).toBe(0);
    expect(outcome(next.report, 'c1')).toMatchObject({ outcome: 'skipped', code: 'rekeyed' });
    expect((ws.org().Contact ?? []).filter((c) => c.Email === 'a@example.com' && !c.IsDeleted)).toHaveLength(1);
  });
});

describe('CLI: Customer_Id__c as the key, Bulk API windows, a hand-made Contact with one row\'s id and the Email of a row in a later window (trial 20a F1: that row was created beside it)', () => {
  it('additive: both rows are refused identity_unclear, whatever window each is in; no second Contact with that Email', async () => {
    const ws = workspace({ Contact: [{ Id: salesforceId('003', 901), Customer_Id__c: 'k1', Email: 'p400@example.com', FirstName: 'F400', LastName: 'L400' }] });
    const rows = Array.from({ length: 450 }, (_, i) => ({ id: `k${i + 1}`, Customer_Id__c: `k${i + 1}`, Email: `p${i + 1}@example.com`, LastName: `L${i + 1}` }));
    const run = await ws.sync('additive', rows, ['--option', 'matchField=Customer_Id__c', '--option', 'bulkThreshold=1', '--option', 'bulkJobSize=201']);
    expect([outcome(run.report, 'k1'), outcome(run.report, 'k400')].map((r) => [r?.outcome, r?.code])).toEqual([['failed', 'identity_unclear'], ['failed', 'identity_unclear']]);
    expect(outcome(run.report, 'k400')?.message).toMatch(/Its Email is on Salesforce record 003\w+, which has the Customer_Id__c of record "k1"/);
    expect((ws.org().Contact ?? []).filter((c) => c.Email === 'p400@example.com')).toHaveLength(1);
    expect(run.report.counts.created).toBe(448);
  });
});

describe('CLI: Customer_Id__c as the key, one person under three ids, then one id given to someone new who kept the name (verify, full, seed 28890446: the new Email and city were written onto that person\'s record)', () => {
  const ann = (id: string) => ({ id, Customer_Id__c: id, Email: 'ann@example.com', FirstName: 'Ann', LastName: 'Lee', Phone: '555001' });
  const bob = { id: 'c2', Customer_Id__c: 'c2', Email: 'bob@example.com', FirstName: 'Bob', LastName: 'Ray', Phone: '555002' };
  for (const mode of ['sync', 'additive', 'enrich']) {
    it(`${mode}: c1 refused identity_unclear naming a copy, no Contact written, every run`, async () => {
      const ws = workspace({ Contact: [] });
      const opts = ['--option', 'matchField=Customer_Id__c', '--allow-deletes', '5'];
      expect((await ws.sync(mode === 'enrich' ? 'additive' : mode, [ann('c1'), bob, ann('c6'), ann('c7')], opts)).code).toBe(0);
      const before = ws.org().Contact;
      for (let run = 0; run < 2; run++) {
        const again = await ws.sync(mode, [{ ...ann('c1'), Email: 'zed@example.com', Phone: '555999' }, bob, ann('c6'), ann('c7')], opts);
        expect(again.code).toBe(1);
        expect(again.report.records.map((r) => `${r.id}:${r.code ?? r.outcome}`).sort()).toEqual(['c1:identity_unclear', 'c2:unchanged', 'c6:unchanged', 'c7:unchanged']);
        expect(outcome(again.report, 'c1')?.message).toMatch(/Its previous email stays with record "c[67]"/i);
        expect(ws.org().Contact).toEqual(before);
      }
    });
  }
  it('sync: c1 changing only its Email is updated', async () => {
    const ws = workspace({ Contact: [] });
    const opts = ['--option', 'matchField=Customer_Id__c'];
    expect((await ws.sync('sync', [ann('c1'), bob, ann('c6')], opts)).code).toBe(0);
    const again = await ws.sync('sync', [{ ...ann('c1'), Email: 'ann.new@example.com' }, bob, ann('c6')], opts);
    expect(again.code).toBe(0);
    expect(outcome(again.report, 'c1')?.outcome).toBe('updated');
  });
});
