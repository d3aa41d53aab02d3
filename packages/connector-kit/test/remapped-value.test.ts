import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorClient } from '../src/emulator/index';
import { MemoryStateStore, runSync } from '../src/index';
import { memorySource, type ConformanceRecord } from '../src/testing/index';
import { sharedDataFile } from '../../../tools/test/shared-data';
import { tinyDestination } from './tiny/tiny-destination';
import { createTinyEmulator, TINY_TOKEN } from './tiny/tiny-emulator';

// Fresh helper 116: with Email, Last Name and a phone mapped, mapping the phone from `Phone 1`
// instead of `Phone 2` refused 20 rows identity_unclear ("every value of its last row changed"):
// each now had another row's old number (junk such as -3471), and the phone was the only value
// that told rows apart (every last name in customers-10000.csv is shared). One value does not
// tell who a row is; the remap is an ordinary change.
const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
type Row = Record<string, string>;
type Stored = { records: { key: string; fields: Record<string, string> }[] };

/**
 * The rows of customers-10000.csv whose `Phone 1` is another row's `Phone 2`, those other rows,
 * and for each a row with the same last name (so, as in the whole file, the name tells nobody apart).
 */
function collidingRows(): Row[] {
  const rows = parse(readFileSync(sharedDataFile('customers-10000.csv')), { columns: true }) as Row[];
  const byPhone2 = new Map(rows.map((r) => [r['Phone 2'], r] as const));
  const picked = new Set<Row>();
  for (const r of rows) {
    const other = byPhone2.get(r['Phone 1']);
    if (other !== undefined && other !== r) picked.add(r).add(other);
  }
  for (const r of [...picked]) {
    const namesake = rows.find((o) => o !== r && o['Last Name'] === r['Last Name']);
    if (namesake !== undefined) picked.add(namesake);
  }
  return [...picked];
}

const asRecord = (r: Row, phone: 'Phone 1' | 'Phone 2'): ConformanceRecord => ({
  id: r['Customer Id'] as string,
  snapshot: { properties: { email: r.Email as string, name: r['Last Name'] as string, phone: r[phone] as string }, groups: [] },
});

