import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorClient, type EmulatorServer } from '../src/emulator/index';
import { SqliteStateStore, runSync, type SyncMode } from '../src/index';
import { memorySource, type ConformanceRecord } from '../src/testing/index';
import { createTinyEmulator, TINY_TOKEN, type TinyRecord } from './tiny/tiny-emulator';
import { tinyPresumedDestination } from './tiny/tiny-presumed-destination';

const person = (i: number, city = `City ${i}`, groups: string[] = []): ConformanceRecord => ({
  id: `c${i}`,
  snapshot: { properties: { email: `person${i}@example.com`, name: `Person ${i}`, city }, groups },
});

describe('write-time lookup (presumed records, NotFoundError) and membership kept in the record', () => {
  let emulator: EmulatorServer;
  let admin: EmulatorClient;
  let state: SqliteStateStore;
  let baseUrl: string;
  beforeEach(async () => {
    emulator = createTinyEmulator();
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
      destination: tinyPresumedDestination,
      config: { baseUrl, token: TINY_TOKEN },
      mode,
      source: memorySource(records),
      state,
      dryRun,
      retry: { minTimeoutMs: 5, maxTimeoutMs: 10 },
    });
  const records = async () => (await admin.records<{ records: TinyRecord[] }>()).records;
  const calls = async () => (await admin.requests()).map((e) => `${e.method} ${e.path}`);

  it('enrich: a record the update finds missing is skipped as not_found, and nothing is created', async () => {
    await admin.seed({ records: [{ key: 'person1@example.com', fields: { city: 'Old' } }] });
    const summary = await run('enrich', [person(1), person(2)]);
    expect(summary.results.map((r) => `${r.id}:${r.outcome}:${r.code ?? ''}`)).toEqual(['c1:updated:', 'c2:skipped:not_found']);
    expect(await calls()).toEqual(['PATCH /records']); // one batch of two
    expect((await records()).map((r) => r.key)).toEqual(['person1@example.com']);
  });

  it('additive: a record the update finds missing is planned again and created in the same run', async () => {
    const summary = await run('additive', [person(3)]);
    expect(summary.results[0]).toMatchObject({ id: 'c3', outcome: 'created' });
    expect(await calls()).toEqual(['PATCH /records', 'POST /records']);
    expect((await records()).map((r) => r.key)).toEqual(['person3@example.com']);
  });

  it('a dry run says that existence was not checked, and sends nothing', async () => {
    const summary = await run('enrich', [person(4)], true);
    expect(summary.results[0]?.message).toMatch(/^Would: .*not checked: Tiny presumed confirms the record exists only when it is written/);
    expect(await calls()).toEqual([]);
  });

  it('sends group changes with the record write: joins and leaves in one call, group-only changes too', async () => {
    await admin.seed({ records: [{ key: 'person5@example.com', fields: { city: 'Old', 'group:foreign': '1' } }] });
    await run('enrich', [person(5, 'City 5', ['alpha', 'beta'])]);
    await admin.clearRequests();
    const summary = await run('enrich', [person(5, 'City 5', ['beta', 'gamma'])]);
    expect(summary.results[0]).toMatchObject({ outcome: 'updated', action: 'groups' });
    const log = await admin.requests();
    expect(log.map((e) => e.body)).toEqual([{ records: [{ key: 'person5@example.com', fields: { 'group:gamma': '1', 'group:alpha': null } }] }]);
    expect((await records())[0]?.fields).toEqual({ city: 'City 5', name: 'Person 5', 'group:foreign': '1', 'group:beta': '1', 'group:gamma': '1' });
  });

  it('takes a record that left the source out of its managed groups in enrich, keeping the record', async () => {
    await admin.seed({ records: [{ key: 'person6@example.com', fields: {} }, { key: 'person7@example.com', fields: {} }] });
    await run('enrich', [person(6, 'City 6', ['alpha']), person(7)]);
    await admin.clearRequests();
    const summary = await run('enrich', [person(7)]);
    expect(summary.results.find((r) => r.id === 'c6')).toMatchObject({ outcome: 'skipped', code: 'delete_not_allowed' });
    expect((await admin.requests()).map((e) => e.body)).toEqual([{ records: [{ key: 'person6@example.com', fields: { 'group:alpha': null } }] }]);
    expect((await records()).find((r) => r.key === 'person6@example.com')?.fields).toEqual({ city: 'City 6', name: 'Person 6' });
  });

  it('creates with the groups in the same call in additive mode, and a rerun sends nothing', async () => {
    await run('additive', [person(8, 'City 8', ['alpha'])]);
    expect((await records())[0]?.fields).toEqual({ city: 'City 8', name: 'Person 8', 'group:alpha': '1' });
    await admin.clearRequests();
    const again = await run('additive', [person(8, 'City 8', ['alpha'])]);
    expect(again.counts.unchanged).toBe(1);
    expect(await admin.requests()).toEqual([]);
  });
});
