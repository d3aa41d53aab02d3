import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { UnsupportedModeError } from '../errors/sync-error';
import type { RequestLogEntry } from '../emulator/types';
import { SYNC_MODES, operationsFor, type SyncMode } from '../modes/sync-modes';
import type { RecordSource, SourceItem } from '../records/types';
import { parseConfig, runSync } from '../engine/run-sync';
import type { RunSyncOptions, SyncRunSummary } from '../engine/run-types';
import { MemoryStateStore } from '../state/memory-state-store';
import type { ConformanceHarness, ConformanceRecord, ConformanceTarget, DestinationView } from './harness';

/** A {@link RecordSource} over records held in memory. */
export function memorySource(records: readonly ConformanceRecord[], name = 'memory'): RecordSource {
  return {
    name,
    async *open(): AsyncGenerator<SourceItem> {
      let row = 0;
      for (const r of records) yield { kind: 'record', id: r.id, row: ++row, snapshot: r.snapshot };
    },
  };
}

const FAST_RETRY = { minTimeoutMs: 10, maxTimeoutMs: 50, defaultRateLimitWaitMs: 50 } as const;

/** Options of {@link describeConformance}. */
export interface ConformanceOptions {
  /** Modes to test (default: every mode the destination supports). */
  readonly modes?: readonly SyncMode[];
}

/**
 * Registers the sync-mode conformance tests (vitest) for a destination and its emulator,
 * for every mode it supports. Every assertion reads the emulator's request log and data.
 *
 * Proves: the operation matrix (create / update / delete per mode); enrich never creates;
 * additive and enrich never delete; sync deletes only owned records; an unchanged rerun
 * sends zero writes; a bad record fails alone; write batches stay within the API limit and
 * fill it; 429 / 5xx / cut connections are retried without failures or duplicates; a key
 * change updates in place (where an update can change the key: `matchKeyChangeable`);
 * clearing a property clears it; group membership follows the source; unsupported modes
 * are refused at configuration time.
 */
