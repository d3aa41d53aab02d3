import type { RunRecord } from '@syncmodes/connector-kit';
import type { JobWithMetadata } from 'pg-boss';

/**
 * Watches a job's signal from the start of its run: true once pg-boss aborted it for running
 * past its `expireInSeconds` (the policy's `maxRunSeconds`). pg-boss then fails the job, which
 * it retries until `retryLimit`, then dead-letters; its signal says nothing of why it was
 * aborted, so an abort at the time limit or later is taken for it (a lost claim comes sooner:
 * the time limit would have ended a longer run first).
 * https://github.com/timgit/pg-boss/releases/tag/12.4.0 ("Pass AbortSignal with Job that aborts with expireInSeconds")
 */
export function watchRunTime(job: Pick<JobWithMetadata, 'signal' | 'expireInSeconds'>, now: () => number = Date.now): () => boolean {
  const began = now();
  let overran = false;
  job.signal.addEventListener('abort', () => {
    overran = now() - began >= job.expireInSeconds * 1_000 - 250;
  }, { once: true });
  return () => overran;
}

/**
 * A run that pg-boss stopped at its time limit, as its history says it: `stopped` with
 * `run_time_exceeded` (retryable), what happens next (`willRetry`: pg-boss runs the job again,
 * continuing from the state this attempt wrote; else it went to the dead-letter queue) and what
 * to do. Its counts are what it wrote.
 */
export function overranRunRecord(run: RunRecord, maxRunSeconds: number, willRetry: boolean): RunRecord {
  const next = willRetry
    ? 'pg-boss retries its job: the next attempt continues from the state this one wrote.'
    : 'No retry was left: its job went to the dead-letter queue; enqueue the sync again to go on from the state this run wrote.';
  const message = `The run took longer than its queue allows (maxRunSeconds: ${maxRunSeconds} s) and was stopped. ${next} Raise maxRunSeconds in the worker's policy if a run of this sync needs longer (a first run of many records can take hours).`;
  return { ...run, status: 'stopped', reason: { code: 'run_time_exceeded', message } };
}
