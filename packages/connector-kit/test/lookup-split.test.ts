import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorClient } from '../src/emulator/index';
import { runSync } from '../src/index';
import { memorySource, type ConformanceRecord } from '../src/testing/index';
import { MemoryStateStore } from '../src/state/memory-state-store';
import { tinyDestination } from './tiny/tiny-destination';
import { createTinyEmulator, TINY_TOKEN } from './tiny/tiny-emulator';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const rec = (i: number): ConformanceRecord => ({ id: `p${i}`, snapshot: { properties: { email: `p${i}@example.com`, name: `Person ${i}` }, groups: [] } });
const refused = (body: string) => ({ kind: 'server_error' as const, status: 400, method: 'GET', path: '^/records$', body: { error: { code: 'invalid_request', message: body } } });

/**
 * A lookup batch refused as a whole (a 400 answering one bad key) is split in halves until the
 * bad record's lookup fails alone, as a write batch is; the tiny destination looks keys up 25 at a
 * time (`GET /records?key=…`), and its emulator can refuse the lookups naming one key.
 */
describe('a lookup batch refused as a whole (tiny destination, additive)', () => {
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
  const run = (records: ConformanceRecord[]) =>
    runSync({ collectResults: true, destination: tinyDestination, config: { baseUrl: url, token: TINY_TOKEN }, mode: 'additive', source: memorySource(records), state: new MemoryStateStore(), retry: FAST });
  const lookups = async () => (await admin.requests()).filter((e) => e.method === 'GET' && e.path === '/records').length;

  for (const bad of [[7], [3, 8]]) {
    it(`${bad.length} bad key(s) among ${bad.length === 1 ? 25 : 10}: only ${bad.length === 1 ? 'its' : 'their'} record(s) fail; the others are created`, async () => {
      await admin.setFaults(bad.map((i) => ({ ...refused('Malformed key.'), query: `^p${i}@example\\.com$` })));
      const records = Array.from({ length: bad.length === 1 ? 25 : 10 }, (_, i) => rec(i));
      const summary = await run(records);
      expect(summary.results.filter((r) => r.outcome !== 'created').map((r) => [r.id, r.outcome, r.code, r.retryable])).toEqual(bad.map((i) => [`p${i}`, 'failed', 'invalid_request', false]));
      expect(summary.results.find((r) => r.outcome === 'failed')?.message).toBe('Lookup failed: Malformed key.');
      expect((await admin.records<{ records: unknown[] }>()).records).toHaveLength(records.length - bad.length);
    });
  }

  it('every key refused (a systemic refusal) in a batch of 25: failed after three lookups (the batch, then its halves), not one per record', async () => {
    await admin.setFaults([refused('Lookups are disabled.')]);
    const summary = await run(Array.from({ length: 25 }, (_, i) => rec(i)));
    expect(summary.counts).toMatchObject({ failed: 25, created: 0 });
    expect(await lookups()).toBe(3);
  });
});
