import { describe, expect, it } from 'vitest';
import { dispositionOf, OVERLAP_REQUEUE_MS } from '../src/disposition';

const context = { shuttingDown: false, claimLost: false };

describe('dispositionOf', () => {
  it('a run refused because another sync into the same records is running (sync_overlap) is queued again later: no retry spent, no alert (fresh helper 107, M1)', () => {
    expect(dispositionOf({ status: 'refused', reason: { code: 'sync_overlap', retryable: true } }, context)).toEqual({ job: 'completed', requeue: true, requeueAfterMs: OVERLAP_REQUEUE_MS, notify: false });
  });
  it('a run stopped sync_overlap (paused past its lease while another sync\'s run took the records; fresh reviewer 112, F1) is queued again too', () => {
    expect(dispositionOf({ status: 'stopped', reason: { code: 'sync_overlap', retryable: true } }, context)).toEqual({ job: 'completed', requeue: true, requeueAfterMs: OVERLAP_REQUEUE_MS, notify: false });
  });
  it('another run of the same sync (sync_running): failed, retried with backoff, no alert; a guard: completed and notified', () => {
    expect(dispositionOf({ status: 'refused', reason: { code: 'sync_running', retryable: true } }, context)).toEqual({ job: 'failed', requeue: false, notify: false });
    expect(dispositionOf({ status: 'refused', reason: { code: 'deletion_guard', retryable: false } }, context)).toEqual({ job: 'completed', requeue: false, notify: true });
  });
});
