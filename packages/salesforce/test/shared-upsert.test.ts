import { SqliteStateStore, runSync, type SyncMode } from '@syncmodes/connector-kit';
import type { RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import { memorySource, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

// A window's last updates and first creates share one sObject Collections upsert keyed by Id:
// a record with an Id is updated, one without is created ("To force Salesforce to create a new
// record, set the name of the external ID field to “Id” and the external ID value to null").
// https://developer.salesforce.com/docs/atlas.en-us.mobile_sdk.meta/mobile_sdk/ref_rest_apis_collection_upsert.htm
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_upsert.htm

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const BY_ID = '/services/data/v62.0/composite/sobjects/Contact/Id';
const person = (i: number, extra: Record<string, string | null> = {}): ConformanceRecord => ({
  id: `c${i}`,
  snapshot: { properties: { Customer_Id__c: `P${i}`, Email: `person${i}@example.com`, LastName: `Last${i}`, Title: `Title ${i}`, ...extra }, groups: [] },
});
const people = (from: number, to: number, extra: (i: number) => Record<string, string | null> = () => ({})) => Array.from({ length: to - from + 1 }, (_, k) => person(from + k, extra(from + k)));

/** A write call of the log: `update` (PATCH by record ids), `upsert by Id`, `upsert by <field>`, `create` (POST). */
function write(e: RequestLogEntry): string | undefined {
  if (!e.path.includes('/composite/sobjects') || e.method === 'GET') return undefined;
  if (e.method === 'POST') return e.path.endsWith('/composite/sobjects') ? 'create' : undefined;
  if (e.method === 'PATCH') return e.path.endsWith('/composite/sobjects') ? 'update' : `upsert by ${e.path.split('/').pop()}`;
  return e.method.toLowerCase();
}
const sent = (e: RequestLogEntry) => (e.body as { records: Record<string, unknown>[] }).records;

describe('Salesforce: a window\'s last updates and first creates share one upsert by Id', () => {
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
  const contacts = () => env.emulator.org.all('Contact');
  const run = (records: ConformanceRecord[], mode: SyncMode = 'additive', extra: Record<string, unknown> = {}) =>
    runSync({ collectResults: true, destination: salesforceDestination, config: { ...env.config, ...extra }, mode, source: memorySource(records), state, retry: FAST, guard: { maxDeletes: 1_000 } });
  const seedExisting = (to: number) => env.emulator.seed({ Contact: people(0, to).map((p) => ({ Email: p.snapshot.properties.Email, LastName: 'Old', Title: 'Stale' })) });
  const writes = () => env.emulator.requests.flatMap((e) => (write(e) ? [[write(e), sent(e).length]] : []));

  it('250 found and 250 new by Email: 200 updates, then 50 updates and 150 creates in one call, then 100 creates — 3 write calls, not 4; outcomes, data and ownership exact', async () => {
    seedExisting(249);
    const summary = await run(people(0, 499, () => ({ Customer_Id__c: null })));
    expect(summary.counts).toMatchObject({ created: 250, updated: 250, failed: 0 });
    expect(writes()).toEqual([['update', 200], ['upsert by Id', 200], ['create', 100]]);
    expect(summary.stats.calls).toMatchObject({ find: 3, update: 1, upsert: 1, create: 1 });
    const shared = sent(env.emulator.requests.find((e) => e.path === BY_ID) as RequestLogEntry);
    // Updates first, by the Id the lookup found; then creates, with no Id.
    const found = new Map(contacts().map((c) => [c.Id, c.Email]));
    expect(shared.slice(0, 50).map((r) => found.get(r.Id))).toEqual(people(200, 249).map((p) => p.snapshot.properties.Email));
    expect(shared.slice(50).map((r) => ('Id' in r ? 'Id' : r.Email))).toEqual(people(250, 399).map((p) => p.snapshot.properties.Email));
    // One Contact per person, the found ones updated in place.
    expect(contacts()).toHaveLength(500);
    const byEmail = new Map(contacts().map((c) => [String(c.Email), c]));
    for (const r of summary.results) {
      const i = Number(r.id.slice(1));
      const contact = byEmail.get(`person${i}@example.com`);
      expect([r.outcome, r.destinationId]).toEqual([i < 250 ? 'updated' : 'created', contact?.Id]);
      expect([contact?.LastName, contact?.Title]).toEqual([`Last${i}`, `Title ${i}`]);
    }
    // Created ones are owned, found ones not: a sync-mode run without c200..c209 and c300..c309 deletes only the ten it created.
    const departures = await run(people(0, 499, () => ({ Customer_Id__c: null })).filter((p) => !/^c(20|30)\d$/.test(p.id)), 'sync');
    expect(departures.counts).toMatchObject({ deleted: 10, skipped: 10, unchanged: 480 });
    expect(departures.results.filter((r) => r.outcome === 'deleted').map((r) => r.id).sort()).toEqual(people(300, 309).map((p) => p.id).sort());
    expect(contacts()).toHaveLength(490);
  });

  it('the shared call\'s answer is lost (written, then the connection cut): its creates are looked up and taken, never made twice; its updates are sent again', async () => {
    seedExisting(249);
    env.emulator.setFaults([{ kind: 'lost_response', method: 'PATCH', path: `${BY_ID}$`, times: 1 }]);
    const summary = await run(people(0, 499, () => ({ Customer_Id__c: null })));
    expect(summary.counts).toMatchObject({ created: 250, updated: 250, failed: 0 });
    const byId = env.emulator.requests.filter((e) => e.path === BY_ID);
    expect(byId.map((e) => sent(e).length)).toEqual([200, 50]);
    expect(sent(byId[1] as RequestLogEntry).every((r) => typeof r.Id === 'string')).toBe(true);
    expect(contacts()).toHaveLength(500);
    expect(new Set(contacts().map((c) => c.Email)).size).toBe(500);
    // The 150 creates the lost call made are this sync's: owned, so a sync-mode departure deletes them.
    const entries = await state.get(summary.syncId, ['c250', 'c399', 'c400']);
    for (const id of ['c250', 'c399', 'c400']) expect(entries.get(id)).toMatchObject({ owned: true, pending: false });
    const departures = await run(people(0, 499, () => ({ Customer_Id__c: null })).filter((p) => p.id !== 'c260'), 'sync');
    expect(departures.counts).toMatchObject({ deleted: 1, unchanged: 499 });
  });

  it('in the shared call, an update of a record deleted since the lookup fails alone (ENTITY_IS_DELETED), and nothing is created for it', async () => {
    seedExisting(249);
    const deleted = String(contacts().find((c) => c.Email === 'person230@example.com')?.Id);
    let dropped = false;
    const destination: typeof salesforceDestination = {
      ...salesforceDestination,
      verbs: {
        ...salesforceDestination.verbs,
        async find(ctx, requests) {
          const found = await salesforceDestination.verbs.find(ctx, requests);
          if (!dropped && [...found.values()].flat().some((f) => f.id === deleted)) {
            dropped = true;
            env.emulator.org.delete(deleted);
          }
          return found;
        },
      },
    };
    const summary = await runSync({ collectResults: true, destination, config: env.config, mode: 'additive', source: memorySource(people(0, 499, () => ({ Customer_Id__c: null }))), state, retry: FAST });
    expect(writes()).toEqual([['update', 200], ['upsert by Id', 200], ['create', 100]]);
    expect(summary.results.filter((r) => r.outcome === 'failed').map((r) => [r.id, r.destinationId])).toEqual([['c230', deleted]]);
    expect(summary.results.find((r) => r.id === 'c230')?.message).toMatch(/deleted/i);
    expect(summary.counts).toMatchObject({ created: 250, updated: 249, failed: 1 });
    expect(contacts().filter((c) => c.Email === 'person230@example.com')).toEqual([]);
    expect(contacts()).toHaveLength(499);
  });

  it('an external-id match field with Emails mapped (so looked up): the shared call inserts its creates by Id; the other creates stay upserts by the key', async () => {
    seedExisting(249);
    for (const c of contacts()) env.emulator.org.update(String(c.Id), { Customer_Id__c: `P${String(c.Email).replace(/\D/g, '')}` });
    // c260 (in the shared call) and c450 (in an upsert by the key) have no LastName, which Salesforce requires of a Contact it creates.
    const summary = await run(people(0, 499, (i) => (i === 260 || i === 450 ? { LastName: null } : {})), 'additive', { matchField: 'Customer_Id__c' });
    expect(summary.counts).toMatchObject({ created: 248, updated: 250, failed: 2 });
    expect(writes()).toEqual([['update', 200], ['upsert by Id', 200], ['upsert by Customer_Id__c', 100]]);
    const shared = sent(env.emulator.requests.find((e) => e.path === BY_ID) as RequestLogEntry);
    expect(shared.slice(50).every((r) => !('Id' in r) && typeof r.Customer_Id__c === 'string')).toBe(true);
    // Refused alone, in both calls alike.
    const failed = summary.results.filter((r) => r.outcome === 'failed');
    expect(failed.map((r) => r.id)).toEqual(['c260', 'c450']);
    expect(failed[0]?.code).toBe(failed[1]?.code);
    expect(failed[0]?.message).toMatch(/LastName/);
    expect(contacts()).toHaveLength(498);
    expect(new Set(contacts().map((c) => c.Customer_Id__c)).size).toBe(498);
  });

  it('updates that fill their calls, or a window with no create, share nothing', async () => {
    seedExisting(199);
    const summary = await run(people(0, 299, () => ({ Customer_Id__c: null })));
    expect(summary.counts).toMatchObject({ created: 100, updated: 200 });
    expect(writes()).toEqual([['update', 200], ['create', 100]]);
    env.emulator.clearRequests();
    const changed = await run(people(0, 299, (i) => ({ Customer_Id__c: null, Title: `Chief ${i}` })));
    expect(changed.counts).toMatchObject({ updated: 300 });
    expect(writes()).toEqual([['update', 200], ['update', 100]]);
  });
});
