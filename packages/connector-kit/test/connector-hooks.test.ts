import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorClient, type EmulatorServer } from '../src/emulator/index';
import { SqliteStateStore, defineDestination, runSync, type FoundRecord, type PrepareFieldsInput, type PropertyValue } from '../src/index';
import { memorySource, type ConformanceRecord } from '../src/testing/index';
import { tinyDestination } from './tiny/tiny-destination';
import { createTinyEmulator, TINY_TOKEN } from './tiny/tiny-emulator';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const person = (i: number, city = `City ${i}`): ConformanceRecord => ({
  id: `c${i}`,
  snapshot: { properties: { email: `person${i}@example.com`, name: `Person ${i}`, city }, groups: [] },
});

describe('connector hooks of the engine', () => {
  let emulator: EmulatorServer;
  let admin: EmulatorClient;
  let config: { baseUrl: string; token: string };
  let state: SqliteStateStore;

  beforeEach(async () => {
    emulator = createTinyEmulator();
    const baseUrl = await emulator.start();
    admin = new EmulatorClient(baseUrl);
    config = { baseUrl, token: TINY_TOKEN };
    state = new SqliteStateStore(':memory:');
  });
  afterEach(async () => {
    state.close();
    await emulator.stop();
  });

  it('gives prepareFields sample values per property and the dry-run flag', async () => {
    const seen: PrepareFieldsInput[] = [];
    const destination = defineDestination({ ...tinyDestination, prepareFields: async (_ctx, _names, input) => void seen.push(input) });
    const records = [person(1, 'Oslo'), person(2, 'Oslo'), person(3, ''), person(4, 'Rome')];
    await runSync({ collectResults: true, destination, config, source: memorySource(records), state, dryRun: true, retry: FAST });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.dryRun).toBe(true);
    expect(seen[0]?.samples.get('city')).toEqual(['Oslo', 'Rome']);
    expect(seen[0]?.samples.get('email')).toHaveLength(4);
  });

  it('reports a create that landed on an existing record as updated, and never deletes it as owned', async () => {
    await admin.seed({ records: [{ key: 'person1@example.com', fields: { name: 'Someone else wrote this' } }] });
    // A lagging search index: the first lookup misses the existing record, so the engine plans a create.
    let lagging = true;
    const destination = defineDestination({
      ...tinyDestination,
      verbs: {
        ...tinyDestination.verbs,
        find: async (...args: Parameters<typeof tinyDestination.verbs.find>): Promise<Map<number, readonly FoundRecord[]>> =>
          lagging ? new Map() : tinyDestination.verbs.find(...args),
        create: async (...args: Parameters<typeof tinyDestination.verbs.create>) => {
          const results = await tinyDestination.verbs.create(...args);
          const found = await tinyDestination.verbs.find(args[0], args[1].map((i) => ({ ref: i.ref, snapshot: i.snapshot, matchKey: String(i.properties.email) })));
          return results.map((r, j) => {
            const ref = args[1][j]?.ref ?? -1;
            const id = found.get(ref)?.[0]?.id;
            return !r.ok && r.error.code === 'duplicate' && id ? { ok: true as const, id, existing: true } : r;
          });
        },
      },
    });
    const first = await runSync({ collectResults: true, destination, config, mode: 'sync', source: memorySource([person(1), person(2)]), state, retry: FAST });
    expect(Object.fromEntries(first.results.map((r) => [r.id, r.outcome]))).toEqual({ c1: 'updated', c2: 'created' });
    lagging = false;

    const second = await runSync({ collectResults: true, destination, config, mode: 'sync', source: memorySource([]), state, retry: FAST, guard: { maxDeletes: 10, allowEmptySource: true } });
    expect(Object.fromEntries(second.results.map((r) => [r.id, r.code ? `${r.outcome}:${r.code}` : r.outcome]))).toEqual({
      c1: 'skipped:not_owned',
      c2: 'deleted',
    });
    const keys = (await admin.records<{ records: { key: string; fields: Record<string, PropertyValue> }[] }>()).records.map((r) => r.key);
    expect(keys).toEqual(['person1@example.com']);
  });
});
