import { ConfigError, parseConfig, runSync, type RunSyncOptions } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { intercomDestination } from '../src/index';
import { calls, FAST, outcomes, person } from './helpers';
import { records, startEmulator } from './intercom-harness';


// A create answered 409 "already exists" (an archived contact, or one search had not indexed
// yet) is a first match, like one search finds: Intercom's contact keeps what the record does not
// have. https://developers.intercom.com/docs/references/rest-api/api.intercom.io/contacts/createcontact
describe('Intercom: a create answered 409 (fresh helper 72)', () => {
  const t = perTestEmulator(startEmulator);
  const run = (rs: readonly ConformanceRecord[], extra: Partial<RunSyncOptions> = {}) =>
    runSync({ collectResults: true, destination: intercomDestination, config: t.env.config, source: memorySource(rs), state: t.state, retry: FAST, guard: { maxDeletes: 100 }, ...extra });
  const contactOf = async (externalId: string) => (await records(t.env.admin)).contacts.find((c) => c.external_id === externalId);

  const handTyped = {
    data_attributes: [{ name: 'plan', data_type: 'string' }],
    contacts: [{ role: 'user', external_id: 'ext-1', email: 'p1@example.com', name: 'Typed by hand', phone: '+15550001', custom_attributes: { plan: 'gold' }, archived: true }],
  };

  for (const mode of ['additive', 'sync'] as const) {
    it(`an archived contact brought back keeps the values the record does not have (${mode}): name, phone and a custom attribute typed in Intercom`, async () => {
      await t.env.admin.seed(handTyped);
      const summary = await run([person(1, { name: '', 'custom_attributes.plan': '' })], { mode });
      expect(outcomes(summary)).toEqual({ p1: 'updated' });
      expect(await contactOf('ext-1')).toMatchObject({ name: 'Typed by hand', phone: '+15550001', custom_attributes: { plan: 'gold' }, archived: false });
      const put = (await t.env.admin.requests()).find((e) => e.method === 'PUT');
      expect(Object.keys(put?.body as object).sort()).toEqual(['email', 'external_id']);
      // A rerun has nothing to send.
      expect(outcomes(await run([person(1, { name: '', 'custom_attributes.plan': '' })], { mode }))).toEqual({ p1: 'unchanged' });
    });
  }

  it('a contact this sync wrote, archived in Intercom meanwhile: what the source emptied since is cleared when it is brought back, and stays cleared (fresh helper 73, finding 1)', async () => {
    await t.env.admin.seed({ data_attributes: [{ name: 'plan', data_type: 'string' }] });
    expect(outcomes(await run([person(1, { phone: '+15550009', 'custom_attributes.plan': 'gold' }), person(2)], { mode: 'sync' }))).toEqual({ p1: 'created', p2: 'created' });
    const created = await contactOf('ext-1');
    const archived = await fetch(`${t.env.url}/contacts/${created?.id}/archive`, { method: 'POST', headers: { authorization: `Bearer ${t.env.config.accessToken}`, 'intercom-version': '2.14' } });
    expect(archived.status).toBe(200);
    const emptied = [person(1, { name: '', phone: '', 'custom_attributes.plan': '' }), person(2)];
    expect(outcomes(await run(emptied, { mode: 'sync' }))).toEqual({ p1: 'updated', p2: 'unchanged' });
    const back = await contactOf('ext-1');
    expect([back?.id, back?.archived, back?.name ?? null, back?.phone ?? null, back?.custom_attributes?.plan ?? null]).toEqual([created?.id, false, null, null, null]);
    expect(outcomes(await run(emptied, { mode: 'sync' }))).toEqual({ p1: 'unchanged', p2: 'unchanged' });
  });

  it('a 503 on the unarchive is retried, not a permanent restore_failed', async () => {
    await t.env.admin.seed(handTyped);
    await t.env.admin.setFaults([{ kind: 'server_error', status: 503, path: 'unarchive', times: 1 }]);
    const summary = await run([person(1, { name: 'Back' })], { mode: 'additive' });
    expect(outcomes(summary)).toEqual({ p1: 'updated' });
    expect(calls(await t.env.admin.requests()).filter((c) => c.includes('unarchive'))).toEqual(['POST /contacts/:id/unarchive → 503', 'POST /contacts/:id/unarchive → 200']);
    expect(await contactOf('ext-1')).toMatchObject({ name: 'Back', archived: false });
  });

  it('a contact this sync created, archived in Intercom and brought back by the sync, is still its own: sync mode archives it when it leaves', async () => {
    expect(outcomes(await run([person(1), person(2)], { mode: 'sync' }))).toEqual({ p1: 'created', p2: 'created' });
    const created = await contactOf('ext-1');
    const archived = await fetch(`${t.env.url}/contacts/${created?.id}/archive`, { method: 'POST', headers: { authorization: `Bearer ${t.env.config.accessToken}`, 'intercom-version': '2.14' } });
    expect(archived.status).toBe(200);
    const back = await run([person(1, { name: 'Renamed' }), person(2)], { mode: 'sync' });
    expect(outcomes(back)).toEqual({ p1: 'updated', p2: 'unchanged' });
    expect(await contactOf('ext-1')).toMatchObject({ id: created?.id, name: 'Renamed', archived: false });
    const left = await run([person(2)], { mode: 'sync' });
    expect(outcomes(left)).toEqual({ p1: 'deleted', p2: 'unchanged' });
    expect(await contactOf('ext-1')).toMatchObject({ id: created?.id, archived: true });
  });
});

