import { describe, expect, it } from 'vitest';
import { runSync } from '../src/index';
import { memorySource, perTestEmulator, type ConformanceRecord } from '../src/testing/index';
import { MemoryStateStore } from '../src/state/memory-state-store';
import { startTiny } from './tiny/start-tiny';
import { tinyDestination } from './tiny/tiny-destination';
import { TINY_TOKEN } from './tiny/tiny-emulator';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const rec = (i: number): ConformanceRecord => ({ id: `p${i}`, snapshot: { properties: { email: `p${i}@example.com`, name: `Person ${i}` }, groups: [] } });
const refused = (body: string) => ({ kind: 'server_error' as const, status: 400, method: 'GET', path: '^/records$', body: { error: { code: 'invalid_request', message: body } } });

/**
 * A lookup batch refused as a whole (a 400 answering one bad key) is split in halves until the
 * bad record's lookup fails alone, as a write batch is; the tiny destination looks keys up 25 at a
 * time (`GET /records?key=…`), and its emulator can refuse the lookups naming one key.
 */
describe('a lookup batch refused as a whole (tiny destination, additive)', () => {
  const t = perTestEmulator(startTiny);
  const run = (records: ConformanceRecord[]) =>
    runSync({ collectResults: true, destination: tinyDestination, config: { baseUrl: t.env.url, token: TINY_TOKEN }, mode: 'additive', source: memorySource(records), state: new MemoryStateStore(), retry: FAST });
  const lookups = async () => (await t.env.admin.requests()).filter((e) => e.method === 'GET' && e.path === '/records').length;

  for (const bad of [[7], [3, 8]]) {
    it(`${bad.length} bad key(s) among ${bad.length === 1 ? 25 : 10}: only ${bad.length === 1 ? 'its' : 'their'} record(s) fail; the others are created`, async () => {
      await t.env.admin.setFaults(bad.map((i) => ({ ...refused('Malformed key.'), query: `^p${i}@example\\.com$` })));
      const records = Array.from({ length: bad.length === 1 ? 25 : 10 }, (_, i) => rec(i));
      const summary = await run(records);
      expect(summary.results.filter((r) => r.outcome !== 'created').map((r) => [r.id, r.outcome, r.code, r.retryable])).toEqual(bad.map((i) => [`p${i}`, 'failed', 'invalid_request', false]));
      expect(summary.results.find((r) => r.outcome === 'failed')?.message).toBe('Lookup failed: Malformed key.');
      expect((await t.env.admin.records<{ records: unknown[] }>()).records).toHaveLength(records.length - bad.length);
    });
  }

  it('every key refused (a systemic refusal) in a batch of 25: failed after 18 lookups (the batch, its halves, quarters and eighths, three keys alone), not one per record', async () => {
    await t.env.admin.setFaults([refused('Lookups are disabled.')]);
    const summary = await run(Array.from({ length: 25 }, (_, i) => rec(i)));
    expect(summary.counts).toMatchObject({ failed: 25, created: 0 });
    expect(await lookups()).toBe(18);
  });

  // Fresh reviewer 143, F1: eight bad keys, one in each eighth, were taken for a refusal of every key.
  it('eight bad keys among 25, one in each eighth: only their records fail', async () => {
    const bad = [0, 4, 7, 10, 13, 16, 19, 22];
    await t.env.admin.setFaults(bad.map((i) => ({ ...refused('Malformed key.'), query: `^p${i}@example\\.com$` })));
    const summary = await run(Array.from({ length: 25 }, (_, i) => rec(i)));
    expect(summary.results.filter((r) => r.outcome !== 'created').map((r) => r.id).sort()).toEqual(bad.map((i) => `p${i}`).sort());
  });

  // Fresh reviewer 142, F1: four parts of a deeper level failing alike were taken for a refusal of the whole batch.
  for (const bad of [[0, 4, 8, 12], [0, 7, 13, 20]]) {
    it(`four bad keys (${bad.join(', ')}) among 25: only their records fail`, async () => {
      await t.env.admin.setFaults(bad.map((i) => ({ ...refused('Malformed key.'), query: `^p${i}@example\\.com$` })));
      const summary = await run(Array.from({ length: 25 }, (_, i) => rec(i)));
      expect(summary.results.filter((r) => r.outcome !== 'created').map((r) => r.id).sort()).toEqual(bad.map((i) => `p${i}`).sort());
    });
  }

  // Fresh reviewer 141, F1: with both halves failing, a batch over 16 was failed whole, whatever the errors.
  it('two bad keys in different halves of 25, the same answer for both: only their records fail', async () => {
    await t.env.admin.setFaults([3, 20].map((i) => ({ ...refused('Malformed key.'), query: `^p${i}@example\\.com$` })));
    const summary = await run(Array.from({ length: 25 }, (_, i) => rec(i)));
    expect(summary.results.filter((r) => r.outcome !== 'created').map((r) => [r.id, r.code])).toEqual([['p3', 'invalid_request'], ['p20', 'invalid_request']]);
  });

  it('a bad key in one half and a 503 on every lookup naming a key of the other: the bad record fails invalid_request, the other half retryable, no good record told its data is invalid', async () => {
    await t.env.admin.setFaults([{ ...refused('Malformed key.'), query: '^p3@example\\.com$' }, { kind: 'server_error', status: 503, method: 'GET', path: '^/records$', query: '^p20@example\\.com$' }]);
    const summary = await run(Array.from({ length: 25 }, (_, i) => rec(i)));
    const failed = summary.results.filter((r) => r.outcome === 'failed');
    expect(failed.filter((r) => r.code === 'invalid_request').map((r) => r.id)).toEqual(['p3']);
    expect(failed.filter((r) => r.code !== 'invalid_request').every((r) => r.retryable === true)).toBe(true);
    expect(failed.some((r) => r.id === 'p20')).toBe(true);
    expect(summary.results.filter((r) => r.outcome === 'created').length).toBe(25 - failed.length);
    expect(summary.results).toHaveLength(25);
  });
});
