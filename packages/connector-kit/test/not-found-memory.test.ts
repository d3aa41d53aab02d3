import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorClient, type EmulatorServer } from '../src/emulator/index';
import { SqliteStateStore, runSync, type RunSyncOptions } from '../src/index';
import { memorySource, type ConformanceRecord } from '../src/testing/index';
import { tinyDestination } from './tiny/tiny-destination';
import { createTinyEmulator, TINY_TOKEN, type TinyRecord } from './tiny/tiny-emulator';

const person = (i: number, city = `City ${i}`): ConformanceRecord => ({
  id: `c${i}`,
  snapshot: { properties: { email: `person${i}@example.com`, name: `Person ${i}`, city }, groups: [] },
});

describe('records not found are remembered within the recheck window (enrich)', () => {
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

  const DAY = 24 * 60 * 60 * 1000;
  const run = (records: ConformanceRecord[], extra: Partial<RunSyncOptions> = {}) =>
    runSync({
      collectResults: true,
      destination: tinyDestination,
      config: { baseUrl, token: TINY_TOKEN },
      mode: 'enrich',
      source: memorySource(records),
      state,
      recheckNotFoundAfterMs: DAY,
      ...extra,
    });
  const outcomes = (s: Awaited<ReturnType<typeof run>>) => s.results.map((r) => `${r.id}:${r.outcome}${r.code ? `:${r.code}` : ''}`);

  it('does not look an unchanged unmatched record up again within the recheck window', async () => {
    await admin.seed({ records: [{ key: 'person1@example.com', fields: {} }] });
    await run([person(1), person(2)]);
    await admin.clearRequests();
    const again = await run([person(1), person(2)]);
    expect(outcomes(again)).toEqual(['c1:unchanged', 'c2:skipped:not_found']);
    expect(again.results[1]?.message).toMatch(/when last looked up/);
    expect(await admin.requests()).toEqual([]);
  });

  it('looks it up again when the record changes, and then sends all its properties', async () => {
    await run([person(2)]);
    await admin.seed({ records: [{ key: 'person2@example.com', fields: {} }] }); // the person appears later
    await admin.clearRequests();
    const changed = await run([person(2, 'Elsewhere')]);
    expect(outcomes(changed)).toEqual(['c2:updated']);
    expect((await admin.records<{ records: TinyRecord[] }>()).records[0]?.fields).toEqual({ name: 'Person 2', city: 'Elsewhere' });
  });

  it('looks it up again on every run with recheckNotFoundAfterMs 0', async () => {
    await run([person(3)]);
    await admin.clearRequests();
    const again = await run([person(3)], { recheckNotFoundAfterMs: 0 });
    expect(outcomes(again)).toEqual(['c3:skipped:not_found']);
    expect((await admin.requests()).map((e) => `${e.method} ${e.path}`)).toEqual(['GET /records']);
  });

  it('remembers nothing by default: a destination declares a window when its lookups are expensive', async () => {
    expect(tinyDestination.recheckNotFoundAfterMs).toBeUndefined();
    const first = await run([person(9)], { recheckNotFoundAfterMs: undefined });
    expect(outcomes(first)).toEqual(['c9:skipped:not_found']);
    expect(await state.count(first.syncId)).toBe(0);
    await admin.clearRequests();
    await run([person(9)], { recheckNotFoundAfterMs: undefined });
    expect((await admin.requests()).map((e) => `${e.method} ${e.path}`)).toEqual(['GET /records']);
  });

  it('forgets a remembered record that leaves the source, without a call', async () => {
    await run([person(4), person(5)]);
    await admin.clearRequests();
    const summary = await run([person(5)]);
    expect(outcomes(summary)).toEqual(['c5:skipped:not_found']);
    expect(await admin.requests()).toEqual([]);
    expect(await state.count(summary.syncId)).toBe(1);
  });
});
