import { SqliteStateStore, runSync } from '@syncmodes/connector-kit';
import { memorySource, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { onesignalDestination, WINDOW_SIZE } from '../src/index';
import { isConnectionCheck, readUsers, startEmulator } from './onesignal-harness';

const USERS = 250;
/** Reads per second on both sides: OneSignal's pace (1/s) scaled up so a window of reads takes 2 s, not 100 s. */
const READ_RATE = 50;

const person = (i: number, plan = 'pro'): ConformanceRecord => ({
  id: `p${i}`,
  snapshot: { properties: { external_id: `user-${i}`, plan }, groups: [] },
});
const idOf = (path: string) => decodeURIComponent(path.split('/').pop() ?? '');

/**
 * Each record costs a view-user read before its update, at OneSignal's 1 read/s per app
 * (https://documentation.onesignal.com/reference/rate-limits). With the kit's default window
 * of 10,000 records every record was read before any update was sent or any state saved: a
 * run interrupted mid-way left every row `not_sent`, and the rerun read them all again
 * (reviewer 87). OneSignal's window is 100 records.
 */
describe('an interrupted first run (windows of WINDOW_SIZE records)', () => {
  let env: Awaited<ReturnType<typeof startEmulator>> | undefined;
  afterEach(async () => {
    await env?.emulator.stop();
    env = undefined;
  });

  it('keeps the records of completed windows in state; the rerun does not read them again', async () => {
    expect(WINDOW_SIZE).toBe(100);
    env = await startEmulator({ appViews: READ_RATE, viewBurst: READ_RATE });
    const { emulator, admin } = env;
    await admin.seed({ users: Array.from({ length: USERS }, (_, i) => ({ identity: { external_id: `user-${i}` }, properties: { tags: {} } })) });
    const records = Array.from({ length: USERS }, (_, i) => person(i));
    const state = new SqliteStateStore(':memory:');
    const options = { collectResults: true, destination: onesignalDestination, config: { ...env.config, viewRateLimit: READ_RATE }, state, retry: { minTimeoutMs: 5, maxTimeoutMs: 20 } } as const;
    const lookups = (log: typeof emulator.requests) => log.filter((e) => e.method === 'GET' && !isConnectionCheck(e));

    // Interrupt (as Ctrl-C or a scheduler's timeout would) half-way through the second window's reads.
    const stop = new AbortController();
    const watch = setInterval(() => {
      if (lookups(emulator.requests).length >= WINDOW_SIZE + WINDOW_SIZE / 2) stop.abort(new Error('interrupted by the test'));
    }, 10);
    const first = await runSync({ ...options, source: memorySource(records), signal: stop.signal }).finally(() => clearInterval(watch));
    expect(first.status).toBe('stopped');
    expect(first.counts.updated).toBe(WINDOW_SIZE);
    const updatedFirst = new Set(first.results.filter((r) => r.outcome === 'updated').map((r) => r.id));
    expect(updatedFirst).toEqual(new Set(records.slice(0, WINDOW_SIZE).map((r) => r.id)));
    // In state: exactly the first window's records.
    const saved = await state.index(first.syncId);
    expect(new Set(saved.keys())).toEqual(new Set(records.slice(0, WINDOW_SIZE).map((r) => r.id)));
    // Their tags were written, and nobody else's.
    const tagged = (await readUsers(admin)).filter((u) => u.properties.tags.plan === 'pro').map((u) => u.identity.external_id);
    expect(new Set(tagged)).toEqual(new Set(records.slice(0, WINDOW_SIZE).map((r) => String(r.snapshot.properties.external_id))));

    await admin.clearRequests();
    const rerun = await runSync({ ...options, source: memorySource(records) });
    expect(rerun.status).toBe('completed');
    expect(rerun.counts).toMatchObject({ updated: USERS - WINDOW_SIZE, unchanged: WINDOW_SIZE, failed: 0 });
    // The rerun reads only the users the first run had not finished: none of the first window again.
    const reread = lookups(emulator.requests).map((e) => idOf(e.path));
    expect(reread).toHaveLength(USERS - WINDOW_SIZE);
    expect(new Set(reread)).toEqual(new Set(records.slice(WINDOW_SIZE).map((r) => String(r.snapshot.properties.external_id))));
    expect((await readUsers(admin)).every((u) => u.properties.tags.plan === 'pro')).toBe(true);
    state.close();
  }, 60_000);
});
