import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { audienceLimitsFor } from '../destination/define-audience-destination';
import { UnsupportedModeError } from '../errors/sync-error';
import { parseConfig, runSync } from '../engine/run-sync';
import type { RunSyncOptions, SyncRunSummary } from '../engine/run-types';
import { SYNC_MODES, operationsFor, type SyncMode } from '../modes/sync-modes';
import { MemoryStateStore } from '../state/memory-state-store';
import { audienceAuthMidRun, audienceAuthRefused, type AudienceCheckEnv } from './audience-auth-checks';
import type { AudienceConformanceHarness, AudienceConformanceTarget } from './audience-harness';
import { expectKnownCodes, FAST_RETRY } from './check-context';
import type { ConformanceRecord } from './harness';
import { memorySource } from './memory-source';

/**
 * Registers the sync-mode conformance tests (vitest) for an audience destination and its
 * emulator, for every mode it supports. On audiences joining is a create and leaving is a
 * delete, so:
 *
 * records join their audiences; only `sync` removes people (from an audience they left,
 * when they leave the source, or under their old identifiers after a change) and `additive`
 * never sends a removal; audiences this sync does not manage are never touched; an
 * unchanged rerun sends nothing; a member another sync sharing the state still has in an
 * audience from its source is never removed by this one (`tracked_elsewhere`); a record without a usable identifier fails alone; add
 * batches stay within the limit and fill it; 429 / 5xx / cut connections are retried with
 * no failure, every 429 waited as a rate limit; refused credentials stop the run at once,
 * and credentials that expire mid-run stop it with the rest `not_sent` and nothing more
 * sent; every code a run reports is the kit's or declared in `errorCodes` (when the
 * destination declares them); unsupported modes are refused at configuration time.
 */