describe('a remapped column whose new values are other rows\' old ones (tiny destination, customers-10000.csv)', () => {
  let emulator: ReturnType<typeof createTinyEmulator>;
  let admin: EmulatorClient;
  let url: string;
  beforeEach(async () => {
    emulator = createTinyEmulator();
    url = await emulator.start();
    admin = new EmulatorClient(url);
  });
  afterEach(() => emulator.stop());

  // Fresh reviewer 117, F1: where the match key is the source's own id (an external-id field, Intercom's external_id; here
  // the tiny key holds the id) and one value tells rows apart, swapped or rotated ids are the same one-value moves, linked
  // up: each carrier's own value moved on too. Updated, each person's phone went onto another's record.
  const byId = (id: string, name: string, phone: string): ConformanceRecord => ({ id, snapshot: { properties: { email: `${id}@ids.example`, name, phone }, groups: [] } });
  const moves = {
    'two ids swapped, with an edit': [[byId('c1', 'Smith', '0101'), byId('c2', 'Smith', '0202'), byId('c3', 'Jones', '0303')], [byId('c1', 'Smyth', '0202'), byId('c2', 'Smith', '0101'), byId('c3', 'Jones', '0303')], ['c1', 'c2']],
    'three ids rotated': [[byId('c1', 'Smith', '0101'), byId('c2', 'Smith', '0202'), byId('c3', 'Smith', '0303')], [byId('c1', 'Smith', '0202'), byId('c2', 'Smith', '0303'), byId('c3', 'Smith', '0101')], ['c1', 'c2', 'c3']],
    'ids shifted (the last one a new number)': [[byId('c1', 'Smith', '0101'), byId('c2', 'Smith', '0202'), byId('c3', 'Smith', '0303')], [byId('c1', 'Smith', '0202'), byId('c2', 'Smith', '0303'), byId('c3', 'Smith', '0909')], ['c1', 'c2', 'c3']],
  } as const;
  for (const [what, [first, next, refused]] of Object.entries(moves)) {
    for (const mode of ['sync', 'enrich'] as const) {
      it(`${mode}: ${what}, one value telling rows apart: refused (identity_unclear), nothing written`, async () => {
        const state = new MemoryStateStore();
        const run = (m: typeof mode | 'additive', records: readonly ConformanceRecord[]) =>
          runSync({ collectResults: true, destination: tinyDestination, config: { baseUrl: url, token: TINY_TOKEN }, mode: m, source: memorySource([...records]), state, retry: FAST });
        await run(mode === 'enrich' ? 'additive' : mode, first);
        await admin.clearRequests();
        const moved = await run(mode, next);
        expect(moved.results.filter((r) => r.code === 'identity_unclear').map((r) => r.id).sort()).toEqual([...refused]);
        expect((await admin.requests()).filter((e) => e.method !== 'GET')).toEqual([]);
      });
    }
  }

  // Fresh reviewer 119, F3: with both phones mapped, swapping the columns refused the rows whose second number is another
  // row's first ("it carries last values of record …"): each row kept both its numbers, in the other field.
  it('sync: Phone 1 and Phone 2 mapped, then swapped: every row updated, none refused', async () => {
    const rows = collidingRows();
    const state = new MemoryStateStore();
    const both = (r: Row, first: 'Phone 1' | 'Phone 2', second: 'Phone 1' | 'Phone 2'): ConformanceRecord => ({
      id: r['Customer Id'] as string,
      snapshot: { properties: { email: r.Email as string, name: r['Last Name'] as string, phone: r[first] as string, phone2: r[second] as string }, groups: [] },
    });
    const run = (first: 'Phone 1' | 'Phone 2', second: 'Phone 1' | 'Phone 2') =>
      runSync({ collectResults: true, destination: tinyDestination, config: { baseUrl: url, token: TINY_TOKEN }, mode: 'sync', source: memorySource(rows.map((r) => both(r, first, second))), state, retry: FAST });
    await run('Phone 1', 'Phone 2');
    const swapped = await run('Phone 2', 'Phone 1');
    expect(swapped.results.filter((r) => r.outcome === 'failed').map((r) => `${r.id}:${r.code ?? ''}`)).toEqual([]);
    expect(swapped.counts.updated).toBe(rows.filter((r) => r['Phone 1'] !== r['Phone 2']).length);
  });

  for (const mode of ['sync', 'additive', 'enrich'] as const) {
    it(`${mode}: Phone 2 → Phone 1 with only the phone telling rows apart updates every row (no identity_unclear)`, async () => {
      const rows = collidingRows();
      expect(rows.length).toBeGreaterThanOrEqual(10);
      const state = new MemoryStateStore();
      const run = (m: typeof mode, phone: 'Phone 1' | 'Phone 2') =>
        runSync({ collectResults: true, destination: tinyDestination, config: { baseUrl: url, token: TINY_TOKEN }, mode: m, source: memorySource(rows.map((r) => asRecord(r, phone))), state, retry: FAST });
      await run(mode === 'enrich' ? 'additive' : mode, 'Phone 2');
      const remapped = await run(mode, 'Phone 1');
      const changed = rows.filter((r) => r['Phone 1'] !== r['Phone 2']).length;
      expect(remapped.results.filter((r) => r.outcome === 'failed').map((r) => `${r.id}:${r.code ?? ''}`)).toEqual([]);
      expect(remapped.results.filter((r) => r.outcome === 'updated')).toHaveLength(changed);
      const stored = new Map((await admin.records<Stored>()).records.map((r) => [r.key, r.fields.phone]));
      expect(rows.map((r) => stored.get((r.Email as string).toLowerCase()) ?? stored.get(r.Email as string))).toEqual(rows.map((r) => r['Phone 1']));
    });
  }
});
