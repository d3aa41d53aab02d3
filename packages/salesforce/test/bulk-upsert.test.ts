import { SqliteStateStore, runSync } from '@syncmodes/connector-kit';
import type { RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import { memorySource, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { afterLookup, startEmulator } from './salesforce-harness';

// Bulk API 2.0 upsert by an external-id match field:
// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/create_job.htm (operation upsert, externalIdFieldName)
// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/get_job_successful_results.htm (sf__Id, sf__Created)
// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/get_job_failed_results.htm (sf__Error)
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_upsert.htm

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const N = 250;
const person = (i: number, extra: Record<string, string | null> = {}): ConformanceRecord => ({
  id: `c${i}`,
  snapshot: { properties: { Customer_Id__c: `P${i}`, Email: `person${i}@example.com`, LastName: `Last${i}`, Title: `Title ${i}`, ...extra }, groups: [] },
});
const people = (from: number, to: number, extra: (i: number) => Record<string, string | null> = () => ({})) => Array.from({ length: to - from + 1 }, (_, k) => person(from + k, extra(from + k)));

const JOBS = '/services/data/v62.0/jobs';
/** Every HTTP request of a run, by what it was (polls included). */
function kind(e: RequestLogEntry): string {
  const p = e.path;
  if (p.includes('/composite/sobjects')) return `collection ${e.method}`;
  if (p === `${JOBS}/ingest` && e.method === 'POST') return 'ingest create';
  if (/\/jobs\/ingest\/[^/]+\/batches$/.test(p)) return 'ingest upload';
  if (/\/jobs\/ingest\/[^/]+$/.test(p)) return e.method === 'PATCH' ? `ingest ${(e.body as { state: string }).state}` : 'ingest poll';
  if (/\/jobs\/ingest\/[^/]+\/(\w+)$/.test(p)) return `ingest ${/\/(\w+)$/.exec(p)?.[1]}`;
  if (p.startsWith(`${JOBS}/query`)) return 'query job';
  if (p.endsWith('/query')) return /COUNT\(\)/.test(e.query.q ?? '') ? 'count' : 'soql';
  if (p.endsWith('/describe')) return 'describe';
  return `${e.method} ${p}`;
}

describe('Salesforce: creates are upserts by an external-id match field (no lookup for records without state)', () => {
  let env: Awaited<ReturnType<typeof startEmulator>>;
  let state: SqliteStateStore;
  let config: { instanceUrl: string; accessToken: string } & Record<string, unknown>;
  beforeEach(async () => {
    env = await startEmulator();
    state = new SqliteStateStore(':memory:');
    config = { ...env.config, matchField: 'Customer_Id__c', bulkThreshold: 240, bulkPollIntervalMs: 5 };
  });
  afterEach(async () => {
    state.close();
    await env.emulator.stop();
  });
  const contacts = () => env.emulator.org.all('Contact');
  const run = (records: ConformanceRecord[], mode = 'additive', extra: Record<string, unknown> = {}, destination = salesforceDestination) =>
    runSync({ collectResults: true, destination, config: { ...config, ...extra }, mode, source: memorySource(records), state, retry: FAST, guard: { maxDeletes: 1_000 } });
  const idOf = (key: string) => String(contacts().find((c) => c.Customer_Id__c === key)?.Id);

  it('half new, half existing, no Email in the source: one upsert job and no lookup; created vs updated exact from sf__Created; requests counted', async () => {
    env.emulator.seed({ Contact: people(0, 124).map((p) => ({ Customer_Id__c: p.snapshot.properties.Customer_Id__c, LastName: 'Old', Title: 'Stale' })) });
    const summary = await run(people(0, N - 1, () => ({ Email: null })));
    expect(summary.counts).toMatchObject({ created: 125, updated: 125, failed: 0 });
    const log = env.emulator.requests.map(kind);
    // describe; job create, CSV upload, close, polls, successful results — no COUNT(), no query job, no failed results (none failed).
    expect(log.filter((k) => k !== 'ingest poll')).toEqual(['describe', 'ingest create', 'ingest upload', 'ingest UploadComplete', 'ingest successfulResults']);
    expect(summary.stats.calls.find).toBe(0);
    const requests = Object.values(summary.stats.requests).reduce((a, b) => a + b, 0);
    expect(requests).toBe(log.length);
    expect(requests).toBeLessThanOrEqual(8);
    const job = env.emulator.requests.find((e) => kind(e) === 'ingest create');
    expect(job?.body).toMatchObject({ operation: 'upsert', externalIdFieldName: 'Customer_Id__c', object: 'Contact' });
    // Every record once, the existing ones updated in place with their Id kept.
    expect(contacts()).toHaveLength(N);
    const byKey = new Map(contacts().map((c) => [String(c.Customer_Id__c), c]));
    for (const r of summary.results) {
      const contact = byKey.get(`P${r.id.slice(1)}`);
      expect(r.destinationId).toBe(contact?.Id);
      expect(r.outcome).toBe(Number(r.id.slice(1)) < 125 ? 'updated' : 'created');
      expect(contact?.LastName).toBe(`Last${r.id.slice(1)}`);
    }
    const entries = await state.get(summary.syncId, ['c0', 'c200']);
    expect(entries.get('c0')).toMatchObject({ owned: false, pending: false, destinationId: byKey.get('P0')?.Id });
    expect(entries.get('c200')).toMatchObject({ owned: true, pending: false, destinationId: byKey.get('P200')?.Id });
  });

  it('with Emails in the source every record is looked up first (one query job), so a Contact holding one row\'s id and another row\'s Email is never upserted: both rows refused identity_unclear; the rest written', async () => {
    const bob = { Customer_Id__c: 'P1', Email: 'person2@example.com', LastName: 'Bob', Title: 'Keep' };
    env.emulator.seed({ Contact: [bob, ...people(3, 124).map((p) => ({ Customer_Id__c: p.snapshot.properties.Customer_Id__c, LastName: 'Old' }))] });
    const summary = await run(people(0, N - 1));
    expect(summary.counts).toMatchObject({ created: N - 124, updated: 122, failed: 2 });
    expect(summary.results.filter((r) => r.outcome === 'failed').map((r) => [r.id, r.code])).toEqual([
      ['c1', 'identity_unclear'],
      ['c2', 'identity_unclear'],
    ]);
    expect(contacts().find((c) => c.Customer_Id__c === 'P1')).toMatchObject({ Email: 'person2@example.com', LastName: 'Bob', Title: 'Keep' });
    expect(contacts().filter((c) => String(c.Email) === 'person2@example.com')).toHaveLength(1);
    const log = env.emulator.requests.map(kind);
    expect(log.filter((k) => k === 'query job' || k === 'count')).toEqual(['count', 'query job', 'query job', 'query job']);
    expect(summary.stats.calls.find).toBeGreaterThan(0);
  });

  it('one Email in the source is enough to look up first: the row without an Email whose id a Contact holds with the other row\'s Email is refused, not upserted (third trial of stop 32)', async () => {
    env.emulator.seed({ Contact: [{ Customer_Id__c: 'P1', Email: 'person2@example.com', LastName: 'Bob', Title: 'Keep' }] });
    for (const mode of ['additive', 'sync']) {
      const summary = await run([person(1, { Email: null }), person(2)], mode);
      expect(summary.results.map((r) => [r.id, r.outcome, r.code])).toEqual([
        ['c1', 'failed', 'identity_unclear'],
        ['c2', 'failed', 'identity_unclear'],
      ]);
      expect(contacts()).toEqual([expect.objectContaining({ Customer_Id__c: 'P1', Email: 'person2@example.com', LastName: 'Bob', Title: 'Keep' })]);
    }
  });

  it('ownership is exact on a rerun and on a sync-mode deletion: only records the upsert created are deleted', async () => {
    env.emulator.seed({ Contact: people(0, 9).map((p) => ({ Customer_Id__c: p.snapshot.properties.Customer_Id__c, LastName: 'Old' })) });
    const first = await run(people(0, N - 1), 'sync');
    expect(first.counts).toMatchObject({ created: N - 10, updated: 10, failed: 0 });
    env.emulator.clearRequests();
    const rerun = await run(people(0, N - 1), 'sync');
    expect(rerun.counts).toMatchObject({ unchanged: N });
    expect(env.emulator.requests.map(kind)).toEqual([]);
    // c0..c4 (matched, not owned) and c245..c249 (created by this sync) leave the source.
    const departures = await run(people(5, N - 6), 'sync');
    expect(departures.counts).toMatchObject({ deleted: 5, skipped: 5, unchanged: N - 10 });
    expect(departures.results.filter((r) => r.outcome === 'skipped').every((r) => r.code === 'not_owned' && Number(r.id.slice(1)) < 5)).toBe(true);
    expect(departures.results.filter((r) => r.outcome === 'deleted').map((r) => r.id).sort()).toEqual(['c245', 'c246', 'c247', 'c248', 'c249']);
    const keys = new Set(contacts().map((c) => String(c.Customer_Id__c)));
    expect(keys.has('P0') && keys.has('P4') && !keys.has('P245') && keys.size === N - 5).toBe(true);
  });

  it('a run where records with state changed looks every record up (a key may have moved); creates still upsert', async () => {
    await run(people(0, N - 1));
    env.emulator.clearRequests();
    const next = await run([...people(0, N - 1, (i) => ({ Title: `Chief ${i}` })), ...people(N, N + 9)]);
    expect(next.counts).toMatchObject({ updated: N, created: 10, failed: 0 });
    const creates = env.emulator.requests.filter((e) => kind(e) === 'ingest create').map((e) => (e.body as { operation: string }).operation);
    // Records with state changed, so all 260 are looked up (count + one query job); the 250: one update job; the 10 new: one collections upsert.
    expect(creates).toEqual(['update']);
    expect(env.emulator.requests.filter((e) => kind(e) === 'collection PATCH').map((e) => e.path)).toEqual(['/services/data/v62.0/composite/sobjects/Contact/Customer_Id__c']);
    expect(env.emulator.requests.filter((e) => e.path === `${JOBS}/query` && e.method === 'POST')).toHaveLength(1);
    const upload = env.emulator.requests.find((e) => kind(e) === 'ingest upload' && String(e.body).startsWith('Id,'));
    expect(String(upload?.body).split('\n')[0]).toBe('Id,Title');
  });

  it('an external id several records hold (no Unique attribute: looked up, never upserted by) fails that row alone with ambiguous_match; nothing is written to either (bulk and collections)', async () => {
    const account = (i: number, extra: Record<string, string> = {}): ConformanceRecord => ({ id: `a${i}`, snapshot: { properties: { Account_Number__c: `N${i}`, Name: `Account ${i}`, ...extra }, groups: [] } });
    env.emulator.seed({ Account: [{ Name: 'Twin A', Account_Number__c: 'N3' }, { Name: 'Twin B', Account_Number__c: 'n3' }] });
    const accounts = (n: number) => Array.from({ length: n }, (_, i) => account(i));
    const extra = { object: 'Account', matchField: 'Account_Number__c' };
    for (const n of [N, 5]) {
      const summary = await run(accounts(n), 'additive', extra);
      expect(summary.counts).toMatchObject({ created: n - 1, failed: 1 });
      const failed = summary.results.find((r) => r.outcome === 'failed');
      expect(failed).toMatchObject({ id: 'a3', code: 'ambiguous_match' });
      expect(failed?.message).toMatch(/^2 Salesforce records have this Account_Number__c \(001\w+, 001\w+\); nothing was written/);
      expect(env.emulator.org.all('Account').filter((a) => String(a.Account_Number__c).toLowerCase() === 'n3').map((a) => a.Name).sort()).toEqual(['Twin A', 'Twin B']);
      expect((await state.get(summary.syncId, ['a3'])).get('a3')).toBeUndefined();
      const log = env.emulator.requests.map(kind);
      expect(log.some((k) => k === 'soql' || k === 'query job')).toBe(true);
      expect(env.emulator.requests.filter((e) => e.path.endsWith('/Account_Number__c') || (kind(e) === 'ingest create' && (e.body as { operation: string }).operation === 'upsert'))).toEqual([]);
      await env.emulator.reset();
      env.emulator.seed({ Account: [{ Name: 'Twin A', Account_Number__c: 'N3' }, { Name: 'Twin B', Account_Number__c: 'n3' }] });
      state.close();
      state = new SqliteStateStore(':memory:');
    }
  });

  it('a required field left unmapped fails only the rows Salesforce inserts (REQUIRED_FIELD_MISSING); existing records are updated', async () => {
    // Salesforce checks required fields of the rows an upsert inserts, not of those it updates:
    // https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm#statuscode
    env.emulator.seed({ Contact: [{ Customer_Id__c: 'P1', LastName: 'Kept' }] });
    const rows = [1, 2].map((i) => ({ id: `c${i}`, snapshot: { properties: { Customer_Id__c: `P${i}`, Title: `Title ${i}` }, groups: [] } }));
    const summary = await run(rows);
    expect(summary.results.map((r) => `${r.id}:${r.outcome}:${r.code ?? ''}`)).toEqual(['c1:updated:', 'c2:failed:required_field_missing']);
    expect(contacts().map((c) => [c.Customer_Id__c, c.LastName, c.Title])).toEqual([['P1', 'Kept', 'Title 1']]);
  });

  it('enrich still looks up first and creates nothing; Email as match field keeps the lookup', async () => {
    env.emulator.seed({ Contact: people(0, 229).map((p) => ({ Customer_Id__c: p.snapshot.properties.Customer_Id__c, Email: p.snapshot.properties.Email, LastName: 'Old' })) });
    const enrich = await run(people(0, N - 1), 'enrich');
    expect(enrich.counts).toMatchObject({ updated: 230, skipped: 20, created: 0 });
    expect(env.emulator.requests.map(kind)).toContain('count');
    expect(env.emulator.requests.filter((e) => kind(e) === 'ingest create').map((e) => (e.body as { operation: string }).operation)).toEqual(['update']);

    await env.emulator.reset();
    // Above a collection call (200) for each kind, so both go as jobs.
    env.emulator.seed({ Contact: people(0, 2 * N - 1).filter((_, i) => i % 2 === 0).map((p) => ({ Email: p.snapshot.properties.Email, LastName: 'Old' })) });
    state.close();
    state = new SqliteStateStore(':memory:');
    const byEmail = await run(people(0, 2 * N - 1), 'additive', { matchField: 'Email' });
    expect(byEmail.counts).toMatchObject({ created: N, updated: N });
    const log = env.emulator.requests.map(kind);
    // With Email: one lookup (COUNT() and one query job), then one job per operation kind.
    expect(log.filter((k) => k === 'count')).toHaveLength(1);
    expect(env.emulator.requests.filter((e) => e.path === `${JOBS}/query` && e.method === 'POST')).toHaveLength(1);
    expect(env.emulator.requests.filter((e) => kind(e) === 'ingest create').map((e) => (e.body as { operation: string }).operation).sort()).toEqual(['insert', 'update']);
  });
  // Two ways an upsert by the key would write the wrong record once a lookup has run (fresh helper 64, on a change that sent
  // found records through the upsert to save the update job; reverted): found records are updated by the Id the lookup checked.
  for (const n of [3, 250]) {
    for (const key of ['P1 ', ' P1']) {
      it(`a row whose key has surrounding spaces ("${key}") updates the Contact its lookup found, by Id: no second Contact (${n} records)`, async () => {
        env.emulator.seed({ Contact: [{ Customer_Id__c: 'P1', Email: 'person1@example.com', LastName: 'Old' }] });
        const found = idOf('P1');
        const summary = await run([person(1, { Customer_Id__c: key }), ...people(2, n)], 'sync');
        expect(summary.results.find((r) => r.id === 'c1')).toMatchObject({ outcome: 'updated', destinationId: found });
        expect(contacts().filter((c) => String(c.Email) === 'person1@example.com').map((c) => c.Id)).toEqual([found]);
        expect((await state.get(summary.syncId, ['c1'])).get('c1')).toMatchObject({ owned: false, destinationId: found });
      });
    }

    it(`a Contact re-keyed after the lookup, its key taken by another person's Contact: nothing is written onto that Contact (${n} records)`, async () => {
      env.emulator.seed({
        Contact: [
          { Customer_Id__c: 'P1', Email: 'person1@example.com', LastName: 'Foreign1', Title: 'Keep1' },
          { Customer_Id__c: 'OLD2', Email: 'person2@example.com', LastName: 'Person2', Title: 'Keep2' },
        ],
      });
      const other = idOf('OLD2');
      const race = () => {
        env.emulator.org.update(idOf('P1'), { Customer_Id__c: 'MOVED' }, 'Contact');
        env.emulator.org.update(other, { Customer_Id__c: 'P1' }, 'Contact');
      };
      const summary = await run([person(1), person(2, { Customer_Id__c: 'Q2' }), ...people(3, n)], 'additive', {}, afterLookup(race));
      expect(contacts().find((c) => c.Id === other)).toMatchObject({ Customer_Id__c: 'P1', Email: 'person2@example.com', LastName: 'Person2', Title: 'Keep2' });
      expect(summary.results.find((r) => r.id === 'c1')?.outcome).toBe('failed');
      expect((await state.get(summary.syncId, ['c1'])).get('c1')?.destinationId ?? null).not.toBe(other);
    });
  }
  // The upsert path (no lookup: no Email in the source) must write the record the kit's key names.
  for (const n of [3, 250]) {
    for (const key of ['P1 ', ' P1']) {
      it(`without a lookup, a row whose key has surrounding spaces ("${key}") upserts by the trimmed key: the existing Contact is updated, no second one (${n} records)`, async () => {
        env.emulator.seed({ Contact: [{ Customer_Id__c: 'P1', LastName: 'Old' }] });
        const found = idOf('P1');
        const summary = await run([person(1, { Customer_Id__c: key, Email: null }), ...people(2, n, () => ({ Email: null }))], 'sync');
        expect(summary.stats.calls.find).toBe(0);
        expect(summary.results.find((r) => r.id === 'c1')).toMatchObject({ outcome: 'updated', destinationId: found });
        expect(contacts().filter((c) => String(c.Customer_Id__c).trim() === 'P1').map((c) => [c.Id, c.LastName])).toEqual([[found, 'Last1']]);
        expect((await state.get(summary.syncId, ['c1'])).get('c1')).toMatchObject({ owned: false, destinationId: found });
      });
    }
  }

  it('an external id without the Unique attribute is looked up, and new records inserted: an upsert by it would match case-sensitively where the lookup does not', async () => {
    const account = (i: number, number: string): ConformanceRecord => ({ id: `a${i}`, snapshot: { properties: { Account_Number__c: number, Name: `Account ${i}` }, groups: [] } });
    env.emulator.seed({ Account: [{ Account_Number__c: 'ABC-1', Name: 'Old' }] });
    const existing = String(env.emulator.org.all('Account')[0]?.Id);
    const summary = await run([account(1, 'abc-1'), account(2, 'ABC-2')], 'additive', { object: 'Account', matchField: 'Account_Number__c' });
    expect(summary.results.map((r) => [r.id, r.outcome])).toEqual([
      ['a1', 'updated'],
      ['a2', 'created'],
    ]);
    expect(summary.stats.calls.find).toBeGreaterThan(0);
    expect(env.emulator.requests.filter((e) => e.path.endsWith('/Account_Number__c'))).toEqual([]);
    const accounts = env.emulator.org.all('Account');
    expect(accounts).toHaveLength(2);
    expect(accounts.find((a) => a.Id === existing)?.Name).toBe('Account 1');
  });
  it('a key with surrounding spaces is saved trimmed on insert (the connector sends it trimmed; Salesforce trims too), so the next run\'s lookup finds that record (no second one)', async () => {
    const account = (i: number, number: string, name = `Account ${i}`): ConformanceRecord => ({ id: `a${i}`, snapshot: { properties: { Account_Number__c: number, Name: name }, groups: [] } });
    const extra = { object: 'Account', matchField: 'Account_Number__c' };
    for (const n of [2, 250]) {
      const rows = (name?: string) => [account(1, ' N1 ', name), ...Array.from({ length: n - 1 }, (_, k) => account(k + 2, `N${k + 2}`))];
      const first = await run(rows(), 'sync', extra);
      expect(first.counts).toMatchObject({ created: n, failed: 0 });
      expect(env.emulator.org.all('Account').filter((a) => String(a.Account_Number__c).trim() === 'N1').map((a) => a.Account_Number__c)).toEqual(['N1']);
      // The row changes: looked up by its key, found, updated in place.
      const next = await run(rows('Renamed'), 'sync', extra);
      expect(next.results.find((r) => r.id === 'a1')).toMatchObject({ outcome: 'updated', destinationId: first.results.find((r) => r.id === 'a1')?.destinationId });
      expect(env.emulator.org.all('Account').filter((a) => String(a.Account_Number__c).trim() === 'N1').map((a) => a.Name)).toEqual(['Renamed']);
      await env.emulator.reset();
      state.close();
      state = new SqliteStateStore(':memory:');
    }
  });
});
