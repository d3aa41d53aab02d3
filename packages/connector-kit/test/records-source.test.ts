import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorClient } from '../src/emulator/index';
import { MemoryStateStore, recordsSource, runSync, type MemoryRecord, type SourceItem } from '../src/index';
import { tinyDestination } from './tiny/tiny-destination';
import { createTinyEmulator, TINY_TOKEN, type TinyRecord } from './tiny/tiny-emulator';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const person = (i: number, groups: string[] = []): MemoryRecord => ({ id: `c${i}`, properties: { email: `p${i}@example.com`, name: `Person ${i}` }, groups });

async function items(source: { open(): AsyncIterable<SourceItem> }): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const item of source.open()) out.push(item);
  return out;
}

describe('recordsSource: records held in memory', () => {
  it('turns { id, properties, groups } into records, numbered by position; reads an array again for each pass', async () => {
    const source = recordsSource([person(1, ['VIP', ' VIP ', '']), { id: 42, properties: { email: 'n@example.com', name: null } }], { name: 'crm' });
    const first = await items(source);
    expect(first).toEqual([
      { kind: 'record', id: 'c1', row: 1, snapshot: { properties: { email: 'p1@example.com', name: 'Person 1' }, groups: ['VIP'] } },
      { kind: 'record', id: '42', row: 2, snapshot: { properties: { email: 'n@example.com', name: null }, groups: [] } },
    ]);
    expect(await items(source)).toEqual(first);
    expect(source.name).toBe('crm');
  });

  it('reads a one-shot async generator twice (kept as first read) and calls a function once per read', async () => {
    let reads = 0;
    async function* generate() {
      reads++;
      for (let i = 1; i <= 3; i++) yield person(i);
    }
    const once = recordsSource(generate(), { name: 'gen' });
    const a = await items(once);
    const b = await items(once);
    expect(a.map((r) => r.kind === 'record' && r.id)).toEqual(['c1', 'c2', 'c3']);
    expect(b).toEqual(a);
    expect(reads).toBe(1);

    let calls = 0;
    const fresh = recordsSource(() => (calls++, generate()), { name: 'fn' });
    expect(await items(fresh)).toEqual(a);
    expect(await items(fresh)).toEqual(a);
    expect(calls).toBe(2);
  });

  it('fails a bad element alone with the codes a file row gets, never guessing an id', async () => {
    const bad = [
      { id: '', properties: { email: 'a@example.com' } },
      { id: 'c2', properties: { email: { nested: true } } },
      { id: 'c3', properties: { email: 'c3@example.com' }, groups: ['ok', 7] },
      'not a record',
      { id: 'c\n5', properties: {} },
      { id: 'c6', properties: { n: Number.NaN } },
    ] as unknown as MemoryRecord[];
    const got = await items(recordsSource(bad, { name: 'bad' }));
    expect(got.map((i) => (i.kind === 'error' ? [i.row, i.id, i.error.code] : [i.row, i.id, 'ok']))).toEqual([
      [1, undefined, 'missing_record_id'],
      [2, 'c2', 'unsupported_value'],
      [3, 'c3', 'unsupported_value'],
      [4, undefined, 'malformed_row'],
      [5, undefined, 'invalid_id'],
      [6, 'c6', 'invalid_number'],
    ]);
    const messages = got.map((i) => (i.kind === 'error' ? i.error.message : ''));
    expect(messages[0]).toBe('No value in field "id" (the record id); fill it in.');
    expect(messages[1]).toBe('Property "email" is a nested object or array; map a plain value.');
    expect(messages[3]).toContain('{ id, properties, groups? }');
  });

  it('maps plain rows with a mapping, like a JSON file', async () => {
    const rows = [{ 'Customer Id': 7, Email: ' x@example.com ', Tags: 'a;b' }];
    const got = await items(recordsSource(rows, { name: 'rows', mapping: { idColumn: 'Customer Id', fields: { email: 'Email' }, groupsColumn: 'Tags' } }));
    expect(got).toEqual([{ kind: 'record', id: '7', row: 1, snapshot: { properties: { email: 'x@example.com' }, groups: ['a', 'b'] } }]);
    const notRow = await items(recordsSource([42] as unknown as Record<string, unknown>[], { name: 'rows', mapping: { idColumn: 'id', fields: {} } }));
    expect(notRow[0]).toMatchObject({ kind: 'error', row: 1, error: { code: 'malformed_row' } });
  });
});

describe('runSync from memory against the tiny emulator', () => {
  let emulator: ReturnType<typeof createTinyEmulator>;
  let admin: EmulatorClient;
  let url: string;
  beforeEach(async () => {
    emulator = createTinyEmulator();
    url = await emulator.start();
    admin = new EmulatorClient(url);
  });
  afterEach(async () => {
    await emulator.stop();
  });

  it('syncs an async generator (two passes over one generator), then a rerun of the same array sends no write', async () => {
    const state = new MemoryStateStore();
    const config = { baseUrl: url, token: TINY_TOKEN };
    async function* fromCursor() {
      for (let i = 1; i <= 5; i++) yield person(i, i === 1 ? ['VIP'] : []);
    }
    const first = await runSync({ collectResults: true, destination: tinyDestination, config, mode: 'sync', source: recordsSource(fromCursor(), { name: 'cursor' }), state, syncName: 'people', retry: FAST });
    expect(first.status).toBe('completed');
    expect(first.counts).toMatchObject({ created: 5, failed: 0, deleted: 0 });
    const data = await admin.records<{ records: TinyRecord[]; groups: { name: string; members: string[] }[] }>();
    expect(data.records.map((r) => r.key).sort()).toEqual([1, 2, 3, 4, 5].map((i) => `p${i}@example.com`));
    expect(data.groups.find((g) => g.name === 'VIP')?.members).toHaveLength(1);

    await admin.clearRequests();
    const people = [1, 2, 3, 4, 5].map((i) => person(i, i === 1 ? ['VIP'] : []));
    const again = await runSync({ collectResults: true, destination: tinyDestination, config, mode: 'sync', source: recordsSource(people, { name: 'array' }), state, syncName: 'people', retry: FAST });
    expect(again.counts).toMatchObject({ unchanged: 5, created: 0, updated: 0, deleted: 0 });
    expect((await admin.requests()).filter((e) => e.method !== 'GET')).toEqual([]);
  });
});
