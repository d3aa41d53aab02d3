import { expect } from 'vitest';
import { outcomes } from '../check-context';
import type { ConformanceRecord } from '../harness';
import { withClearable, type CheckSpec } from './check-spec';

/** One record the API rejects fails alone; the rest of its batch is written. */
export const badRecordCheck: CheckSpec = {
  id: 'bad-record-alone',
  title: () => 'fails a bad record alone, with a declared code, while the rest of its batch succeeds',
  async body(t) {
    const good = [1, 2, 3].map((i) => t.harness.record(i));
    const bad = t.harness.invalidRecord(4);
    if (!t.ops.create) await t.target.seed([1, 2, 3, 4].map((i) => withClearable(t, i, 'old')));
    const summary = await t.run([good[0] as ConformanceRecord, bad, ...good.slice(1)]);
    const o = outcomes(summary);
    expect(summary.results.find((r) => r.id === bad.id)?.outcome).toBe('failed');
    for (const r of good) expect(o[r.id]).toBe(t.ops.create ? 'created' : 'updated');
    await t.expectHolds(good);
  },
};

/** Write batches never exceed the API's limit and are filled. */
export const batchLimitCheck: CheckSpec = {
  id: 'batch-limit',
  title: () => 'keeps write batches within the API limit and fills them',
  async body(t) {
    const limit = Math.min(t.harness.writeBatchLimit, 200);
    const n = limit === 1 ? 3 : 2 * limit + 1;
    const records = Array.from({ length: n }, (_, i) => t.harness.record(100 + i));
    if (!t.ops.create) await t.target.seed(records.map((r, i) => withClearable(t, 100 + i, `old-${r.id}`)));
    const summary = await t.run(records);
    expect(summary.counts.failed).toBe(0);
    expect(summary.counts[t.ops.create ? 'created' : 'updated']).toBe(n);
    const calls = await t.writes(t.ops.create ? 'create' : 'update');
    const sizes = calls.map((e) => t.harness.recordsIn(e));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(t.harness.writeBatchLimit);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
    expect(calls.length).toBe(Math.ceil(n / t.harness.writeBatchLimit));
  },
};

/**
 * 429, 5xx, cut connections and a lost answer on the write call: nothing fails, nothing is
 * duplicated, and every 429 reached the kit as a rate limit (the connector neither turns
 * it into a failure nor waits or retries it on its own).
 */
export const faultsCheck: CheckSpec = {
  id: 'retries-faults',
  title: () => 'retries 429, 5xx and cut connections without failing or duplicating records; every 429 is waited as a rate limit',
  async body(t) {
    const records = Array.from({ length: 6 }, (_, i) => t.harness.record(200 + i));
    if (!t.ops.create) await t.target.seed(records.map((_, i) => withClearable(t, 200 + i, 'old')));
    const write = t.harness.writeRequest(t.ops.create ? 'create' : 'update');
    await t.target.admin.setFaults([
      { kind: 'rate_limit', ...write, times: 2, retryAfterSec: 0.05 },
      { kind: 'server_error', ...write, status: 503, times: 1 },
      { kind: 'reset', ...write, times: 1 },
      { kind: 'lost_response', ...write, times: 1 },
    ]);
    const summary = await t.run(records);
    expect(summary.counts.failed).toBe(0);
    if (t.ops.create && t.harness.createUpserts) expect(summary.counts.created + summary.counts.updated).toBe(records.length);
    else expect(summary.counts[t.ops.create ? 'created' : 'updated']).toBe(records.length);
    const log = await t.requests();
    expect(log.filter((e) => e.fault).map((e) => e.fault).sort()).toEqual(['lost_response', 'rate_limit', 'rate_limit', 'reset', 'server_error']);
    expect(summary.stats.rateLimited, 'rate limits the run waited for, against 429s in the log').toBeGreaterThanOrEqual(log.filter((e) => e.status === 429).length);
    await t.expectHolds(records);
    expect((await t.target.read()).length).toBe(records.length);
  },
};

/** A 5xx on a write of one record is retried: the record does not fail. */
export const serverErrorCheck: CheckSpec = {
  id: 'server-error-one-record',
  title: () => 'retries a 5xx on a one-record write instead of failing the record',
  async body(t) {
    const record = t.harness.record(1);
    if (!t.ops.create) await t.target.seed([withClearable(t, 1, 'old')]);
    const write = t.harness.writeRequest(t.ops.create ? 'create' : 'update');
    await t.target.admin.setFaults([{ kind: 'server_error', ...write, status: 500, times: 1 }]);
    const summary = await t.run([record]);
    expect(outcomes(summary)[record.id]).toBe(t.ops.create ? 'created' : 'updated');
    expect((await t.requests()).filter((e) => e.fault === 'server_error')).toHaveLength(1);
    await t.expectHolds([record]);
  },
};
