import { afterEach, describe, expect, it } from 'vitest';
import { type EmulatorServer } from '../src/emulator/index';
import { SqliteStateStore, runSync } from '../src/index';
import { memorySource, type ConformanceRecord } from '../src/testing/index';
import { createTinyAudienceEmulator, TINY_AUDIENCE_TOKEN, tinyAudienceDestination } from './tiny/tiny-audience';
import { tinyDestination } from './tiny/tiny-destination';
import { createTinyEmulator, TINY_TOKEN } from './tiny/tiny-emulator';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const person = (i: number, groups: string[]): ConformanceRecord => ({
  id: `c${i}`,
  snapshot: { properties: { email: `person${i}@example.com`, name: `Person ${i}` }, groups },
});

// A run of many windows finds (or creates) each group once, not once per window.
describe('group lookups across windows', () => {
  let emulator: EmulatorServer | undefined;
  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  it('record destinations: one ensure call per group set for a run of 4 windows', async () => {
    emulator = createTinyEmulator();
    const config = { baseUrl: await emulator.start(), token: TINY_TOKEN };
    const records = Array.from({ length: 20 }, (_, i) => person(i, i % 2 === 0 ? ['vip'] : ['vip', 'beta']));
    const summary = await runSync({ collectResults: true, destination: tinyDestination, config, source: memorySource(records), state: new SqliteStateStore(':memory:'), retry: FAST, windowSize: 5 });
    expect(summary.counts).toMatchObject({ created: 20, failed: 0 });
    const ensures = emulator.requests.filter((e) => e.method === 'POST' && e.path === '/groups');
    expect(ensures.map((e) => (e.body as { names: string[] }).names)).toEqual([['vip', 'beta']]);
    expect(emulator.requests.filter((e) => e.path.endsWith('/members')).length).toBeGreaterThanOrEqual(4);
  });

  it('audience destinations: one audience lookup for a run of 4 windows; a group first seen later is looked up then', async () => {
    emulator = createTinyAudienceEmulator(20);
    const config = { baseUrl: await emulator.start(), token: TINY_AUDIENCE_TOKEN };
    const records = Array.from({ length: 20 }, (_, i) => ({ id: `r${i}`, snapshot: { properties: { email: `person${i}@example.com` }, groups: i < 15 ? ['all'] : ['all', 'late'] } }));
    const summary = await runSync({ collectResults: true, destination: tinyAudienceDestination, config, source: memorySource(records), state: new SqliteStateStore(':memory:'), retry: FAST, windowSize: 5 });
    expect(summary.counts).toMatchObject({ created: 20, failed: 0 });
    const lookups = emulator.requests.filter((e) => e.method === 'POST' && e.path === '/audiences');
    expect(lookups.map((e) => (e.body as { names: string[] }).names)).toEqual([['all'], ['late']]);
  });
});

// A record that left the source stays a departing record until its group removals are acknowledged.
describe('departures whose group removal failed', () => {
  it('additive: when one of its two group removals fails, the next run sends that one, then the record is departed', async () => {
    const emulator = createTinyEmulator();
    try {
      const config = { baseUrl: await emulator.start(), token: TINY_TOKEN };
      const state = new SqliteStateStore(':memory:');
      const run = (records: ConformanceRecord[]) => runSync({ collectResults: true, destination: tinyDestination, config, mode: 'additive', source: memorySource(records), state, retry: { ...FAST, retries: 1 }, guard: { allowEmptySource: true } });
      await run([person(1, ['vip', 'beta']), person(2, [])]);
      const failing = emulator.requests.find((e) => e.method === 'POST' && e.path.endsWith('/members'))?.path as string;
      const removals = () => emulator.requests.filter((e) => e.method === 'DELETE' && e.path.endsWith('/members') && e.status === 200);

      // One group's removal always fails; the other's is acknowledged (and written to state).
      emulator.clearRequests();
      emulator.setFaults([{ kind: 'server_error', rate: 1, method: 'DELETE', path: `^${failing}$` }]);
      const failed = await run([person(2, [])]);
      expect(failed.results.find((r) => r.id === 'c1')).toMatchObject({ outcome: 'failed', retryable: true });
      expect(removals()).toHaveLength(1);

      emulator.setFaults([]);
      emulator.clearRequests();
      const healed = await run([person(2, [])]);
      expect(healed.results.find((r) => r.id === 'c1')).toMatchObject({ outcome: 'skipped' });
      expect(removals().map((e) => e.path)).toEqual([failing]);

      emulator.clearRequests();
      const again = await run([person(2, [])]);
      expect(again.results.find((r) => r.id === 'c1')).toBeUndefined();
      expect(emulator.requests.filter((e) => e.method !== 'GET')).toEqual([]);
      state.close();
    } finally {
      await emulator.stop();
    }
  });
});
