import { expect } from 'vitest';
import type { RequestLogEntry } from '../../emulator/types';
import type { SyncRunSummary } from '../../engine/run-types';
import { outcomes } from '../check-context';
import type { ConformanceRecord } from '../harness';
import { withClearable, type CheckSpec } from './check-spec';

/** The run stopped on the refused credentials (the vendor's expired-token answer), and only calls already in flight reached the destination after the first refusal. */
function expectStoppedOnAuth(summary: SyncRunSummary, log: readonly RequestLogEntry[], concurrency: number): void {
  expect(summary.status, 'a 401 stops the run').toBe('stopped');
  expect(summary.reason?.code).toBe('authentication_failed');
  const refused = (e: RequestLogEntry) => e.fault === 'auth_expired';
  const first = log.findIndex(refused);
  expect(first, 'the log holds the refusal').toBeGreaterThanOrEqual(0);
  expect(log.filter(refused).length, 'requests refused (at most one per call in flight)').toBeLessThanOrEqual(concurrency);
  expect(log.slice(first + 1).length, 'requests after the first refusal (only calls already in flight)').toBeLessThan(concurrency);
}

/** Credentials refused from the first request: nothing is written, every record is not_sent. */
export const authRefusedCheck: CheckSpec = {
  id: 'auth-refused',
  title: () => 'stops at once when the credentials are refused: authentication_failed, nothing written, every record not_sent',
  async body(t) {
    const records = [1, 2, 3].map((i) => t.harness.record(i));
    if (!t.ops.create) await t.target.seed([1, 2, 3].map((i) => withClearable(t, i, 'old')));
    const before = await t.target.read();
    await t.target.admin.setFaults([{ kind: 'auth_expired' }]);
    const summary = await t.run(records);
    expectStoppedOnAuth(summary, await t.requests(), t.limits().concurrency);
    expect(Object.values(outcomes(summary))).toEqual(records.map(() => 'skipped:not_sent'));
    expect(await t.target.read()).toEqual(before);
  },
};

/**
 * The token expires after the first write call: the records it carried are written, every
 * other record is `not_sent` (and untouched), and nothing more is sent.
 */
export const authMidRunCheck: CheckSpec = {
  id: 'auth-mid-run',
  title: () => 'stops when the credentials expire mid-run: records not yet written are not_sent and untouched, nothing more is sent',
  async body(t) {
    const limit = Math.min(t.harness.writeBatchLimit, 200);
    const n = 2 * limit + 1;
    const records = Array.from({ length: n }, (_, i) => t.harness.record(300 + i));
    const old = records.map((_, i) => withClearable(t, 300 + i, 'old'));
    if (!t.ops.create) await t.target.seed(old);
    const write = t.harness.writeRequest(t.ops.create ? 'create' : 'update');
    await t.target.admin.setFaults([{ kind: 'auth_expired', ...write, after: 1 }]);
    const summary = await t.run(records);
    expectStoppedOnAuth(summary, await t.requests(), t.limits().concurrency);
    const o = outcomes(summary);
    const written = records.filter((r) => o[r.id] === (t.ops.create ? 'created' : 'updated'));
    const unsent = records.filter((r) => o[r.id] === 'skipped:not_sent');
    expect(written.length, 'records of the first write call').toBeGreaterThan(0);
    expect(unsent.length, 'records after the 401').toBeGreaterThan(0);
    expect(written.length + unsent.length, 'every record written or not_sent').toBe(n);
    await t.expectHolds(written);
    const data = await t.target.read();
    if (t.ops.create) for (const r of unsent) expect(data.some((v) => v.key === t.keyOf(r)), `${r.id} not created`).toBe(false);
    else await t.expectHolds(unsent.map((r) => old[records.indexOf(r)] as ConformanceRecord));
  },
};
