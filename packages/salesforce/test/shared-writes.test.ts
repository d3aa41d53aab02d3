import { NotFoundError, runSync, type SyncMode } from '@syncmodes/connector-kit';
import type { RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { afterLookup, startEmulator } from './salesforce-harness';

// A window's last updates and first creates share one call: a Composite request holding an sObject Collections
// update and create, run in order, counted as one call ("The entire series of requests counts as a single call
// toward your API limits").
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/requests_composite.htm

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const COMPOSITE = '/services/data/v62.0/composite';
const person = (i: number, extra: Record<string, string | null> = {}): ConformanceRecord => ({
  id: `c${i}`,
  snapshot: { properties: { Customer_Id__c: `P${i}`, Email: `person${i}@example.com`, LastName: `Last${i}`, Title: `Title ${i}`, ...extra }, groups: [] },
});
const people = (from: number, to: number, extra: (i: number) => Record<string, string | null> = () => ({})) => Array.from({ length: to - from + 1 }, (_, k) => person(from + k, extra(from + k)));
const byEmail = (_i?: number) => ({ Customer_Id__c: null }) as Record<string, string | null>;

interface Sub {
  readonly method: string;
  readonly url: string;
  readonly body: { records: Record<string, unknown>[]; allOrNone: boolean };
}
/** What a collection request is: `update` (PATCH by ids), `create` (POST), `upsert by <field>`. */
function what(method: string, path: string): string {
  if (method === 'POST') return 'create';
  if (method === 'PATCH') return path.endsWith('/composite/sobjects') ? 'update' : `upsert by ${path.split('/').pop()}`;
  return method.toLowerCase();
}
/** The run's write calls, in order: a collection call as [what, records]; a Composite call as ['composite', its parts]. */
function writes(log: readonly RequestLogEntry[]): unknown[] {
  return log.flatMap((e): unknown[] => {
    if (e.path === COMPOSITE) return [['composite', (e.body as { compositeRequest: Sub[] }).compositeRequest.map((s) => [what(s.method, s.url), s.body.records.length])]];
    if (!e.path.includes('/composite/sobjects') || e.method === 'GET' || (e.method === 'POST' && !e.path.endsWith('/composite/sobjects'))) return [];
    return [[what(e.method, e.path), (e.body as { records: unknown[] }).records.length]];
  });
}

describe('Salesforce: a window\'s last updates and first creates share one Composite call', () => {
  const t = perTestEmulator(startEmulator);
  const contacts = () => t.env.emulator.org.all('Contact');
  const run = (records: ConformanceRecord[], mode: SyncMode = 'additive', extra: Record<string, unknown> = {}, destination = salesforceDestination) =>
    runSync({ collectResults: true, destination, config: { ...t.env.config, ...extra }, mode, source: memorySource(records), state: t.state, retry: FAST, guard: { maxDeletes: 1_000 } });
  const seedExisting = (to: number, extId = false) =>
    t.env.emulator.seed({ Contact: people(0, to).map((p) => ({ Email: p.snapshot.properties.Email, LastName: 'Old', Title: 'Stale', ...(extId ? { Customer_Id__c: p.snapshot.properties.Customer_Id__c } : {}) })) });
  const uniqueEmails = () => new Set(contacts().map((c) => String(c.Email).toLowerCase())).size;

  it('250 found and 250 new by Email: 200 updates, one Composite call (50 updates, then 150 creates), 100 creates — 3 write calls, not 4; outcomes, data and ownership exact', async () => {
    seedExisting(249);
    const summary = await run(people(0, 499, byEmail));
    expect(summary.counts).toMatchObject({ created: 250, updated: 250, failed: 0 });
    expect(writes(t.env.emulator.requests)).toEqual([['update', 200], ['composite', [['update', 50], ['create', 150]]], ['create', 100]]);
    expect(summary.stats.calls).toMatchObject({ find: 3, update: 1, create_and_update: 1, create: 1 });
    const composite = t.env.emulator.requests.find((e) => e.path === COMPOSITE)?.body as { allOrNone: boolean; collateSubrequests: boolean; compositeRequest: Sub[] };
    // Independent parts, run in order; the updates by the Id the lookup found, the creates without one.
    expect([composite.allOrNone, composite.collateSubrequests]).toEqual([false, false]);
    const [updates, creates] = composite.compositeRequest;
    const found = new Map(contacts().map((c) => [c.Id, c.Email]));
    expect(updates?.body.records.map((r) => found.get(r.Id))).toEqual(people(200, 249).map((p) => p.snapshot.properties.Email));
    expect(creates?.body.records.map((r) => ('Id' in r ? 'Id' : r.Email))).toEqual(people(250, 399).map((p) => p.snapshot.properties.Email));
    expect([updates?.body.allOrNone, creates?.body.allOrNone]).toEqual([false, false]);
    expect(contacts()).toHaveLength(500);
    const contactOf = new Map(contacts().map((c) => [String(c.Email), c]));
    for (const r of summary.results) {
      const i = Number(r.id.slice(1));
      const contact = contactOf.get(`person${i}@example.com`);
      expect([r.outcome, r.destinationId, contact?.LastName, contact?.Title]).toEqual([i < 250 ? 'updated' : 'created', contact?.Id, `Last${i}`, `Title ${i}`]);
    }
    // Created ones are owned, found ones not: a sync-mode run without c200..c209 and c300..c309 deletes only the ten it created.
    const departures = await run(people(0, 499, byEmail).filter((p) => !/^c(20|30)\d$/.test(p.id)), 'sync');
    expect(departures.counts).toMatchObject({ deleted: 10, skipped: 10, unchanged: 480 });
    expect(departures.results.filter((r) => r.outcome === 'deleted').map((r) => r.id).sort()).toEqual(people(300, 309).map((p) => p.id).sort());
  });

  it('the Composite call\'s answer is lost (written, then the connection cut): its creates are looked up and taken, never made twice; its updates are sent again', async () => {
    seedExisting(249);
    t.env.emulator.setFaults([{ kind: 'lost_response', method: 'POST', path: `${COMPOSITE}$`, times: 1 }]);
    const summary = await run(people(0, 499, byEmail));
    expect(summary.counts).toMatchObject({ created: 250, updated: 250, failed: 0 });
    expect(writes(t.env.emulator.requests)).toEqual([['update', 200], ['composite', [['update', 50], ['create', 150]]], ['update', 50], ['create', 100]]);
    expect(contacts()).toHaveLength(500);
    expect(uniqueEmails()).toBe(500);
    const entries = await t.state.get(summary.syncId, ['c250', 'c399', 'c400']);
    for (const id of ['c250', 'c399', 'c400']) expect(entries.get(id)).toMatchObject({ owned: true, pending: false });
    const departures = await run(people(0, 499, byEmail).filter((p) => p.id !== 'c260'), 'sync');
    expect(departures.counts).toMatchObject({ deleted: 1, unchanged: 499 });
  });

  it('a Composite call with no answer in time: its updates are sent again at once, its creates are not (the next run looks them up); nothing is made twice', async () => {
    seedExisting(249);
    t.env.emulator.setFaults([{ kind: 'latency', latencyMs: 700, method: 'POST', path: `${COMPOSITE}$`, times: 1 }]);
    const first = await run(people(0, 499, byEmail), 'additive', { requestTimeoutMs: 300 });
    expect(first.counts).toMatchObject({ updated: 250, created: 100 });
    expect(first.results.filter((r) => r.outcome === 'failed').map((r) => [r.id, r.code])).toEqual(people(250, 399).map((p) => [p.id, 'timeout']));
    await new Promise((r) => setTimeout(r, 800)); // the slow call is applied by now
    const next = await run(people(0, 499, byEmail), 'additive', { requestTimeoutMs: 300 });
    expect(next.counts).toMatchObject({ failed: 0, unchanged: 350 });
    expect(contacts()).toHaveLength(500);
    expect(uniqueEmails()).toBe(500);
  });

  it('in the Composite call, an update of a record deleted since the lookup fails alone (ENTITY_IS_DELETED) and nothing is created for it', async () => {
    seedExisting(249);
    const deleted = String(contacts().find((c) => c.Email === 'person230@example.com')?.Id);
    const destination = afterLookup(() => t.env.emulator.org.delete(deleted), (found) => [...found.values()].flat().some((f) => f.id === deleted));
    const summary = await run(people(0, 499, byEmail), 'additive', {}, destination);
    expect(writes(t.env.emulator.requests)).toEqual([['update', 200], ['composite', [['update', 50], ['create', 150]]], ['create', 100]]);
    const failed = summary.results.filter((r) => r.outcome === 'failed');
    expect(failed.map((r) => [r.id, r.destinationId])).toEqual([['c230', deleted]]);
    expect(failed[0]?.message).toMatch(/^Update failed: ENTITY_IS_DELETED/);
    expect(summary.counts).toMatchObject({ created: 250, updated: 249, failed: 1 });
    expect(contacts()).toHaveLength(499);
  });

  it('a part of the Composite call refused as a whole (a field removed since the run read the object) is sent again by its own call, which fails only the records carrying that field (fresh reviewer 82, F1)', async () => {
    seedExisting(249);
    // An admin deletes the field after the run read the object's fields.
    const destination = afterLookup(
      () => {
        const org = t.env.emulator.org as unknown as { schema(name: string): { fields: { name: string }[] }; schemas: Map<string, unknown> };
        const contact = org.schema('Contact');
        org.schemas.set('contact', { ...contact, fields: contact.fields.filter((f) => f.name !== 'Subscription_Date__c') });
      },
    );
    const records = people(0, 499, (i) => ({ ...byEmail(i), ...(i === 230 || i === 300 ? { Subscription_Date__c: '2024-01-02' } : {}) }));
    const summary = await run(records, 'additive', {}, destination);
    const composite = writes(t.env.emulator.requests).find((w) => (w as [string])[0] === 'composite');
    expect(composite).toEqual(['composite', [['update', 50], ['create', 150]]]);
    expect(summary.results.filter((r) => r.outcome === 'failed').map((r) => [r.id, r.message?.split(':')[0]])).toEqual([
      ['c230', 'Update failed'],
      ['c300', 'Create failed'],
    ]);
    expect(summary.results.find((r) => r.id === 'c300')?.message).toMatch(/INVALID_FIELD/);
    expect(summary.counts).toMatchObject({ created: 249, updated: 249, failed: 2 });
    expect(contacts()).toHaveLength(499);
    expect(uniqueEmails()).toBe(499);
  });

  it('an update of the Composite call answered NotFoundError (a connector saying the record is gone) is planned again as not found and created, as by the update call', async () => {
    seedExisting(249);
    const gone = String(contacts().find((c) => c.Email === 'person230@example.com')?.Id);
    const destination: typeof salesforceDestination = {
      ...salesforceDestination,
      verbs: {
        ...salesforceDestination.verbs,
        async createAndUpdate(ctx, items) {
          t.env.emulator.org.delete(gone);
          const results = await (salesforceDestination.verbs.createAndUpdate as NonNullable<typeof salesforceDestination.verbs.createAndUpdate>)(ctx, items);
          return results.map((r, i) => (items[i]?.action === 'update' && (items[i] as { destinationId: string }).destinationId === gone ? { ok: false, error: new NotFoundError('gone') } : r));
        },
      },
    };
    const summary = await run(people(0, 499, byEmail), 'additive', {}, destination);
    expect(summary.results.find((r) => r.id === 'c230')).toMatchObject({ outcome: 'created' });
    expect(summary.counts).toMatchObject({ created: 251, updated: 249, failed: 0 });
    expect(contacts().filter((c) => c.Email === 'person230@example.com')).toHaveLength(1);
  });

  it('an external-id match field with Emails mapped (so looked up): the Composite call\'s creates are upserts by the key, as the other creates; a create Salesforce refuses fails alone in both, alike; a lost answer is sent again whole', async () => {
    seedExisting(249, true);
    t.env.emulator.setFaults([{ kind: 'lost_response', method: 'POST', path: `${COMPOSITE}$`, times: 1 }]);
    // c260 (in the Composite call) and c450 (in an upsert call) have no LastName, which Salesforce requires of a Contact it creates.
    const summary = await run(people(0, 499, (i) => (i === 260 || i === 450 ? { LastName: null } : {})), 'additive', { matchField: 'Customer_Id__c' });
    expect(writes(t.env.emulator.requests)).toEqual([
      ['update', 200],
      ['composite', [['update', 50], ['upsert by Customer_Id__c', 150]]],
      ['composite', [['update', 50], ['upsert by Customer_Id__c', 150]]],
      ['upsert by Customer_Id__c', 100],
    ]);
    const failed = summary.results.filter((r) => r.outcome === 'failed');
    expect(failed.map((r) => r.id)).toEqual(['c260', 'c450']);
    expect(failed[0]?.code).toBe(failed[1]?.code);
    expect(failed.map((r) => r.message)).toEqual([expect.stringMatching(/^Create failed: REQUIRED_FIELD_MISSING.*LastName/), expect.stringMatching(/^Create failed: REQUIRED_FIELD_MISSING.*LastName/)]);
    // The resent upserts met the records the lost call made: kept, not made twice.
    expect(contacts()).toHaveLength(498);
    expect(new Set(contacts().map((c) => c.Customer_Id__c)).size).toBe(498);
    expect(summary.counts).toMatchObject({ failed: 2 });
    expect(summary.counts.created + summary.counts.updated).toBe(498);
  });

  it('updates that fill their calls, a window with no create, and API versions before 48.0 share nothing', async () => {
    seedExisting(199);
    const summary = await run(people(0, 299, byEmail));
    expect(summary.counts).toMatchObject({ created: 100, updated: 200 });
    expect(writes(t.env.emulator.requests)).toEqual([['update', 200], ['create', 100]]);
    t.env.emulator.clearRequests();
    const changed = await run(people(0, 299, (i) => ({ ...byEmail(i), Title: `Chief ${i}` })));
    expect(changed.counts).toMatchObject({ updated: 300 });
    expect(writes(t.env.emulator.requests)).toEqual([['update', 200], ['update', 100]]);
    t.env.emulator.clearRequests();
    const older = await run([...people(0, 299, (i) => ({ ...byEmail(i), Title: `Vice ${i}` })), ...people(300, 349, byEmail)], 'additive', { apiVersion: '47.0' });
    expect(older.counts).toMatchObject({ updated: 300, created: 50 });
    expect(writes(t.env.emulator.requests).map((w) => (w as [string])[0])).toEqual(['update', 'update', 'create']);
  });
});
