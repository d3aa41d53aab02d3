import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmulatorServer } from '../src/emulator/index';
import { SqliteStateStore, runSync, type RecordSource, type SourceItem } from '../src/index';
import { memorySource, type ConformanceRecord } from '../src/testing/index';
import { tinyDestination } from './tiny/tiny-destination';
import { createTinyEmulator, TINY_TOKEN } from './tiny/tiny-emulator';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const person = (i: number, city = `City ${i}`): ConformanceRecord => ({
  id: `c${i}`,
  snapshot: { properties: { email: `person${i}@example.com`, name: `Person ${i}`, city }, groups: [] },
});
const items = (records: readonly ConformanceRecord[]): SourceItem[] => records.map((r, i) => ({ kind: 'record', id: r.id, row: i + 1, snapshot: r.snapshot }));

describe('the second pass reuses the first pass only for the same record at the same place', () => {
  let emulator: EmulatorServer;
  let config: { baseUrl: string; token: string };
  let state: SqliteStateStore;
  beforeEach(async () => {
    emulator = createTinyEmulator();
    config = { baseUrl: await emulator.start(), token: TINY_TOKEN };
    state = new SqliteStateStore(':memory:');
  });
  afterEach(async () => {
    state.close();
    await emulator.stop();
  });

  it('hashes again a record that moved or changed between the two reads', async () => {
    await runSync({ collectResults: true, destination: tinyDestination, config, source: memorySource([person(1), person(2), person(3)]), state, retry: FAST });
    // The source changes while the run reads it: the first read sees c1, c2 unchanged; the second sees c2 changed and moved.
    const reads = [items([person(1), person(2), person(3, 'Oslo')]), items([person(2, 'Rome'), person(1), person(3, 'Oslo')])];
    let opened = 0;
    const source: RecordSource = {
      name: 'changing',
      async *open() {
        yield* reads[Math.min(opened++, 1)] as SourceItem[];
      },
    };
    emulator.clearRequests();
    const summary = await runSync({ collectResults: true, destination: tinyDestination, config, source, state, retry: FAST });
    const outcome = Object.fromEntries(summary.results.map((r) => [r.id, r.outcome]));
    expect(outcome).toEqual({ c1: 'unchanged', c2: 'updated', c3: 'updated' });
    const updates = emulator.requests.filter((e) => e.method === 'PATCH').flatMap((e) => (e.body as { records: { fields: Record<string, unknown> }[] }).records);
    expect(updates.map((r) => r.fields.city).sort()).toEqual(['Oslo', 'Rome']);
  });
  it('reads the source once when the first read finds every record unchanged, and reports each row as it was read', async () => {
    const people = [person(1), person(2), person(3)];
    await runSync({ collectResults: true, destination: tinyDestination, config, source: memorySource(people), state, retry: FAST });
    let opened = 0;
    const source: RecordSource = {
      name: 'counted',
      async *open() {
        opened++;
        // Rows as a CSV file numbers them (a header, a blank line): not positions.
        yield* people.map((r, i): SourceItem => ({ kind: 'record', id: r.id, row: i * 2 + 2, snapshot: r.snapshot }));
      },
    };
    emulator.clearRequests();
    const summary = await runSync({ collectResults: true, destination: tinyDestination, config, source, state, retry: FAST });
    expect(opened).toBe(1);
    expect(summary.results.map((r) => [r.id, r.row, r.outcome])).toEqual([
      ['c1', 2, 'unchanged'],
      ['c2', 4, 'unchanged'],
      ['c3', 6, 'unchanged'],
    ]);
    expect(emulator.requests.filter((e) => e.method !== 'GET')).toEqual([]);

    // One changed record: the second read is needed (and made).
    opened = 0;
    people[1] = person(2, 'Lima');
    const again = await runSync({ collectResults: true, destination: tinyDestination, config, source, state, retry: FAST });
    expect(opened).toBe(2);
    expect(again.results.map((r) => [r.id, r.outcome]).sort()).toEqual([
      ['c1', 'unchanged'],
      ['c2', 'updated'],
      ['c3', 'unchanged'],
    ]);
  });
});