// A new custom attribute is typed from the first 100 distinct values of its column; a later
// value a number would change (a leading zero) makes it text, so no digit is lost (fresh helper
// 72, finding 5: 120 whole numbers then `02134` made an integer attribute, stored as 2134).
describe('Intercom: a custom attribute created from a column whose leading zeros come late', () => {
  const t = perTestEmulator(startEmulator);
  const zips = (late: readonly string[]) => [...Array.from({ length: 120 }, (_, i) => String(10_000 + 7 * i)), ...late];
  const rows = (values: readonly string[]) => values.map((zip, i) => person(i + 1, { 'custom_attributes.zip': zip }));
  const run = (rs: readonly ConformanceRecord[]) => runSync({ collectResults: true, destination: intercomDestination, config: t.env.config, source: memorySource(rs), state: t.state, retry: FAST, mode: 'additive' });

  it('is a string attribute, and 02134 and 00501 keep their digits', async () => {
    const summary = await run(rows(zips(['02134', '00501'])));
    expect(summary.counts).toMatchObject({ created: 122, failed: 0 });
    const data = await records(t.env.admin);
    expect(data.data_attributes.find((a) => a.name === 'zip')?.data_type).toBe('string');
    const zipOf = (i: number) => data.contacts.find((c) => c.external_id === `ext-${i}`)?.custom_attributes?.zip;
    expect([zipOf(121), zipOf(122), zipOf(1)]).toEqual(['02134', '00501', '10000']);
  });

  // Fresh trial 139, F1: once created as an integer (from whole numbers), a later run's 02139 was written as 2139, reported created.
  it('an integer attribute made by an earlier run: a later value with leading zeros fails number_not_exact, the zeros never dropped; the rest are written', async () => {
    expect((await run(rows(['94105', '10001']))).counts).toMatchObject({ created: 2, failed: 0 });
    expect((await records(t.env.admin)).data_attributes.find((a) => a.name === 'zip')?.data_type).toBe('integer');
    const later = await run(rows(['94105', '10001', '02139', '60601']));
    expect(later.results.filter((r) => r.outcome !== 'unchanged').map((r) => [r.id, r.outcome, r.code])).toEqual([['p3', 'failed', 'number_not_exact'], ['p4', 'created', undefined]]);
    expect(later.results.find((r) => r.id === 'p3')?.message).toMatch(/custom_attributes\.zip has leading zeros, which Intercom's integer attribute would drop/);
    const data = await records(t.env.admin);
    expect(data.contacts.find((c) => c.external_id === 'ext-3')).toBeUndefined();
    expect(data.contacts.find((c) => c.external_id === 'ext-4')?.custom_attributes?.zip).toBe(60601);
  });

  it('a decimal after a hundred whole numbers makes it a float attribute: every record is written (fresh helper 73, finding 4)', async () => {
    const decimal = await run(rows(zips(['2.5'])));
    expect(decimal.counts).toMatchObject({ created: 121, failed: 0 });
    expect((await records(t.env.admin)).data_attributes.find((a) => a.name === 'zip')?.data_type).toBe('float');
  });

  it('a word after a hundred whole numbers makes it a string attribute', async () => {
    const word = await run(rows(zips(['N/A'])));
    expect(word.counts).toMatchObject({ created: 121, failed: 0 });
    expect((await records(t.env.admin)).data_attributes.find((a) => a.name === 'zip')?.data_type).toBe('string');
  });

  it('whole numbers only, however many: an integer attribute, as before', async () => {
    const summary = await run(rows(zips(['99999'])));
    expect(summary.counts).toMatchObject({ created: 121, failed: 0 });
    expect((await records(t.env.admin)).data_attributes.find((a) => a.name === 'zip')?.data_type).toBe('integer');
  });
});

// Intercom ignores a lead's external_id; a PUT with `role: "user"` makes the lead a user and
// takes it (the emulator's `updateContact`, as observed on the real API).
describe('Intercom: a record matched to a lead is given an external_id (fresh helper 72, finding 3)', () => {
  const t = perTestEmulator(startEmulator);
  const run = (rs: readonly ConformanceRecord[]) => runSync({ collectResults: true, destination: intercomDestination, config: t.env.config, source: memorySource(rs), state: t.state, retry: FAST, mode: 'additive' });
  const withoutId = person(1, { external_id: '', name: 'Ada' });

  it('the lead becomes a user holding it; the rerun is unchanged', async () => {
    expect(outcomes(await run([withoutId]))).toEqual({ p1: 'created' });
    const lead = (await records(t.env.admin)).contacts[0];
    expect(lead).toMatchObject({ role: 'lead', email: 'p1@example.com' });
    expect(outcomes(await run([person(1, { external_id: 'u1', name: 'Ada' })]))).toEqual({ p1: 'updated' });
    const contacts = (await records(t.env.admin)).contacts;
    expect(contacts.map((c) => [c.id, c.role, c.external_id])).toEqual([[lead?.id, 'user', 'u1']]);
    expect(outcomes(await run([person(1, { external_id: 'u1', name: 'Ada' })]))).toEqual({ p1: 'unchanged' });
  });

  it('an archived user holds that external_id: the lead is not written (the update is refused whole), and the record fails with a code', async () => {
    await t.env.admin.seed({
      contacts: [
        { role: 'user', external_id: 'u1', email: 'p1@example.com', name: 'Real user (archived)', archived: true },
        { role: 'lead', email: 'p1@example.com', name: 'Anonymous lead' },
      ],
    });
    const summary = await run([person(1, { external_id: 'u1', name: 'Alice' })]);
    const result = summary.results.find((r) => r.id === 'p1');
    expect(result?.outcome).toBe('failed');
    expect(result?.code).toBe('conflict');
    const contacts = (await records(t.env.admin)).contacts;
    expect(contacts.map((c) => [c.role, c.name, c.archived]).sort()).toEqual([
      ['lead', 'Anonymous lead', false],
      ['user', 'Real user (archived)', true],
    ]);
  });
});

describe('Intercom config: role lead with matchBy external_id (fresh helper 72, finding 7)', () => {
  const base = { accessToken: 't', baseUrl: 'http://127.0.0.1:1' };
  it('is refused at configuration time, saying why and what to use', () => {
    expect(() => parseConfig(intercomDestination, { ...base, role: 'lead', matchBy: 'external_id' })).toThrow(ConfigError);
    expect(() => parseConfig(intercomDestination, { ...base, role: 'lead', matchBy: 'external_id' })).toThrow(/ignores the external_id of a lead.*matchBy email/);
  });
  it('the other pairings are accepted', () => {
    for (const [role, matchBy] of [['lead', 'email'], ['lead', 'external_id_then_email'], ['user', 'external_id'], ['auto', 'external_id']]) {
      expect(parseConfig(intercomDestination, { ...base, role, matchBy })).toMatchObject({ role, matchBy });
    }
  });
});

describe('Intercom: custom attribute names it would refuse (fresh helper 72, finding 9)', () => {
  const t = perTestEmulator(startEmulator);

  it('refuse the run before any attribute is created, naming the bad ones; good names with spaces and currency symbols pass', async () => {
    const rows = [person(1, { 'custom_attributes.plan tier': 'gold', 'custom_attributes.plan.tier': 'x', 'custom_attributes.price €': '3' })];
    const attempt = runSync({ collectResults: true, destination: intercomDestination, config: t.env.config, source: memorySource(rows), state: t.state, retry: FAST, mode: 'additive' });
    await expect(attempt).rejects.toMatchObject({ code: 'invalid_attribute_name', message: expect.stringMatching(/"plan\.tier".*custom_attributes\.plan\.tier.*nothing was created/) });
    expect((await t.env.admin.requests()).filter((e) => e.method === 'POST' && e.path === '/data_attributes')).toEqual([]);
    const fine = [person(1, { 'custom_attributes.plan tier': 'gold', 'custom_attributes.price €': '3' })];
    const summary = await runSync({ collectResults: true, destination: intercomDestination, config: t.env.config, source: memorySource(fine), state: t.state, retry: FAST, mode: 'additive' });
    expect(outcomes(summary)).toEqual({ p1: 'created' });
  });
});

// Fresh trial 139, F6: Intercom lists archived data attributes only when asked (include_archived); an archived one was "missing":
// customAttributes=refuse said to create it (it exists), create stopped the run at Intercom's "use a different name".
describe('Intercom: a mapped custom attribute archived in Intercom', () => {
  const t = perTestEmulator(startEmulator);
  for (const customAttributes of ['refuse', 'create'] as const) {
    it(`customAttributes=${customAttributes}: refused before anything is created or sent, saying it is archived and to unarchive it`, async () => {
      await t.env.admin.seed({ data_attributes: [{ name: 'tier', data_type: 'string', archived: true }] });
      const attempt = runSync({ collectResults: true, destination: intercomDestination, config: { ...t.env.config, customAttributes }, source: memorySource([person(1, { 'custom_attributes.tier': 'gold' })]), state: t.state, retry: FAST, mode: 'additive' });
      await expect(attempt).rejects.toMatchObject({ code: 'unknown_custom_attribute', message: expect.stringMatching(/data attribute "tier" is archived.*Unarchive it in Intercom/) });
      expect((await t.env.admin.requests()).filter((e) => e.method !== 'GET')).toEqual([]);
    });
  }
});

// Fresh trial 139, F5: a 409 naming a contact that holds another external_id (not Intercom's documented answer: users are unique by
// external_id; a gateway's or another API version's) was taken over: the row's external_id and name written onto that person.
describe('Intercom: a create answered 409 naming a contact with another external_id', () => {
  const t = perTestEmulator(startEmulator);
  const run = (rs: readonly ConformanceRecord[], extra: Partial<RunSyncOptions> = {}) =>
    runSync({ collectResults: true, destination: intercomDestination, config: t.env.config, source: memorySource(rs), state: t.state, retry: FAST, guard: { maxDeletes: 100 }, ...extra });
  const contactOf = async (externalId: string) => (await records(t.env.admin)).contacts.find((c) => c.external_id === externalId);

  it("a 409 naming a contact with another external_id: that contact is read and left alone; the row fails conflict", async () => {
    await t.env.admin.seed({ contacts: [{ role: 'user', external_id: 'parent-1', email: 'family@example.com', name: 'Parent' }] });
    const parent = await contactOf('parent-1');
    await t.env.admin.setFaults([{ kind: 'server_error', status: 409, method: 'POST', path: '^/contacts$', times: 1, body: { type: 'error.list', errors: [{ code: 'conflict', message: `A contact matching those details already exists with id=${parent?.id}` }] } }]);
    const summary = await run([{ id: 'c1', snapshot: { properties: { external_id: 'child-1', email: 'child@example.com', name: 'Child' }, groups: [] } }], { mode: 'additive' });
    expect(summary.results[0]).toMatchObject({ outcome: 'failed', code: 'conflict' });
    expect(summary.results[0]?.message).toMatch(/holds another external_id \(parent-1\): someone else's, not written to/);
    expect(await contactOf('parent-1')).toMatchObject({ name: 'Parent', email: 'family@example.com' });
    expect((await t.env.admin.requests()).filter((e) => e.method === 'PUT')).toEqual([]);
  });

  // Fresh reviewer 143, F2: an archived contact (it cannot be read until unarchived) holding another external_id was unarchived
  // and overwritten.
  it('an archived 409 naming a contact with another external_id: unarchived to be read, archived again, not written; the row fails conflict', async () => {
    await t.env.admin.seed({ contacts: [{ role: 'user', external_id: 'parent-1', email: 'family@example.com', name: 'Parent', archived: true }] });
    const parent = (await records(t.env.admin)).contacts.find((c) => c.external_id === 'parent-1');
    await t.env.admin.setFaults([{ kind: 'server_error', status: 409, method: 'POST', path: '^/contacts$', times: 1, body: { type: 'error.list', errors: [{ code: 'conflict', message: `An archived contact matching those details already exists with id=${parent?.id}` }] } }]);
    const summary = await run([{ id: 'c1', snapshot: { properties: { external_id: 'child-1', email: 'child@example.com', name: 'Child' }, groups: [] } }], { mode: 'additive' });
    expect(summary.results[0]).toMatchObject({ outcome: 'failed', code: 'conflict' });
    expect((await records(t.env.admin)).contacts.find((c) => c.id === parent?.id)).toMatchObject({ external_id: 'parent-1', name: 'Parent', email: 'family@example.com', archived: true });
    expect((await t.env.admin.requests()).filter((e) => e.method === 'PUT')).toEqual([]);
  });

  // Fresh reviewer 143, F6: matching by external_id alone, a user with no external_id and the row's email was taken over.
  it('matchBy external_id: a 409 naming a user with no external_id and the row\'s email: left alone; the row fails conflict', async () => {
    await t.env.admin.seed({ contacts: [{ role: 'user', email: 'child@example.com', name: 'Someone' }] });
    const other = (await records(t.env.admin)).contacts.find((c) => c.email === 'child@example.com');
    await t.env.admin.setFaults([{ kind: 'server_error', status: 409, method: 'POST', path: '^/contacts$', times: 1, body: { type: 'error.list', errors: [{ code: 'conflict', message: `A contact matching those details already exists with id=${other?.id}` }] } }]);
    const summary = await runSync({ collectResults: true, destination: intercomDestination, config: { ...t.env.config, matchBy: 'external_id' as const }, source: memorySource([{ id: 'c1', snapshot: { properties: { external_id: 'child-1', email: 'child@example.com', name: 'Child' }, groups: [] } }]), state: t.state, retry: FAST, mode: 'additive' });
    expect(summary.results[0]).toMatchObject({ outcome: 'failed', code: 'conflict' });
    expect((await records(t.env.admin)).contacts.find((c) => c.id === other?.id)).toMatchObject({ name: 'Someone' });
  });

  // Fresh reviewer 142, F3: a user with no external_id and another email was taken over.
  it('a 409 naming a user with no external_id and another email: left alone; the row fails conflict', async () => {
    await t.env.admin.seed({ contacts: [{ role: 'user', email: 'family@example.com', name: 'Parent' }] });
    const parent = (await records(t.env.admin)).contacts.find((c) => c.email === 'family@example.com');
    await t.env.admin.setFaults([{ kind: 'server_error', status: 409, method: 'POST', path: '^/contacts$', times: 1, body: { type: 'error.list', errors: [{ code: 'conflict', message: `A contact matching those details already exists with id=${parent?.id}` }] } }]);
    const summary = await run([{ id: 'c1', snapshot: { properties: { external_id: 'child-1', email: 'child@example.com', name: 'Child' }, groups: [] } }], { mode: 'additive' });
    expect(summary.results[0]).toMatchObject({ outcome: 'failed', code: 'conflict' });
    expect(summary.results[0]?.message).toMatch(/holds no external_id and another email: someone else's, not written to/);
    expect((await records(t.env.admin)).contacts.find((c) => c.id === parent?.id)).toMatchObject({ name: 'Parent', email: 'family@example.com' });
  });
});