export function describeAudienceConformance<Schema extends z.ZodType>(harness: AudienceConformanceHarness<Schema>): void {
  const destination = harness.destination;
  describe(`${destination.displayName} audience conformance`, () => {
    let target: AudienceConformanceTarget<Schema>;
    let state: MemoryStateStore; // no native dependency for a plugin's CI
    beforeEach(async () => {
      target = await harness.start();
      state = new MemoryStateStore();
    });
    afterEach(async () => {
      await state.close();
      await target.stop();
    });

    const run = async (mode: SyncMode, records: readonly ConformanceRecord[], extra: Partial<RunSyncOptions> = {}): Promise<SyncRunSummary> => {
      const summary = await runSync({ collectResults: true, destination, config: target.config, mode, source: memorySource(records), state, sourceKey: 'id', retry: FAST_RETRY, guard: { maxDeletes: 1_000 }, ...extra });
      expectKnownCodes(destination, summary);
      return summary;
    };
    const env = (mode: SyncMode): AudienceCheckEnv<Schema> => ({
      harness,
      target,
      run: (records) => run(mode, records),
      limits: audienceLimitsFor(destination, parseConfig(destination, target.config) as Record<string, unknown>),
    });
    const calls = async (kind: 'add' | 'remove') => (await target.admin.requests()).filter((e) => harness.classify(e) === kind);
    const members = async (audience: string) => [...((await target.read()).get(audience) ?? new Set<string>())].sort();
    const keys = (...ids: number[]) => ids.map((i) => harness.memberKey(i)).sort();
    const outcomes = (s: SyncRunSummary) => Object.fromEntries(s.results.map((r) => [r.id, r.code ? `${r.outcome}:${r.code}` : r.outcome]));

    for (const mode of SYNC_MODES.filter((m) => !destination.syncModes.includes(m))) {
      it(`refuses ${mode} mode at configuration time, naming the supported modes`, async () => {
        await expect(run(mode, [harness.record(1, ['a'])])).rejects.toThrow(UnsupportedModeError);
        await expect(run(mode, [harness.record(1, ['a'])])).rejects.toThrow(new RegExp(destination.syncModes.join(', ')));
        expect(await target.admin.requests()).toEqual([]);
      });
    }

    describe.each(destination.syncModes.map((m) => [m] as const))('%s mode', (mode) => {
      const ops = operationsFor(mode);

      it('adds records to their audiences (joining is a create)', async () => {
        const summary = await run(mode, [harness.record(1, ['alpha', 'beta']), harness.record(2, ['alpha'])]);
        expect(summary.counts.created).toBe(2);
        expect(await members('alpha')).toEqual(keys(1, 2));
        expect(await members('beta')).toEqual(keys(1));
        expect(await calls('remove')).toEqual([]);
      });

      it(ops.delete ? 'removes people from an audience they left' : 'never removes: people who leave an audience stay in it', async () => {
        await run(mode, [harness.record(1, ['alpha', 'beta']), harness.record(2, ['alpha'])]);
        await target.admin.clearRequests();
        const summary = await run(mode, [harness.record(1, ['beta']), harness.record(2, ['alpha'])]);
        if (ops.delete) {
          expect(outcomes(summary)['r1']).toBe('updated');
          expect(await members('alpha')).toEqual(keys(2));
          expect((await calls('remove')).length).toBe(1);
        } else {
          expect(outcomes(summary)['r1']).toBe('skipped:delete_not_allowed');
          expect(await members('alpha')).toEqual(keys(1, 2));
          expect(await calls('remove')).toEqual([]);
        }
        expect(await members('beta')).toEqual(keys(1));
      });

      it(ops.delete ? 'removes people who left the source from every audience it added them to' : 'never removes people who left the source', async () => {
        await run(mode, [harness.record(1, ['alpha', 'beta']), harness.record(2, ['alpha'])]);
        const summary = await run(mode, [harness.record(2, ['alpha'])]);
        expect(outcomes(summary)['r1']).toBe(ops.delete ? 'deleted' : 'skipped:delete_not_allowed');
        expect(await members('alpha')).toEqual(ops.delete ? keys(2) : keys(1, 2));
        expect(await members('beta')).toEqual(ops.delete ? [] : keys(1));
      });

      it(ops.delete ? 'never removes a member another sync sharing the state has in that audience from its source (tracked_elsewhere); one only this sync has is removed' : 'keeps a member another sync sharing the state has in its source', async () => {
        await run(mode, [harness.record(1, ['alpha']), harness.record(2, ['alpha']), harness.record(3, ['alpha'])], { syncName: 'first' });
        await run(mode, [harness.record(1, ['alpha'])], { syncName: 'second' });
        await target.admin.clearRequests();
        const o = outcomes(await run(mode, [harness.record(3, ['alpha'])], { syncName: 'first' }));
        expect([o['r1'], o['r2']]).toEqual(ops.delete ? ['skipped:tracked_elsewhere', 'deleted'] : ['skipped:delete_not_allowed', 'skipped:delete_not_allowed']);
        expect(await members('alpha')).toEqual(ops.delete ? keys(1, 3) : keys(1, 2, 3));
        // "second" still has them, unchanged.
        expect(outcomes(await run(mode, [harness.record(1, ['alpha'])], { syncName: 'second' }))['r1']).toBe('unchanged');
      });

      it('never touches audiences this sync does not manage', async () => {
        await target.seed({ foreign: [harness.memberKey(1), harness.memberKey(9)] });
        await run(mode, [harness.record(1, ['alpha']), harness.record(2, ['alpha'])]);
        await run(mode, [harness.record(2, ['alpha'])]);
        expect(await members('foreign')).toEqual(keys(1, 9));
      });

      it('sends no write when rerun with unchanged input (reads only: the start-of-run audience check)', async () => {
        const records = [harness.record(1, ['alpha']), harness.record(2, ['alpha', 'beta'])];
        await run(mode, records);
        await target.admin.clearRequests();
        const again = await run(mode, records);
        expect(again.counts.unchanged).toBe(2);
        expect((await target.admin.requests()).filter((e) => harness.classify(e) !== 'read')).toEqual([]);
      });

      it(ops.delete ? 'moves a person whose identifiers changed: old identity removed, new one added' : 'keeps the old identity when identifiers change, and adds the new one', async () => {
        await run(mode, [harness.record(1, ['alpha'])]);
        const summary = await run(mode, [harness.withIdentityOf(harness.record(1, ['alpha']), 7)]);
        expect(outcomes(summary)['r1']).toBe('updated');
        expect(await members('alpha')).toEqual(ops.delete ? keys(7) : keys(1, 7));
      });

      it('after identifiers changed, tracks only the new identity: a rerun is unchanged, and joining an audience the old one was in adds the new one', async () => {
        await run(mode, [harness.record(1, ['alpha', 'beta'])]);
        const moved = (groups: string[]) => harness.withIdentityOf(harness.record(1, groups), 7);
        expect(outcomes(await run(mode, [moved(['beta'])]))['r1']).toBe('updated');
        expect(outcomes(await run(mode, [moved(['beta'])]))['r1']).toBe('unchanged');
        expect(outcomes(await run(mode, [moved(['alpha', 'beta'])]))['r1']).toBe('updated');
        expect(await members('alpha')).toEqual(ops.delete ? keys(7) : keys(1, 7));
        expect(await members('beta')).toEqual(ops.delete ? keys(7) : keys(1, 7));
      });

      it('fails a record without a usable identifier alone; the rest of its batch goes', async () => {
        const summary = await run(mode, [harness.record(1, ['alpha']), harness.invalidRecord(2, ['alpha']), harness.record(3, ['alpha'])]);
        const bad = summary.results.find((r) => r.id === 'r2');
        expect(bad?.outcome).toBe('failed');
        expect(bad?.code).toMatch(/^[a-z0-9_]+$/);
        expect(await members('alpha')).toEqual(keys(1, 3));
        expect((await calls('add')).length).toBe(1);
      });

      it('keeps add batches within the limit and fills them', async () => {
        const limit = audienceLimitsFor(destination, parseConfig(destination, target.config) as Record<string, unknown>).addBatchSize;
        const n = 2 * limit + 1;
        const summary = await run(mode, Array.from({ length: n }, (_, i) => harness.record(1_000 + i, ['big'])));
        expect(summary.counts.failed).toBe(0);
        const sizes = (await calls('add')).map((e) => harness.recordsIn(e));
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
        expect(Math.max(...sizes)).toBeLessThanOrEqual(limit);
        expect(sizes.length).toBe(3);
        expect((await members('big')).length).toBe(n);
      });

      it('retries 429, 5xx and cut connections without failing anyone', async () => {
        await target.admin.setFaults([
          { kind: 'rate_limit', ...harness.addRequest, times: 2, retryAfterSec: 0.05 },
          { kind: 'server_error', ...harness.addRequest, status: 503, times: 1 },
          { kind: 'reset', ...harness.addRequest, times: 1 },
          { kind: 'lost_response', ...harness.addRequest, times: 1 },
        ]);
        const summary = await run(mode, [1, 2, 3, 4].map((i) => harness.record(i, ['alpha'])));
        expect(summary.counts.failed).toBe(0);
        expect(summary.counts.created).toBe(4);
        const log = await target.admin.requests();
        expect(log.filter((e) => e.fault).length).toBe(5);
        expect(summary.stats.rateLimited, 'rate limits the run waited for, against 429s in the log').toBeGreaterThanOrEqual(log.filter((e) => e.status === 429).length);
        expect(await members('alpha')).toEqual(keys(1, 2, 3, 4));
      });

      it('stops at once when the credentials are refused: authentication_failed, nobody added, every record not_sent', () => audienceAuthRefused(env(mode)));

      it('stops when the credentials expire mid-run: people not yet added are not_sent and not in the audience, nothing more is sent', () => audienceAuthMidRun(env(mode)));
    });
  });
}
