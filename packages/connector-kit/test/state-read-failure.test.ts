import { describe, expect, it } from 'vitest';
import { runSync, type SyncRunSummary } from '../src/index';
import { memorySource, perTestEmulator, type ConformanceRecord } from '../src/testing/index';
import { FailingStore } from './tiny/failing-store';
import { startTiny } from './tiny/start-tiny';
import { tinyDestination } from './tiny/tiny-destination';
import { TINY_TOKEN } from './tiny/tiny-emulator';

// The state database gone while a run reads what a window needs (server-restart.test.ts of @syncmodes/postgres, under load):
// the read's StateStoreError escaped runSync, so the run threw — no summary, no result for the rows already sent or not.
const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const person = (i: number, name: string): ConformanceRecord => ({ id: `c${i}`, snapshot: { properties: { email: `p${i}@example.com`, name }, groups: [] } });
type Stored = { records: { id: string; key: string; fields: Record<string, string> }[] };

describe('a state read that fails mid-run (the database gone) stops the run with a summary', () => {
  const t = perTestEmulator(startTiny);
  /** A sync-mode run in windows of 8 records. */
  const runWith = (state: FailingStore, records: ConformanceRecord[]) =>
    runSync({ collectResults: true, destination: tinyDestination, config: { baseUrl: t.env.url, token: TINY_TOKEN }, mode: 'sync', source: memorySource(records), state, retry: FAST, windowSize: 8, guard: { maxDeletes: 100 } });

  it('at every read of a run with windows and departures: stopped state_unwritable (retryable), one result per row and departure, what it reports updated is what the destination holds; once the store is back the next run sends the rest', async () => {
    const state = new FailingStore(Number.POSITIVE_INFINITY);
    const run = (records: ConformanceRecord[]) => runWith(state, records);
    const first = await run(Array.from({ length: 30 }, (_, i) => person(i, 'v0')));
    expect(first.counts.created).toBe(30);
    const staying = (name: string) => Array.from({ length: 24 }, (_, i) => person(i, name));
    // How many reads of entries a healthy run of this shape makes.
    state.failReadsAfterNext(Number.POSITIVE_INFINITY);
    const healthy = await run(staying('v1'));
    expect([healthy.status, healthy.counts.updated, healthy.counts.deleted]).toEqual(['completed', 24, 6]);
    const reads = state.reads;
    expect(reads).toBeGreaterThan(4);
    let stoppedRuns = 0;
    let thrownRuns = 0;
    for (let n = 0; n < reads; n++) {
      // Six records back in the source, every one renamed: the run has windows to send and, after them, departures.
      const back = await run([...staying(`w${n}`), ...Array.from({ length: 6 }, (_, i) => person(24 + i, `w${n}`))]);
      expect(back.status).toBe('completed');
      const name = `x${n}`;
      state.failReadsAfterNext(n);
      const ended = await run(staying(name)).then((summary) => summary, (thrown: unknown) => thrown as { code?: string });
      const held = new Map((await t.env.admin.records<Stored>()).records.map((r) => [r.key, r.fields.name]));
      if (!('results' in ended)) {
        // Thrown only by a read before anything was sent (the deletion guard's, the scan's): the destination is as it was.
        expect(ended.code).toBe('state_unwritable');
        expect([...held.values()]).toEqual(Array.from({ length: 30 }, () => `w${n}`));
        thrownRuns++;
        state.heal();
        continue;
      }
      const s: SyncRunSummary = ended;
      expect(s.status).toBe('stopped');
      expect([s.reason?.code, s.reason?.retryable]).toEqual(['state_unwritable', true]);
      stoppedRuns++;
      // One result per row and per departure; an update reported is in the destination, a row not sent is not.
      expect(s.results).toHaveLength(30);
      for (const r of s.results.filter((x) => Number(x.id.slice(1)) < 24)) {
        expect(['updated', 'skipped']).toContain(r.outcome);
        if (r.outcome === 'updated') expect(held.get(`p${r.id.slice(1)}@example.com`)).toBe(name);
        else expect([r.code, held.get(`p${r.id.slice(1)}@example.com`)]).toEqual(['not_sent', `w${n}`]);
      }
      for (const r of s.results.filter((x) => Number(x.id.slice(1)) >= 24)) {
        expect(r.outcome === 'deleted' ? !held.has(`p${r.id.slice(1)}@example.com`) : r.code === 'not_sent').toBe(true);
      }
      state.heal();
      const next = await run(staying(name));
      expect(next.status).toBe('completed');
      const after = (await t.env.admin.records<Stored>()).records;
      expect(after.map((r) => r.fields.name)).toEqual(Array.from({ length: 24 }, () => name));
    }
    expect(stoppedRuns + thrownRuns).toBe(reads);
    expect(stoppedRuns).toBeGreaterThan(thrownRuns);
  }, 60_000);

  // Fresh reviewer 148, L2: a row without a key, after the run stopped, read the departing records' entries (the values
  // new rows may carry) straight from the store, or threw the failed read kept from before: runSync threw, no summary.
  it('a row without a key while records left the source: at every read, a summary once the run began (or a throw before anything was sent)', async () => {
    const state = new FailingStore(Number.POSITIVE_INFINITY);
    const run = (records: ConformanceRecord[]) => runWith(state, records);
    const noKey: ConformanceRecord = { id: 'c99', snapshot: { properties: { email: null, name: 'nobody' }, groups: [] } };
    const source = (name: string) => [...Array.from({ length: 20 }, (_, i) => person(i, name)), noKey];
    await run(Array.from({ length: 30 }, (_, i) => person(i, 'v0')));
    const thrown: number[] = [];
    for (let n = 0; n < 8; n++) {
      state.heal();
      await run(Array.from({ length: 30 }, (_, i) => person(i, `w${n}`)));
      state.failReadsAfterNext(n);
      const ended = await run(source(`x${n}`)).then((summary) => summary, (thrown: unknown) => thrown as { code?: string });
      const held = (await t.env.admin.records<Stored>()).records;
      if ('results' in ended) {
        expect([ended.status, ended.reason?.code]).toEqual(['stopped', 'state_unwritable']);
        expect(ended.results).toHaveLength(31);
      } else {
        expect(ended.code).toBe('state_unwritable');
        expect(held.filter((r) => r.fields.name === `x${n}`)).toEqual([]);
        expect(held).toHaveLength(30);
        thrown.push(n);
      }
    }
    // Only the deletion guard's reads, before any window (three here), may throw; after them the run stops with a summary.
    expect(thrown).toEqual([0, 1, 2]);
  }, 60_000);
});
