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

  const run = (mode: SyncMode, records: ConformanceRecord[], dryRun = false) =>
    runSync({
      collectResults: true,
      destination: tinyUpsertDestination,
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
});
