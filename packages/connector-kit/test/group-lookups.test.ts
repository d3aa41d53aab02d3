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
    const summary = await runSync({ destination: tinyDestination, config, source: memorySource(records), state: new SqliteStateStore(':memory:'), retry: FAST, windowSize: 5 });
    expect(summary.counts).toMatchObject({ created: 20, failed: 0 });
    const ensures = emulator.requests.filter((e) => e.method === 'POST' && e.path === '/groups');
    expect(ensures.map((e) => (e.body as { names: string[] }).names)).toEqual([['vip', 'beta']]);
    expect(emulator.requests.filter((e) => e.path.endsWith('/members')).length).toBeGreaterThanOrEqual(4);
  });

  it('audience destinations: one audience lookup for a run of 4 windows; a group first seen later is looked up then', async () => {
    emulator = createTinyAudienceEmulator(20);
    const config = { baseUrl: await emulator.start(), token: TINY_AUDIENCE_TOKEN };
    const records = Array.from({ length: 20 }, (_, i) => ({ id: `r${i}`, snapshot: { properties: { email: `person${i}@example.com` }, groups: i < 15 ? ['all'] : ['all', 'late'] } }));
    const summary = await runSync({ destination: tinyAudienceDestination, config, source: memorySource(records), state: new SqliteStateStore(':memory:'), retry: FAST, windowSize: 5 });
    expect(summary.counts).toMatchObject({ created: 20, failed: 0 });
    const lookups = emulator.requests.filter((e) => e.method === 'POST' && e.path === '/audiences');
    expect(lookups.map((e) => (e.body as { names: string[] }).names)).toEqual([['all'], ['late']]);
  });
});