export function describeConformance<Schema extends z.ZodType>(harness: ConformanceHarness<Schema>, options: ConformanceOptions = {}): void {
  const destination = harness.destination;
  const modes = options.modes ?? destination.syncModes;

  describe(`${destination.displayName} conformance`, () => {
    let target: ConformanceTarget<Schema>;
    let state: MemoryStateStore; // no native dependency for a plugin's CI

    beforeEach(async () => {
      target = await harness.start();
      state = new MemoryStateStore();
    });
    afterEach(async () => {
      await state.close();
      await target.stop();
    });

    const run = (mode: SyncMode, records: readonly ConformanceRecord[], extra: Partial<RunSyncOptions> = {}): Promise<SyncRunSummary> =>
      runSync({
        destination,
        config: target.config,
        mode,
        source: memorySource(records),
        state,
        sourceKey: 'id',
        retry: FAST_RETRY,
        guard: { maxDeletes: 1_000 },
        ...extra,
      });

    const requests = async (): Promise<RequestLogEntry[]> => target.admin.requests();
    const writes = async (kind?: 'create' | 'update' | 'delete' | 'group'): Promise<RequestLogEntry[]> =>
      (await requests()).filter((e) => {
        const c = harness.classify(e);
        return kind ? c === kind : c === 'create' || c === 'update' || c === 'delete' || c === 'group';
      });
    const byKey = async (): Promise<Map<string, DestinationView>> => new Map((await target.read()).map((v) => [v.key, v]));
    const keyOf = (r: ConformanceRecord): string => {
      const key = destination.matchKey(r.snapshot, parseConfig(destination, target.config));
      if (key === undefined) throw new Error('harness record without a match key');
      return key;
    };
    const outcomes = (summary: SyncRunSummary): Record<string, string> =>
      Object.fromEntries(summary.results.map((r) => [r.id, r.code ? `${r.outcome}:${r.code}` : r.outcome]));

    for (const mode of SYNC_MODES.filter((m) => !destination.syncModes.includes(m))) {
      it(`refuses ${mode} mode at configuration time, naming the supported modes`, async () => {
        await expect(run(mode, [harness.record(1)])).rejects.toThrow(UnsupportedModeError);
        await expect(run(mode, [harness.record(1)])).rejects.toThrow(new RegExp(destination.syncModes.join(', ')));
        expect(await requests()).toEqual([]);
      });
    }

    describe.each(modes.map((m) => [m] as const))('%s mode', (mode) => {
      const ops = operationsFor(mode);

      it(ops.create ? 'creates records that do not exist' : 'never creates: unmatched records are skipped as not_found', async () => {
        const records = [harness.record(1), harness.record(2), harness.record(3)];
        const summary = await run(mode, records);
        const data = await byKey();
        if (ops.create) {
          expect(summary.counts.created).toBe(3);
          for (const r of records) expect(data.has(keyOf(r))).toBe(true);
          expect((await writes('create')).length).toBeGreaterThan(0);
        } else {
          expect(Object.values(outcomes(summary))).toEqual(['skipped:not_found', 'skipped:not_found', 'skipped:not_found']);
          expect(data.size).toBe(0);
          expect(await writes()).toEqual([]);
        }
      });

      it('updates records that already exist, sending only what changed', async () => {
        const originals = [harness.record(1), harness.record(2)];
        await target.seed(originals);
        const changed = originals.map((r) => harness.withProperties(r, { [harness.clearableProperty]: `new-${r.id}` }));
        const summary = await run(mode, changed);
        expect(summary.counts.updated).toBe(2);
        expect(summary.counts.created).toBe(0);
        const data = await byKey();
        for (const r of changed) expect(data.get(keyOf(r))?.properties[harness.clearableProperty]).toBe(`new-${r.id}`);
        expect(await writes('create')).toEqual([]);
        expect(await writes('delete')).toEqual([]);
      });

      it(
        ops.delete
          ? 'deletes only records this sync created when they leave the source'
          : 'never deletes: records that leave the source are kept (delete_not_allowed)',
        async () => {
          const foreign = harness.record(10);
          const staying = harness.record(11);
          await target.seed([foreign, staying]);
          const mine = harness.record(12);
          await run(mode, [mine, foreign, staying]);
          const before = await byKey();
          await target.admin.clearRequests();

          const summary = await run(mode, [staying]);
          const after = await byKey();
          const o = outcomes(summary);
          expect(after.has(keyOf(foreign))).toBe(true);
          expect(after.has(keyOf(staying))).toBe(true);
          if (ops.delete) {
            expect(o[mine.id]).toBe('deleted');
            expect(o[foreign.id]).toBe('skipped:not_owned');
            expect(after.has(keyOf(mine))).toBe(false);
            expect((await writes('delete')).length).toBe(1);
          } else {
            expect(o[foreign.id]).toBe('skipped:delete_not_allowed');
            expect(after.has(keyOf(mine))).toBe(before.has(keyOf(mine)));
            expect(await writes('delete')).toEqual([]);
          }
        },
      );

      it('sends zero writes when rerun with unchanged input', async () => {
        const records = [harness.record(1), harness.record(2), harness.record(3)];
        if (!ops.create) await target.seed(records.map((r) => harness.withProperties(r, { [harness.clearableProperty]: 'old' })));
        await run(mode, records);
        await target.admin.clearRequests();
        const second = await run(mode, records);
        expect(second.counts.unchanged).toBe(3);
        expect(await requests()).toEqual([]);
      });

      it('fails a bad record alone while the rest of its batch succeeds', async () => {
        const good = [harness.record(1), harness.record(2), harness.record(3)];
        const bad = harness.invalidRecord(4);
        if (!ops.create) await target.seed([...good, harness.record(4)].map((r) => harness.withProperties(r, { [harness.clearableProperty]: 'old' })));
        const summary = await run(mode, [good[0] as ConformanceRecord, bad, ...good.slice(1)]);
        const o = outcomes(summary);
        expect(summary.results.find((r) => r.id === bad.id)?.outcome).toBe('failed');
        expect(summary.results.find((r) => r.id === bad.id)?.code).toMatch(/^[a-z0-9_]+$/);
        for (const r of good) expect(o[r.id]).toBe(ops.create ? 'created' : 'updated');
        const data = await byKey();
        for (const r of good) expect(data.get(keyOf(r))?.properties[harness.clearableProperty] ?? null).toBe(r.snapshot.properties[harness.clearableProperty] ?? null);
      });

      it('keeps write batches within the API limit and fills them', async () => {
        const limit = Math.min(harness.writeBatchLimit, 200);
        const n = limit === 1 ? 3 : 2 * limit + 1;
        const records = Array.from({ length: n }, (_, i) => harness.record(100 + i));
        if (!ops.create) await target.seed(records.map((r) => harness.withProperties(r, { [harness.clearableProperty]: 'old' })));
        const summary = await run(mode, records);
        expect(summary.counts.failed).toBe(0);
        const kind = ops.create ? 'create' : 'update';
        const calls = await writes(kind);
        const sizes = calls.map((e) => harness.recordsIn(e));
        expect(Math.max(...sizes)).toBeLessThanOrEqual(harness.writeBatchLimit);
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
        expect(calls.length).toBe(Math.ceil(n / harness.writeBatchLimit));
      });

      it('retries 429, 5xx and cut connections without failing or duplicating records', async () => {
        const records = Array.from({ length: 6 }, (_, i) => harness.record(200 + i));
        if (!ops.create) await target.seed(records.map((r) => harness.withProperties(r, { [harness.clearableProperty]: 'old' })));
        const write = harness.writeRequest(ops.create ? 'create' : 'update');
        await target.admin.setFaults([
          { kind: 'rate_limit', ...write, times: 2, retryAfterSec: 0.05 },
          { kind: 'server_error', ...write, status: 503, times: 1 },
          { kind: 'reset', ...write, times: 1 },
          { kind: 'lost_response', ...write, times: 1 },
        ]);
        const summary = await run(mode, records);
        expect(summary.counts.failed).toBe(0);
        expect(summary.counts[ops.create ? 'created' : 'updated']).toBe(records.length);
        const log = await requests();
        expect(log.filter((e) => e.fault).map((e) => e.fault).sort()).toEqual(['lost_response', 'rate_limit', 'rate_limit', 'reset', 'server_error']);
        const data = await target.read();
        for (const r of records) expect(data.filter((v) => v.key === keyOf(r)).length).toBe(1);
        expect(data.length).toBe(records.length);
      });

      if (harness.matchKeyChangeable !== false)
        it('updates in place when a record\'s match key changes', async () => {
          const original = harness.record(1);
          if (!ops.create) await target.seed([original]);
          await run(mode, [original]);
          await target.admin.clearRequests();
          const moved = harness.withProperties(original, { [harness.keyProperty]: harness.changedKey(1) });
          const summary = await run(mode, [moved]);
          expect(outcomes(summary)[original.id]).toBe('updated');
          const data = await byKey();
          expect(data.has(keyOf(moved))).toBe(true);
          expect(data.has(keyOf(original))).toBe(false);
          expect(data.size).toBe(1);
          expect(await writes('create')).toEqual([]);
        });

      it('clears a property emptied in the source', async () => {
        const record = harness.record(1);
        if (!ops.create) await target.seed([harness.withProperties(record, { [harness.clearableProperty]: 'old' })]);
        await run(mode, [record]);
        expect((await byKey()).get(keyOf(record))?.properties[harness.clearableProperty]).not.toBeNull();
        const summary = await run(mode, [harness.withProperties(record, { [harness.clearableProperty]: null })]);
        expect(outcomes(summary)[record.id]).toBe('updated');
        expect((await byKey()).get(keyOf(record))?.properties[harness.clearableProperty] ?? null).toBeNull();
      });

      if (harness.groups) {
        it('keeps managed group membership in step with the source and never touches other groups', async () => {
          const record = harness.record(1, ['alpha', 'beta']);
          const bystander = harness.record(2, ['foreign']);
          await target.seed(ops.create ? [bystander] : [harness.record(1, ['foreign']), bystander]);
          await run(mode, [record]);
          const groupsOf = async (r: ConformanceRecord) => [...((await byKey()).get(keyOf(r))?.groups ?? [])].sort();
          expect(await groupsOf(record)).toEqual(ops.create ? ['alpha', 'beta'] : ['alpha', 'beta', 'foreign']);
          const summary = await run(mode, [harness.record(1, ['beta'])]);
          expect(outcomes(summary)[record.id]).toBe('updated');
          expect(await groupsOf(record)).toEqual(ops.create ? ['beta'] : ['beta', 'foreign']);
          expect(await groupsOf(bystander)).toEqual(['foreign']);
        });
      }
    });
  });
}
