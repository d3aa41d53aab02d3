import { describe, expect, it } from 'vitest';
import { dispositionOf, OVERLAP_NOTIFY_AFTER, OVERLAP_REQUEUE_MS, overlapWaitsBefore, requeuedData } from '../src/disposition';

const context = { shuttingDown: false, claimLost: false };

describe('dispositionOf', () => {
  it('a run refused because another sync into the same records is running (sync_overlap) is queued again later: no retry spent, no alert (fresh helper 107, M1)', () => {
    expect(dispositionOf({ status: 'refused', reason: { code: 'sync_overlap', retryable: true } }, context)).toEqual({ job: 'completed', requeue: true, requeueAfterMs: OVERLAP_REQUEUE_MS, notify: false });
  });
  it('a run stopped sync_overlap (paused past its lease while another sync\'s run took the records; fresh reviewer 112, F1) is queued again too', () => {
    expect(dispositionOf({ status: 'stopped', reason: { code: 'sync_overlap', retryable: true } }, context)).toEqual({ job: 'completed', requeue: true, requeueAfterMs: OVERLAP_REQUEUE_MS, notify: false });
  });
  it('a run stopped sync_overlap whose job claim was lost meanwhile (paused past the queue\'s heartbeat too) is not queued again: the queue retries that job itself', () => {
    expect(dispositionOf({ status: 'stopped', reason: { code: 'sync_overlap', retryable: true } }, { ...context, claimLost: true })).toEqual({ job: 'completed', requeue: false, notify: false });
  });
  it('sync_overlap again and again: 30 s, 1, 2, 4, 8 min, then every 15 min; notified at the eighth refusal in a row only, after about 45 min of waiting (fresh reviewer 112, F2)', () => {
    const waits = Array.from({ length: 10 }, (_, overlapWaits) => dispositionOf({ status: 'refused', reason: { code: 'sync_overlap', retryable: true } }, { ...context, overlapWaits }));
    expect(waits.map((d) => (d.requeueAfterMs ?? 0) / 1000)).toEqual([30, 60, 120, 240, 480, 900, 900, 900, 900, 900]);
    expect(waits.map((d) => d.notify)).toEqual(waits.map((_, i) => i + 1 === OVERLAP_NOTIFY_AFTER));
    expect(OVERLAP_NOTIFY_AFTER).toBe(8);
    expect(waits.slice(0, OVERLAP_NOTIFY_AFTER - 1).reduce((sum, d) => sum + (d.requeueAfterMs ?? 0), 0) / 60_000).toBeCloseTo(45.5, 1);
  });
  it('the count of refusals in a row starts over after a run that really ran: a retry, or a run queued again for a worker shutting down (fresh reviewer 114, F2)', () => {
    const data = { name: 'people', overlapWaits: 6 };
    expect(overlapWaitsBefore(data, 0)).toBe(6);
    expect(overlapWaitsBefore(data, 1)).toBe(0);
    expect(overlapWaitsBefore({ name: 'people' }, 0)).toBe(0);
    expect(requeuedData(data, 'sync_overlap', 6)).toEqual({ name: 'people', overlapWaits: 7 });
    expect(requeuedData(data, 'sync_overlap', 0)).toEqual({ name: 'people', overlapWaits: 1 });
    expect(requeuedData(data, 'interrupted', 6)).toEqual({ name: 'people' });
  });
  it('a retry after a refusal sync_running ran nothing either: it keeps the count that refusal passed on (fresh reviewer 115, F3), which is none after a real run (fresh reviewer 117, F4)', () => {
    const data = { name: 'people', overlapWaits: 6 };
    const refused = (overlapWaits?: number) => ({ runId: 'r', status: 'refused', reason: { code: 'sync_running', message: 'x' }, overlapWaits });
    expect(overlapWaitsBefore(data, 1, refused(6))).toBe(6);
    // Attempt 0 really ran and stopped rate_limited; attempt 1 was refused sync_running with the count it had (none); attempt 2:
    expect(overlapWaitsBefore(data, 1, { runId: 'r', status: 'stopped', reason: { code: 'rate_limited', message: 'x' } })).toBe(0);
    expect(overlapWaitsBefore(data, 2, refused(0))).toBe(0);
    expect(overlapWaitsBefore(data, 2, refused())).toBe(0);
    expect(overlapWaitsBefore(data, 1, null)).toBe(0);
    expect(requeuedData(data, 'account_busy', 6)).toEqual({ name: 'people', overlapWaits: 6 });
    expect(requeuedData(data, 'account_busy', 0)).toEqual({ name: 'people' });
  });
  it('another run of the same sync (sync_running): failed, retried with backoff, no alert; a guard: completed and notified', () => {
    expect(dispositionOf({ status: 'refused', reason: { code: 'sync_running', retryable: true } }, context)).toEqual({ job: 'failed', requeue: false, notify: false });
    expect(dispositionOf({ status: 'refused', reason: { code: 'deletion_guard', retryable: false } }, context)).toEqual({ job: 'completed', requeue: false, notify: true });
  });
});
