import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorClient, type EmulatorServer } from '../src/emulator/index';
import { SqliteStateStore, runSync, type SyncMode } from '../src/index';
import { memorySource, type ConformanceRecord } from '../src/testing/index';
import { createTinyEmulator, TINY_TOKEN, type TinyRecord } from './tiny/tiny-emulator';
import { tinyUpsertDestination } from './tiny/tiny-upsert-destination';

const person = (i: number, city = `City ${i}`): ConformanceRecord => ({
  id: `c${i}`,
  snapshot: { properties: { email: `person${i}@example.com`, name: `Person ${i}`, city }, groups: [] },
});
const people = (from: number, to: number, city?: (i: number) => string) => Array.from({ length: to - from + 1 }, (_, k) => person(from + k, city?.(from + k)));

describe('createUpserts: records with no state are created without a lookup (the destination upserts by match key)', () => {
  let emulator: EmulatorServer;
  let admin: EmulatorClient;
  let state: SqliteStateStore;
  let baseUrl: string;
  beforeEach(async () => {
    emulator = createTinyEmulator({ uniqueKeys: false });
    baseUrl = await emulator.start();
    admin = new EmulatorClient(baseUrl);
    state = new SqliteStateStore(':memory:');
  });
  afterEach(async () => {
    state.close();
    await emulator.stop();
  });

  const run = (mode: SyncMode, records: ConformanceRecord[], dryRun = false, destination: typeof tinyUpsertDestination = tinyUpsertDestination) =>
    runSync({
      collectResults: true,
      destination,
      config: { baseUrl, token: TINY_TOKEN },
      mode,
      source: memorySource(records),
      state,
      dryRun,
      guard: { maxDeletes: 10 },
      retry: { minTimeoutMs: 5, maxTimeoutMs: 10 },
    });
  const records = async () => (await admin.records<{ records: TinyRecord[] }>()).records;
  const outcomes = (results: readonly { id: string; outcome: string; code?: string | undefined }[]) => results.map((r) => `${r.id}:${r.outcome}${r.code ? `:${r.code}` : ''}`);

  it('additive: no lookup; the existing record is reported updated, the new one created; ownership decides what sync deletes later', async () => {
    await admin.seed({ records: [{ key: 'person1@example.com', fields: { city: 'Old' } }] });
    const first = await run('sync', people(1, 10));
    expect(first.stats.calls.find).toBe(0);
    expect(outcomes(first.results)).toEqual(['c1:updated', ...people(2, 10).map((p) => `${p.id}:created`)]);
    expect(first.results[0]?.message).toMatch(/existing record/);
    const stored = await records();
    expect(stored).toHaveLength(10);
    expect(stored.find((r) => r.key === 'person1@example.com')?.fields.city).toBe('City 1');
    const entries = await state.get(first.syncId, ['c1', 'c2']);
    expect(entries.get('c1')).toMatchObject({ owned: false, pending: false });
    expect(entries.get('c2')).toMatchObject({ owned: true, pending: false });

    // Unchanged rerun: nothing looked up, nothing written.
    const rerun = await run('sync', people(1, 10));
    expect(rerun.counts).toMatchObject({ unchanged: 10 });
    expect(rerun.stats.calls.find + rerun.stats.calls.create + rerun.stats.calls.update).toBe(0);

    // c1 (matched, not owned) and c2 (created by this sync) leave: only c2 is deleted.
    const departures = await run('sync', people(3, 10));
    expect(outcomes(departures.results).filter((o) => /^c[12]:/.test(o)).sort()).toEqual(['c1:skipped:not_owned', 'c2:deleted']);
    expect((await records()).map((r) => r.key).sort()).toEqual(['person1@example.com', ...people(3, 10).map((p) => String(p.snapshot.properties.email))].sort());
  });

  it('an upsert whose answer was lost is resent as it is, without a lookup: no duplicate; the record is kept as matched (never owned, never deleted)', async () => {
    emulator.setFaults([{ kind: 'lost_response', method: 'POST', path: '^/records$', times: 1 }]);
    const summary = await run('sync', people(1, 3));
    expect(summary.stats.calls.find).toBe(0);
    expect(summary.counts).toMatchObject({ failed: 0 });
    expect((await records()).map((r) => r.key).sort()).toEqual(['person1@example.com', 'person2@example.com', 'person3@example.com']);
    // The lost attempt created them; the resend found them: which it was cannot be told, so none is owned.
    expect(outcomes(summary.results)).toEqual(['c1:updated', 'c2:updated', 'c3:updated']);
    expect([...(await state.get(summary.syncId, ['c1', 'c2', 'c3'])).values()].map((e) => e.owned)).toEqual([false, false, false]);
  });

  it('a key held by several destination records fails that record alone with ambiguous_match; nothing is written to either', async () => {
    await admin.seed({ records: [{ key: 'person1@example.com', fields: { city: 'A' } }, { key: 'person1@example.com', fields: { city: 'B' } }] });
    const summary = await run('additive', people(1, 3));
    expect(summary.stats.calls.find).toBe(0);
    expect(outcomes(summary.results)).toEqual(['c1:failed:ambiguous_match', 'c2:created', 'c3:created']);
    expect((await records()).filter((r) => r.key === 'person1@example.com').map((r) => r.fields.city).sort()).toEqual(['A', 'B']);
    expect((await state.get(summary.syncId, ['c1'])).get('c1')).toBeUndefined();
  });

  it('records with state are still looked up (an update sends only what changed); so are enrich runs and dry runs', async () => {
    await admin.seed({ records: [{ key: 'person1@example.com', fields: { city: 'Old' } }] });
    const dry = await run('additive', people(1, 2), true);
    expect(dry.stats.calls.find).toBeGreaterThan(0);
    expect(outcomes(dry.results)).toEqual(['c1:updated', 'c2:created']);

    const enrich = await run('enrich', people(1, 2));
    expect(enrich.stats.calls.find).toBeGreaterThan(0);
    expect(enrich.stats.calls.create).toBe(0);
    expect(outcomes(enrich.results)).toEqual(['c1:updated', 'c2:skipped:not_found']);

    // c1 has state now and changed: the run looks every record up (c3 too: c1 may have moved its key onto c3's); c1 is sent as an update.
    const next = await run('additive', [person(1, 'New'), person(3)]);
    expect(outcomes(next.results)).toEqual(['c1:updated', 'c3:created']);
    expect(next.stats.calls.find).toBe(1);
    expect(next.stats.calls.update).toBe(1);
    expect((await records()).find((r) => r.key === 'person1@example.com')?.fields.city).toBe('New');
    // Only a new record changed: no lookup.
    const added = await run('additive', [person(1, 'New'), person(3), person(4)]);
    expect(outcomes(added.results)).toEqual(['c1:unchanged', 'c3:unchanged', 'c4:created']);
    expect(added.stats.calls.find).toBe(0);
  });

  it('a record moving its key onto a new record\'s: every record is looked up, and both are refused (the ids look reused; duplicate_destination_record)', async () => {
    const row = (id: string, k: number, city: string): ConformanceRecord => ({ id, snapshot: { properties: { email: `key${k}@example.com`, name: id, city }, groups: [] } });
    const first = await run('additive', [row('r1', 1, 'one')]);
    expect(first.stats.calls.find).toBe(0);
    const second = await run('additive', [row('r1', 2, 'two'), row('r2', 1, 'intruder')]);
    expect(second.stats.calls.find).toBeGreaterThan(0);
    expect(outcomes(second.results)).toEqual(['r1:failed:match_key_taken', 'r2:failed:duplicate_destination_record']);
    expect((await records()).map((r) => `${r.key}:${r.fields.city}`)).toEqual(['key1@example.com:one']);
  });
  /** The tiny upsert destination, running `between` once, after the run's first lookup call answered (before anything is written). */
  const afterLookup = (between: () => Promise<void>): typeof tinyUpsertDestination => {
    let done = false;
    const base = tinyUpsertDestination;
    return {
      ...base,
      verbs: {
        ...base.verbs,
        async find(ctx, requests) {
          const found = await base.verbs.find(ctx, requests);
          if (!done) {
            done = true;
            await between();
          }
          return found;
        },
      },
    };
  };
  /** The ids of the records each `PATCH /records` of the request log wrote, per request. */
  const patched = async () => (await admin.requests()).filter((e) => e.method === 'PATCH' && e.path === '/records').map((e) => (e.body as { records: { id: string }[] }).records.map((r) => r.id).sort());
  const seeded = async (key: string) => (await records()).find((r) => r.key === key)?.id;

  it('after a lookup, a record found by its key that this sync has no state for is written by the upsert with the new records, not by an update beside it; a record with state is updated by id', async () => {
    const first = await run('additive', [person(1)]);
    expect(first.stats.calls.find).toBe(0);
    await admin.seed({ records: [{ key: 'person5@example.com', fields: { city: 'Old' } }] });
    const c1 = (await state.get(first.syncId, ['c1'])).get('c1')?.destinationId as string;
    const c5 = (await seeded('person5@example.com')) as string;
    await admin.clearRequests();
    // c1 changed with state: every record is looked up (c5 is found, c6 is not).
    const next = await run('additive', [person(1, 'New'), person(5), person(6)]);
    expect(outcomes(next.results)).toEqual(['c1:updated', 'c5:updated', 'c6:created']);
    expect(next.stats.calls.find).toBe(1);
    expect(next.stats.calls.update).toBe(1);
    expect(next.stats.calls.create).toBe(1);
    // The update call carried c1 only; c5 went through the upsert (its own PATCH, made by `create`), c6 was inserted there.
    expect((await patched()).sort()).toEqual([[c1], [c5]]);
    const stored = await records();
    expect(stored).toHaveLength(3);
    expect(stored.find((r) => r.id === c5)?.fields.city).toBe('City 5');
    const entries = await state.get(next.syncId, ['c5', 'c6']);
    expect(entries.get('c5')).toMatchObject({ owned: false, pending: false, destinationId: c5 });
    expect(entries.get('c6')).toMatchObject({ owned: true, pending: false });
  });

  it('enrich never sends an update through the upsert (an upsert may create): the record found is updated by id', async () => {
    await admin.seed({ records: [{ key: 'person5@example.com', fields: { city: 'Old' } }] });
    const enrich = await run('enrich', [person(5), person(6)]);
    expect(outcomes(enrich.results)).toEqual(['c5:updated', 'c6:skipped:not_found']);
    expect(enrich.stats.calls.create).toBe(0);
    expect(enrich.stats.calls.update).toBe(1);
    expect((await records()).map((r) => r.key)).toEqual(['person5@example.com']);
  });

  it('a record found at lookup and deleted before the upsert is created by it: reported created, owned by this sync, never reported updated', async () => {
    const first = await run('additive', [person(1)]);
    await admin.seed({ records: [{ key: 'person5@example.com', fields: { city: 'Old' } }] });
    const found = await seeded('person5@example.com');
    const removeC5 = async () => {
      const response = await fetch(`${baseUrl}/__emulator/remove`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keys: ['person5@example.com'] }) });
      expect(response.ok).toBe(true);
    };
    const next = await run('sync', [person(1, 'New'), person(5)], false, afterLookup(removeC5));
    expect(outcomes(next.results)).toEqual(['c1:updated', 'c5:created']);
    expect(next.results[1]?.message).toMatch(/was gone when written; created/);
    const now = await seeded('person5@example.com');
    expect(now).toBeDefined();
    expect(now).not.toBe(found);
    expect(next.results[1]?.destinationId).toBe(now);
    expect((await state.get(first.syncId, ['c5'])).get('c5')).toMatchObject({ owned: true, pending: false, destinationId: now });
  });

  it('a record found at lookup whose key another record took before the upsert: state names the record written, not the one found (not owned)', async () => {
    const first = await run('additive', [person(1)]);
    await admin.seed({ records: [{ key: 'person5@example.com', fields: { city: 'Old' } }] });
    const found = await seeded('person5@example.com');
    const replace = async () => {
      const response = await fetch(`${baseUrl}/__emulator/remove`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keys: ['person5@example.com'] }) });
      expect(response.ok).toBe(true);
      await admin.seed({ records: [{ key: 'person5@example.com', fields: { city: 'Other' } }] });
    };
    const next = await run('sync', [person(1, 'New'), person(5)], false, afterLookup(replace));
    expect(outcomes(next.results)).toEqual(['c1:updated', 'c5:updated']);
    const written = await seeded('person5@example.com');
    expect(written).not.toBe(found);
    expect((await records()).find((r) => r.id === written)?.fields.city).toBe('City 5');
    expect(next.results[1]?.destinationId).toBe(written);
    expect((await state.get(first.syncId, ['c5'])).get('c5')).toMatchObject({ owned: false, pending: false, destinationId: written });
  });
});
