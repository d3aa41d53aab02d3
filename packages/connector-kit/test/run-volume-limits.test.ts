import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmulatorServer } from '../src/emulator/index';
import { SqliteStateStore, defineDestination, runSync, type RunVolume } from '../src/index';
import { memorySource, type ConformanceRecord } from '../src/testing/index';
import { tinyDestination } from './tiny/tiny-destination';
import { createTinyEmulator, TINY_TOKEN } from './tiny/tiny-emulator';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const person = (i: number, city = `City ${i}`): ConformanceRecord => ({
  id: `c${i}`,
  snapshot: { properties: { email: `person${i}@example.com`, name: `Person ${i}`, city }, groups: [] },
});
const people = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => person(from + i));

describe('limits that follow the run volume', () => {
  let emulator: EmulatorServer;
  let config: { baseUrl: string; token: string };
  let state: SqliteStateStore;
  const volumes: RunVolume[] = [];
  // Small runs: 2 records per write, windows of 5. Runs of more than 20 changed records: 10 per write, one window.
  const destination = defineDestination({
    ...tinyDestination,
    limits: (_config, run) => {
      volumes.push(run);
      return run.changed > 20
        ? { writeBatchSize: 10, lookupBatchSize: 25, groupBatchSize: 10, concurrency: 1, windowSize: 1_000 }
        : { writeBatchSize: 2, lookupBatchSize: 25, groupBatchSize: 2, concurrency: 1, windowSize: 5 };
    },
  });

  beforeEach(async () => {
    emulator = createTinyEmulator();
    config = { baseUrl: await emulator.start(), token: TINY_TOKEN };
    state = new SqliteStateStore(':memory:');
    volumes.length = 0;
  });
  afterEach(async () => {
    state.close();
    await emulator.stop();
  });

  const writes = (method: string) =>
    emulator.requests.filter((e) => e.method === method && e.path === '/records').map((e) => (e.body as { records: unknown[] }).records.length);

  it('sees how many records changed before anything is sent, and batches and windows by it', async () => {
    const small = await runSync({ collectResults: true, destination, config, source: memorySource(people(0, 6)), state, retry: FAST });
    expect(small.counts).toMatchObject({ created: 6, failed: 0 });
    expect(volumes.at(-1)).toEqual({ changed: 6, departing: 0 });
    // Windows of 5 records, batches of 2: 2+2+1 then 1.
    expect(writes('POST')).toEqual([2, 2, 1, 1]);
    // Windows of 5: two lookups for 6 records.
    expect(emulator.requests.filter((e) => e.method === 'GET')).toHaveLength(2);

    emulator.clearRequests();
    const large = await runSync({ collectResults: true, destination, config, source: memorySource(people(0, 36)), state, retry: FAST });
    expect(large.counts).toMatchObject({ created: 30, unchanged: 6, failed: 0 });
    expect(volumes.at(-1)).toEqual({ changed: 30, departing: 0 });
    expect(writes('POST')).toEqual([10, 10, 10]);
    // One window: 30 lookups in batches of 25.
    expect(emulator.requests.filter((e) => e.method === 'GET')).toHaveLength(2);
  });

  it('leaves the mode contract alone: a large enrich run creates nothing', async () => {
    const summary = await runSync({ collectResults: true, destination, config, mode: 'enrich', source: memorySource(people(0, 30)), state, retry: FAST });
    expect(volumes.at(-1)).toEqual({ changed: 30, departing: 0 });
    expect(summary.counts).toMatchObject({ skipped: 30, created: 0 });
    expect(writes('POST')).toEqual([]);
  });

  it('counts records that left the source', async () => {
    await runSync({ collectResults: true, destination, config, mode: 'sync', source: memorySource(people(0, 4)), state, retry: FAST });
    await runSync({ collectResults: true, destination, config, mode: 'sync', source: memorySource(people(0, 1)), state, retry: FAST, guard: { maxDeletes: 10 } });
    expect(volumes.at(-1)).toEqual({ changed: 0, departing: 3 });
    expect(emulator.requests.filter((e) => e.method === 'DELETE' && e.path === '/records')).toHaveLength(2);
  });

  it('refuses a destination declaring a window that is not a positive integer', async () => {
    const bad = defineDestination({ ...tinyDestination, limits: () => ({ ...tinyDestination.limits as object, windowSize: 0 }) as never });
    await expect(runSync({ collectResults: true, destination: bad, config, source: memorySource(people(0, 1)), state, retry: FAST })).rejects.toThrow(/windowSize/);
  });
});
