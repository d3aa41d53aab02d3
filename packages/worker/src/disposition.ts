import type { HistoryRunStatus } from '@syncmodes/connector-kit';

/** How a run ended, as the worker settles its queue job. */
export interface RunEnd {
  readonly status: HistoryRunStatus;
  readonly reason?: { readonly code: string; readonly retryable?: boolean | undefined } | undefined;
}

/** What the worker does with a run's job. */
export interface Disposition {
  /** `completed`: done (even refused); `failed`: retried with backoff, then dead-lettered; `deadletter`: at once. */
  readonly job: 'completed' | 'failed' | 'deadletter';
  /** Queue the sync again for any worker (this one is shutting down; or another sync into the same records is running). */
  readonly requeue: boolean;
  /** How long from now the run queued again waits, ms (default: none). */
  readonly requeueAfterMs?: number | undefined;
  /** POST the run's summary to the notify URL. */
  readonly notify: boolean;
}

/** How long a run refused `sync_overlap` waits before it is tried again, ms. */
export const OVERLAP_REQUEUE_MS = 30_000;

/**
 * Decides a run's job from how it ended:
 * - completed → completed;
 * - refused by another live run of the sync (`sync_running`) → failed (retried later), no notification;
 * - refused by a run of another sync into the same records (`sync_overlap`) → completed and queued again
 *   {@link OVERLAP_REQUEUE_MS} later, no notification (two at once created people twice: fresh helper 107, M1);
 * - refused by a guard (deletion guard, empty source) → completed, notified: never retried;
 * - stopped because this worker is shutting down (`interrupted`) → completed and queued again;
 * - stopped because the run was taken over (`lease_lost`, or the job's claim lost) → completed
 *   (the queue ignores a settle of a claim it took back; the new holder runs it);
 * - stopped or failed with a retryable reason (quota, rate limit, state or source unreachable) → failed, notified;
 * - stopped or failed otherwise (credentials, configuration, a query that cannot run) → dead-lettered at once, notified.
 */
export function dispositionOf(end: RunEnd, context: { readonly shuttingDown: boolean; readonly claimLost: boolean }): Disposition {
  const code = end.reason?.code;
  if (end.status === 'completed' || end.status === 'running') return { job: 'completed', requeue: false, notify: false };
  // Another sync into the same records is running (refused at the start, or stopped when it took them over from this paused
  // run): queued again in a while, as often as it takes (no retry spent, no alert).
  if (code === 'sync_overlap') return { job: 'completed', requeue: true, requeueAfterMs: OVERLAP_REQUEUE_MS, notify: false };
  if (end.status === 'refused') {
    if (code === 'sync_running') return { job: 'failed', requeue: false, notify: false };
    return { job: 'completed', requeue: false, notify: true };
  }
  if (code === 'lease_lost' || context.claimLost) return { job: 'completed', requeue: false, notify: false };
  if (code === 'interrupted' && context.shuttingDown) return { job: 'completed', requeue: true, notify: false };
  if (end.reason?.retryable === true) return { job: 'failed', requeue: false, notify: true };
  return { job: 'deadletter', requeue: false, notify: true };
}
