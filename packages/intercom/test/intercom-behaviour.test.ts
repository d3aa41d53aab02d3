import { ConfigError, SqliteStateStore, runSync, type RunSyncOptions, type SyncMode } from '@syncmodes/connector-kit';
import { memorySource, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { intercomDestination, LOOKUP_BATCH_SIZE } from '../src/index';
import { calls, FAST, memoryLogger, outcomes, person } from './helpers';
import { records, startEmulator, tagNames } from './intercom-harness';

describe('Intercom destination against the emulator', () => {
  let env: Awaited<ReturnType<typeof startEmulator>>;
  let state: SqliteStateStore;
  beforeEach(async () => {
    env = await startEmulator();
    state = new SqliteStateStore(':memory:');
  });
  afterEach(async () => {
    state.close();
    await env.emulator.stop();
  });

  const run = (rs: readonly ConformanceRecord[], extra: Partial<RunSyncOptions> & { config?: Record<string, unknown> } = {}) => {
    const { config, ...rest } = extra;
    return runSync({ collectResults: true, destination: intercomDestination, config: { ...env.config, ...config }, source: memorySource(rs), state, retry: FAST, ...rest });
  };
  const log = () => env.admin.requests();

  describe('a create answered 409 for an archived contact', () => {
    beforeEach(async () => {
      await env.admin.seed({ contacts: [{ role: 'user', external_id: 'ext-1', email: 'p1@example.com', name: 'Old name', archived: true }] });
    });

    for (const mode of ['sync', 'additive'] as const) {
      it(`unarchives and updates it in ${mode} mode, never creating a second contact`, async () => {
        const summary = await run([person(1, { name: 'New name' })], { mode });
        expect(outcomes(summary)).toEqual({ p1: 'updated' });
        expect(calls(await log())).toEqual([
          'GET /data_attributes → 200',
          'POST /contacts/search → 200',
          'POST /contacts → 409',
          'POST /contacts/:id/unarchive → 200',
          // Read once unarchived: another person's would be archived again, not written (fresh reviewer 143, F2).
          'GET /contacts/:id → 200',
          'PUT /contacts/:id → 200',
        ]);
        const { contacts } = await records(env.admin);
        expect(contacts).toHaveLength(1);
        expect(contacts[0]).toMatchObject({ external_id: 'ext-1', name: 'New name', archived: false });
      });
    }

    it('skips it as not_found in enrich mode (archived counts as absent) and writes nothing', async () => {
      const summary = await run([person(1, { name: 'New name' })], { mode: 'enrich' });
      expect(outcomes(summary)).toEqual({ p1: 'skipped:not_found' });
      expect((await log()).filter((e) => e.method !== 'GET' && e.path !== '/contacts/search')).toEqual([]);
      expect((await records(env.admin)).contacts[0]).toMatchObject({ name: 'Old name', archived: true });
    });

    it('does not own the contact it took over: sync mode keeps it when it leaves the source', async () => {
      await run([person(1)], { mode: 'sync' });
      await env.admin.clearRequests();
      const summary = await run([], { mode: 'sync', guard: { allowEmptySource: true, maxDeletes: 10 } });
      expect(outcomes(summary)).toEqual({ p1: 'skipped:not_owned' });
      expect((await log()).filter((e) => e.path.endsWith('/archive') || e.method === 'DELETE')).toEqual([]);
    });
  });

  // Reviewer 88, F6: a contact this sync wrote, archived by a person, is restored by the next run's create (a 409: archived
  // contacts are neither searchable nor readable); the tag the row dropped meanwhile stayed on it until a second run.
  for (const mode of ['sync', 'additive'] as const) {
    it(`${mode}: the sync's own contact archived by a person is restored without the tag the row dropped, in one run`, async () => {
      await run([person(1, {}, ['alpha', 'beta'])], { mode });
      const id = (await records(env.admin)).contacts[0]?.id;
      const archived = await fetch(`${env.url}/contacts/${id}/archive`, { method: 'POST', headers: { authorization: `Bearer ${env.config.accessToken}` } });
      expect(archived.status).toBe(200);
      await env.admin.clearRequests();

      const summary = await run([person(1, { name: 'New name' }, ['beta'])], { mode });
      expect(outcomes(summary)).toEqual({ p1: 'updated' });
      expect(summary.results[0]?.message).toBe(`Not found by its lookup, but the create was answered with the Intercom record this sync wrote before (${id}): restored if it was archived, and updated.`);
      expect(calls(await log())).toEqual([
        'GET /data_attributes → 200',
        'GET /tags → 200',
        'POST /contacts/search → 200',
        'GET /contacts/:id → 404',
        'POST /contacts → 409',
        'POST /contacts/:id/unarchive → 200',
        'GET /contacts/:id → 200',
        'PUT /contacts/:id → 200',
        'DELETE /contacts/:id/tags/:tag → 200',
      ]);
      const data = await records(env.admin);
      expect(data.contacts.map((c) => [c.id, c.archived, c.name, tagNames(data, c as never)])).toEqual([[id, false, 'New name', ['beta']]]);

      await env.admin.clearRequests();
      const rerun = await run([person(1, { name: 'New name' }, ['beta'])], { mode });
      expect(outcomes(rerun)).toEqual({ p1: 'unchanged' });
      expect((await log()).filter((e) => e.method !== 'GET' && e.path !== '/contacts/search')).toEqual([]);
    });
  }

  // Fresh reviewer 100, F1: enrich found the contact it had tagged archived (not_found), and state forgot the tags it had
  // added; once the contact was back, the tag the row had dropped was never removed.
  it("enrich: the sync's tags on a contact archived for a while are still its own when it is back: the dropped one is removed", async () => {
    await env.admin.seed({ contacts: [{ role: 'user', external_id: 'ext-1', email: 'p1@example.com', name: 'Ann' }] });
    const headers = { authorization: `Bearer ${env.config.accessToken}` };
    await run([person(1, {}, ['VIP', 'Beta'])], { mode: 'enrich' });
    const id = (await records(env.admin)).contacts[0]?.id;
    expect((await fetch(`${env.url}/contacts/${id}/archive`, { method: 'POST', headers })).status).toBe(200);
    expect(outcomes(await run([person(1, {}, ['VIP'])], { mode: 'enrich' }))).toEqual({ p1: 'skipped:not_found' });
    expect((await fetch(`${env.url}/contacts/${id}/unarchive`, { method: 'POST', headers })).status).toBe(200);
    const back = await run([person(1, {}, ['VIP'])], { mode: 'enrich' });
    expect(outcomes(back)).toEqual({ p1: 'updated' });
    const data = await records(env.admin);
    expect(tagNames(data, data.contacts[0] as never)).toEqual(['VIP']);
    await env.admin.clearRequests();
    expect(outcomes(await run([person(1, {}, ['VIP'])], { mode: 'enrich' }))).toEqual({ p1: 'unchanged' });
    expect((await log()).filter((e) => e.method !== 'GET')).toEqual([]);
  });

  it('fails a record whose user was permanently deleted (Intercom will not re-create it), alone', async () => {
    await run([person(1), person(2)], { mode: 'sync', config: { removal: 'delete' } });
    await run([person(2)], { mode: 'sync', config: { removal: 'delete' }, guard: { maxDeletes: 10 } });
    expect((await records(env.admin)).contacts.map((c) => c.external_id)).toEqual(['ext-2']);
    const summary = await run([person(1), person(2, { name: 'Renamed' })], { mode: 'sync', config: { removal: 'delete' } });
    expect(outcomes(summary)).toEqual({ p1: 'failed:restore_failed', p2: 'updated' });
    expect(summary.results.find((r) => r.id === 'p1')?.message).toMatch(/permanently deleted/);
  });

  it('archives by default when a record this sync created leaves the source in sync mode', async () => {
    await run([person(1), person(2)], { mode: 'sync' });
    const summary = await run([person(2)], { mode: 'sync', guard: { maxDeletes: 10 } });
    expect(outcomes(summary)).toEqual({ p1: 'deleted', p2: 'unchanged' });
    const { contacts } = await records(env.admin);
    expect(contacts.map((c) => [c.external_id, c.archived])).toEqual([
      ['ext-1', true],
      ['ext-2', false],
    ]);
  });

  describe('clearing an emptied property', () => {
    beforeEach(async () => {
      await env.admin.seed({ data_attributes: [{ name: 'city', data_type: 'string' }, { name: 'visits', data_type: 'integer' }] });
    });

    const cases = [
      { role: 'lead', record: (p: Record<string, string | null>) => ({ id: 'l1', snapshot: { properties: { email: 'lead@example.com', ...p }, groups: [] } }) },
      { role: 'user', record: (p: Record<string, string | null>) => ({ id: 'u1', snapshot: { properties: { external_id: 'u-1', email: 'user@example.com', ...p }, groups: [] } }) },
    ] as const;
    for (const c of cases) {
      it(`leaves a ${c.role}'s text, custom and number attributes empty, without a 400`, async () => {
        const full = { name: 'Ada', phone: '+44 20 7946 0000', 'custom_attributes.city': 'Oslo', 'custom_attributes.visits': '3' };
        expect((await run([c.record(full)])).counts.created).toBe(1);
        const created = (await records(env.admin)).contacts[0];
        expect(created).toMatchObject({ role: c.role, name: 'Ada', custom_attributes: { city: 'Oslo', visits: 3 } });

        const summary = await run([c.record({ name: null, phone: '', 'custom_attributes.city': null, 'custom_attributes.visits': null })]);
        expect(outcomes(summary)).toEqual({ [c.role === 'lead' ? 'l1' : 'u1']: 'updated' });
        const after = (await records(env.admin)).contacts[0];
        expect(after).toMatchObject({ name: null, phone: null, custom_attributes: {} });
        const entries = await log();
        expect(entries.filter((e) => e.status >= 400)).toEqual([]);
        expect(entries.at(-1)?.body).toEqual({ name: '', phone: '', custom_attributes: { city: '', visits: null } });
      });
    }

    it('the emulator refuses null for a lead\'s text attribute, as the connector expects of Intercom', async () => {
      await run([cases[0].record({ name: 'Ada' })]);
      const id = (await records(env.admin)).contacts[0]?.id as string;
      const response = await fetch(`${env.url}/contacts/${id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${env.config.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: null }),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ type: 'error.list', errors: [{ code: 'parameter_invalid' }] });
    });
  });

  describe('custom attributes that are not data attributes yet', () => {
    const withBirthday = (i: number, birthday: string, visits: string) =>
      person(i, { 'custom_attributes.birthday': birthday, 'custom_attributes.visits': visits, 'custom_attributes.plan': i % 2 ? 'pro' : 'free' });

    it('are created first, typed from the values, reported, then written (dates as epoch seconds)', async () => {
      const logger = memoryLogger();
      const summary = await run([withBirthday(1, '27-01-2014', '3'), withBirthday(2, '01-12-1990', '12')], { config: { dateFormat: 'dd-MM-yyyy' }, logger });
      expect(summary.counts.created).toBe(2);
      const data = await records(env.admin);
      expect(Object.fromEntries(data.data_attributes.map((a) => [a.name, a.data_type]))).toEqual({ birthday: 'date', visits: 'integer', plan: 'string' });
      expect(data.contacts[0]?.custom_attributes).toEqual({ birthday: Date.UTC(2014, 0, 27) / 1000, visits: 3, plan: 'pro' });
      expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.fields)).toEqual([
        { name: 'birthday', type: 'date' },
        { name: 'visits', type: 'integer' },
        { name: 'plan', type: 'string' },
      ]);
      const created = (await log()).filter((e) => e.path === '/data_attributes' && e.method === 'POST');
      expect(created.map((e) => e.body)).toEqual([
        { name: 'birthday', model: 'contact', data_type: 'date', description: 'Created by syncmodes' },
        { name: 'visits', model: 'contact', data_type: 'integer', description: 'Created by syncmodes' },
        { name: 'plan', model: 'contact', data_type: 'string', description: 'Created by syncmodes' },
      ]);
      const firstCreate = (await log()).find((x) => x.path === '/contacts' && x.method === 'POST')?.seq ?? 0;
      expect(created.every((e) => e.seq < firstCreate)).toBe(true);
    });

    it('are only reported in a dry run', async () => {
      const logger = memoryLogger();
      await run([withBirthday(1, '27-01-2014', '3')], { config: { dateFormat: 'dd-MM-yyyy' }, logger, dryRun: true });
      expect((await log()).filter((e) => e.method !== 'GET' && e.path !== '/contacts/search')).toEqual([]);
      expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual(Array(3).fill('would create Intercom data attribute'));
    });

    it('refuse the run at configuration time, naming them, with customAttributes=refuse', async () => {
      await env.admin.seed({ data_attributes: [{ name: 'plan', data_type: 'string' }] });
      const attempt = run([withBirthday(1, '27-01-2014', '3')], { config: { customAttributes: 'refuse' } });
      await expect(attempt).rejects.toThrow(ConfigError);
      await expect(run([withBirthday(1, '27-01-2014', '3')], { config: { customAttributes: 'refuse' } })).rejects.toThrow(/no data attribute "birthday", "visits" for contacts/);
      expect((await log()).filter((e) => e.method !== 'GET')).toEqual([]);
    });

    // Fresh reviewer 96, F6: a mapping to custom_attributes.Plan beside the workspace's `plan` created a second attribute
    // `Plan` and wrote there, leaving `plan` stale; only a warning was logged.
    it('refuse, in either setting, one whose name differs only in case from an existing attribute, naming it; nothing created or sent', async () => {
      await env.admin.seed({ data_attributes: [{ name: 'plan', data_type: 'string' }], contacts: [{ role: 'user', external_id: 'ext-1', email: 'p1@example.com', custom_attributes: { plan: 'gold' } }] });
      for (const customAttributes of ['create', 'refuse'] as const) {
        const attempt = run([person(1, { 'custom_attributes.Plan': 'pro' })], { mode: 'enrich', config: { customAttributes } });
        await expect(attempt).rejects.toMatchObject({ code: 'unknown_custom_attribute', message: expect.stringContaining('"Plan" (it has "plan")') });
      }
      expect((await log()).filter((e) => e.method !== 'GET')).toEqual([]);
      const data = await records(env.admin);
      expect(data.data_attributes.filter((a) => a.name.toLowerCase() === 'plan').map((a) => a.name)).toEqual(['plan']);
      expect(data.contacts[0]?.custom_attributes).toEqual({ plan: 'gold' });
    });

    it('refuse an unknown standard field, naming it', async () => {
      await expect(run([person(1, { first_name: 'Ada' })])).rejects.toThrow(/Intercom contacts have no field "first_name"/);
    });
  });

  it('fails a value that does not fit its attribute alone, naming the field', async () => {
    await env.admin.seed({ data_attributes: [{ name: 'visits', data_type: 'integer' }] });
    const summary = await run([person(1, { 'custom_attributes.visits': 'many' }), person(2, { 'custom_attributes.visits': '4' })]);
    expect(outcomes(summary)).toEqual({ p1: 'failed:invalid_number', p2: 'created' });
    expect(summary.results[0]?.message).toBe('custom_attributes.visits must be a whole number (digits, an optional sign and decimal point).');
  });

  it('gives new contacts the configured role: auto makes users of records with an external_id, leads of the rest', async () => {
    const lead = { id: 'l', snapshot: { properties: { email: 'lead@example.com', name: 'Lee' }, groups: [] } };
    await run([person(1), lead]);
    await run([person(2)], { config: { role: 'lead' }, state: new SqliteStateStore(':memory:') });
    const { contacts } = await records(env.admin);
    expect(contacts.map((c) => [c.email, c.role])).toEqual([
      ['p1@example.com', 'user'],
      ['lead@example.com', 'lead'],
      ['p2@example.com', 'lead'],
    ]);
    const leadCreate = (await log()).filter((e) => e.method === 'POST' && e.path === '/contacts').at(-1);
    expect(leadCreate?.body).toEqual({ role: 'lead', email: 'p2@example.com', name: 'Person 2' });
  });

  it('looks up by external_id first, then email, and by the old key before the new one', async () => {
    await env.admin.seed({ contacts: [{ role: 'user', email: 'p1@example.com', name: 'Found by email' }] });
    const first = await run([person(1)]);
    expect(outcomes(first)).toEqual({ p1: 'updated' });
    const search = (await log()).find((e) => e.path === '/contacts/search');
    expect(search?.body).toEqual({
      query: { operator: 'OR', value: [{ field: 'external_id', operator: 'IN', value: ['ext-1'] }, { field: 'email', operator: 'IN', value: ['p1@example.com'] }] },
      pagination: { per_page: 150 },
    });
    await env.admin.clearRequests();

    const moved = await run([person(1, { external_id: 'ext-1b', email: 'p1b@example.com' })]);
    expect(outcomes(moved)).toEqual({ p1: 'updated' });
    const searches = (await log()).filter((e) => e.path === '/contacts/search').map((e) => JSON.stringify(e.body));
    expect(searches[0]).toContain('"ext-1"');
    const { contacts } = await records(env.admin);
    expect(contacts.map((c) => [c.external_id, c.email])).toEqual([['ext-1b', 'p1b@example.com']]);
  });

  // Fresh reviewer 97, F2 (found on Facebook): an email with a zero-width space or a mailto: prefix was sent as it was, and
  // the contact created beside the person's own, whom no search for it finds.
  it('fails an email with invisible characters or a mailto: prefix alone (invalid_email), before any lookup names it', async () => {
    await env.admin.seed({ contacts: [{ role: 'user', email: 'p1@example.com', name: 'Ann' }] });
    const dirty = ['p1@example.com\u200b', '\u00adp2@example.com', 'mailto:p3@example.com'];
    const summary = await run([...dirty.map((email, i) => person(i + 1, { email })), person(4)], { mode: 'additive' });
    expect(outcomes(summary)).toEqual({ p1: 'failed:invalid_email', p2: 'failed:invalid_email', p3: 'failed:invalid_email', p4: 'created' });
    expect(JSON.stringify((await log()).map((e) => e.body))).not.toMatch(/p[123]@example/);
    expect((await records(env.admin)).contacts.map((c) => c.email).sort()).toEqual(['p1@example.com', 'p4@example.com']);
  });

  it('does not take a user with another external_id for this record just because the email matches', async () => {
    await env.admin.seed({ contacts: [{ role: 'user', external_id: 'someone-else', email: 'p1@example.com' }] });
    const summary = await run([person(1)]);
    expect(outcomes(summary)).toEqual({ p1: 'created' });
    const other = (await records(env.admin)).contacts.find((c) => c.external_id === 'someone-else');
    expect((await records(env.admin)).contacts.map((c) => c.external_id)).toEqual(['someone-else', 'ext-1']);
    // The result names the contact passed over, so it does not read as if nobody had the email (reviewer 88, F7).
    expect(summary.results[0]?.message).toBe(`No external_id or email match in Intercom; created. Intercom record ${other?.id} (external_id:someone-else) shares one of its identifiers but has another key: someone else's, not written to.`);
  });

  it("enrich: a user with the record's email and another external_id is named in the not_found result, and left as it is", async () => {
    await env.admin.seed({ contacts: [{ role: 'user', external_id: 'someone-else', email: 'p1@example.com', name: 'Other' }] });
    const before = (await records(env.admin)).contacts;
    const summary = await run([person(1)], { mode: 'enrich' });
    expect(outcomes(summary)).toEqual({ p1: 'skipped:not_found' });
    expect(summary.results[0]?.message).toBe(`No external_id or email match in Intercom; Enrich mode never creates. Intercom record ${before[0]?.id} (external_id:someone-else) shares one of its identifiers but has another key: someone else's, not written to.`);
    expect((await records(env.admin)).contacts).toEqual(before);
  });

  it(`batches lookups: one search per ${LOOKUP_BATCH_SIZE} records`, async () => {
    const many = Array.from({ length: 250 }, (_, i) => person(i));
    await env.admin.seed({ contacts: many.map((r) => ({ role: 'user', external_id: r.snapshot.properties.external_id, email: r.snapshot.properties.email })) });
    const summary = await run(many, { mode: 'enrich' });
    expect(summary.counts.updated).toBe(250);
    const searches = (await log()).filter((e) => e.path === '/contacts/search');
    expect(searches).toHaveLength(3);
    // 200 contacts match the first two searches (100 external ids + 100 emails each, the same people): two pages of 150.
    expect(searches.map((e) => (e.body as { query: { value: { value: string[] }[] } }).query.value[0]?.value.length)).toEqual([100, 100, 50]);
  });

  it('keeps managed tags in step and leaves tags it does not manage alone', async () => {
    await env.admin.seed({ tags: [{ name: 'VIP' }], contacts: [{ role: 'user', external_id: 'ext-1', email: 'p1@example.com', tags: { data: [{ name: 'VIP' }] } }] });
    await run([person(1, {}, ['alpha', 'beta'])]);
    let data = await records(env.admin);
    expect(tagNames(data, data.contacts[0] as never)).toEqual(['VIP', 'alpha', 'beta']);
    await run([person(1, {}, ['Beta'])]);
    data = await records(env.admin);
    expect(tagNames(data, data.contacts[0] as never)).toEqual(['VIP', 'beta']);
    expect(data.tags.map((t) => t.name)).toEqual(['VIP', 'alpha', 'beta']);
  });

  it('stops on a refused token without printing it, leaving records for the next run', async () => {
    const secret = 'sk-live-do-not-print-me';
    const summary = await run([person(1), person(2)], { config: { accessToken: secret } });
    expect(summary.status).toBe('stopped');
    expect(summary.reason?.code).toBe('authentication_failed');
    expect(JSON.stringify(summary)).not.toContain(secret);
    expect(outcomes(summary)).toEqual({ p1: 'skipped:not_sent', p2: 'skipped:not_sent' });
  });

  it.each(['sync', 'additive', 'enrich'] as SyncMode[])('%s mode sends dates of standard fields as epoch seconds', async (mode) => {
    if (mode === 'enrich') await env.admin.seed({ contacts: [{ role: 'user', external_id: 'ext-1', email: 'p1@example.com' }] });
    await run([person(1, { signed_up_at: '2024-02-29' })], { mode });
    const write = (await log()).find((e) => e.method === 'POST' && e.path === '/contacts') ?? (await log()).find((e) => e.method === 'PUT');
    expect((write?.body as { signed_up_at?: number }).signed_up_at).toBe(Date.UTC(2024, 1, 29) / 1000);
  });

  // Fresh reviewer 97, F3 (found on OneSignal; the same reading here): a year, 0 or a spreadsheet serial day in a date field
  // was read as epoch seconds and sent as a 1970 date. A whole number of fewer than 9 digits now fails alone.
  it('a date of a few digits (a year, 0, a spreadsheet serial day, with a fraction or not) fails invalid_date alone; 9 digits are epoch seconds, a fraction cut', async () => {
    const values = { p1: '1990', p2: '0', p3: '45383', p4: '33010.5', p5: '642902400', p6: '1700000000.123' };
    const summary = await run(Object.entries(values).map(([id, v], i) => ({ ...person(i + 1, { signed_up_at: v }), id })), { mode: 'additive' });
    expect(outcomes(summary)).toEqual({ p1: 'failed:invalid_date', p2: 'failed:invalid_date', p3: 'failed:invalid_date', p4: 'failed:invalid_date', p5: 'created', p6: 'created' });
    const creates = (await log()).filter((e) => e.method === 'POST' && e.path === '/contacts');
    expect(creates.map((e) => (e.body as { signed_up_at?: number }).signed_up_at)).toEqual([642902400, 1700000000]);
  });
});
