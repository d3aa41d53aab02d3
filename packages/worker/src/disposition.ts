import type { HistoryRunStatus } from '@syncmodes/connector-kit';
import type { RunJobData } from './definitions';

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

/** How long a run refused `sync_overlap` waits before it is tried again the first time, ms (doubled each time after). */
export const OVERLAP_REQUEUE_MS = 30_000;
/** The longest a run refused `sync_overlap` waits before it is tried again, ms (15 min). */
export const OVERLAP_REQUEUE_MAX_MS = 15 * 60_000;
/** At this many refusals in a row behind another sync (after about 45 min of waiting), the run's refusal is notified, once. */
export const OVERLAP_NOTIFY_AFTER = 8;

/**
 * How long a run refused `sync_overlap` for the `waits`+1-th time in a row waits before it is
 * tried again, ms: {@link OVERLAP_REQUEUE_MS} doubled per earlier wait, at most
 * {@link OVERLAP_REQUEUE_MAX_MS} (30 s, 1, 2, 4, 8 min, then every 15 min: behind a 4-hour run,
 * 21 tries and run history rows instead of 480; fresh reviewer 112, F2).
 */
export function overlapRequeueMs(waits: number): number {
  return Math.min(OVERLAP_REQUEUE_MAX_MS, OVERLAP_REQUEUE_MS * 2 ** Math.min(Math.max(0, waits), 16));
}

/**
 * Decides a run's job from how it ended:
 * - completed → completed;
 * - refused by another live run of the sync (`sync_running`) → failed (retried later), no notification;
 * - refused by a run of another sync into the same records (`sync_overlap`) → completed and queued again
 *   {@link overlapRequeueMs} later (two at once created people twice: fresh helper 107, M1), notified only at
 *   the {@link OVERLAP_NOTIFY_AFTER}-th refusal in a row (`context.overlapWaits`: the refusals before this run);
 * - refused by a guard (deletion guard, empty source) → completed, notified: never retried;
 * - stopped because this worker is shutting down (`interrupted`) → completed and queued again;
 * - stopped because the run was taken over (`lease_lost`, or the job's claim lost) → completed
 *   (the queue ignores a settle of a claim it took back; the new holder runs it);
 * - stopped by pg-boss at the time limit (`timedOut`: `maxRunSeconds`) → completed (pg-boss failed
 *   the job already, and retries it), notified;
 * - stopped or failed with a retryable reason (quota, rate limit, state or source unreachable) → failed, notified;
 * - stopped or failed otherwise (credentials, configuration, a query that cannot run) → dead-lettered at once, notified.
 */
export function dispositionOf(end: RunEnd, context: { readonly shuttingDown: boolean; readonly claimLost: boolean; readonly timedOut?: boolean | undefined; readonly overlapWaits?: number | undefined }): Disposition {
  const code = end.reason?.code;
  if (end.status === 'completed' || end.status === 'running') return { job: 'completed', requeue: false, notify: false };
  // Another sync into the same records is running: queued again in a while, longer each time, as often as it takes (no retry
  // spent); notified once, at the eighth refusal in a row (a run that hangs there holds this sync back).
  // (Unless the job's claim was lost meanwhile: the queue gives the job to a worker again by itself.)
  if (code === 'sync_overlap' && !context.claimLost) {
    const waits = context.overlapWaits ?? 0;
    return { job: 'completed', requeue: true, requeueAfterMs: overlapRequeueMs(waits), notify: waits + 1 === OVERLAP_NOTIFY_AFTER };
  }
  if (end.status === 'refused') {
    if (code === 'sync_running') return { job: 'failed', requeue: false, notify: false };
    return { job: 'completed', requeue: false, notify: true };
  }
  if (context.timedOut === true) return { job: 'completed', requeue: false, notify: true };
  if (code === 'lease_lost' || context.claimLost) return { job: 'completed', requeue: false, notify: false };
  if (code === 'interrupted' && context.shuttingDown) return { job: 'completed', requeue: true, notify: false };
  if (end.reason?.retryable === true) return { job: 'failed', requeue: false, notify: true };
  return { job: 'deadletter', requeue: false, notify: true };
}

/**
 * The refusals `sync_overlap` in a row before this attempt of a job: its data's count; for a
 * retry (`retryCount` > 0), the count the failed attempt before it left in its output
 * (`lastOutput`, which pg-boss keeps: a refusal `sync_running`, the one refusal that fails its
 * job, ran nothing and passes its count on — fresh reviewer 115, F3), else none: that attempt
 * really ran (fresh reviewer 114, F2 — a retry refused once waited 15 min and was notified at
 * once; fresh reviewer 117, F4 — a real run, then `sync_running`, brought the old count back).
 */
export function overlapWaitsBefore(data: RunJobData, retryCount: number, lastOutput?: unknown): number {
  if (retryCount === 0) return data.overlapWaits ?? 0;
  const o = lastOutput as { status?: unknown; reason?: { code?: unknown }; overlapWaits?: unknown } | null | undefined;
  const passed = o?.status === 'refused' && o.reason?.code === 'sync_running' ? o.overlapWaits : undefined;
  return typeof passed === 'number' && Number.isInteger(passed) && passed >= 0 ? passed : 0;
}

/**
 * The data of a run queued again: one more refusal in a row after `sync_overlap`; as many as
 * before when it ran nothing (`account_busy`: the account had its most runs at once); none for
 * any other reason (a worker shutting down mid-run).
 */
export function requeuedData(data: RunJobData, code: string | undefined, waitsBefore: number): RunJobData {
  const { overlapWaits: _waits, ...rest } = data;
  if (code === 'sync_overlap') return { ...rest, overlapWaits: waitsBefore + 1 };
  return code === 'account_busy' && waitsBefore > 0 ? { ...rest, overlapWaits: waitsBefore } : rest;
}
