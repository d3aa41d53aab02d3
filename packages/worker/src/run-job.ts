import { randomUUID } from 'node:crypto';
import {
  runRecordOf,
  startedRunRecord,
  toSyncError,
  type Logger,
  type RecordResult,
  type RunRecord,
  type SharedLimiter,
} from '@syncmodes/connector-kit';
import { PostgresSharedLimiter, type PostgresStateStore, type RateLimit } from '@syncmodes/postgres';
import type { JobResult, JobWithMetadata } from 'pg-boss';
import { mayStartUnderAccountCap } from './account-gate';
import { jobMayRun, jobStartedRun } from './intervals';
import { lostRunRecord } from './lost-run';
import { overranRunRecord, watchRunTime } from './run-time-limit';
import type { DefinitionStore } from './definition-store';
import { pausedBySchedule, type RunJobData, type StoredSync, type SyncDefinition } from './definitions';
import { dispositionOf, overlapWaitsBefore, requeuedData, type Disposition } from './disposition';
import { notificationOf, postNotification } from './notify';
import { RunProgress } from './run-progress';
import type { SyncRunner, WorkerRunResult } from './runner';

/** What the worker hands each job. */
export interface RunJobDeps {
  readonly state: PostgresStateStore;
  readonly definitions: DefinitionStore;
  readonly runner: SyncRunner;
  /** `host:pid`. */
  readonly workerName: string;
  /** Aborts when the worker shuts down. */
  readonly shutdown: AbortSignal;
  /** How long a run's lease lasts without renewal, ms. */
  readonly leaseTtlMs: number;
  /** Runs kept per sync in the history. */
  readonly keepRuns: number;
  /** How often a running run's counts so far are written to its record, ms (see `RunProgress`). */
  readonly progressIntervalMs?: number | undefined;
  /** The worker's own notify URL (a stored sync or an enqueued run may name one too). */
  readonly notifyUrl?: string | undefined;
  readonly logger: Logger;
  /** Queues the sync again (for any worker), e.g. when this worker shuts down mid-run, `startAfterMs` from now. */
  requeue(definition: SyncDefinition, data: RunJobData, startAfterMs?: number): Promise<void>;
  /** The cap on runs at once per destination account, for a destination. */
  accountLimit(destination: string): number;
}

/** What a job's output says (shown by pg-boss and its dashboard). */
export interface RunJobOutput {
  readonly runId?: string | undefined;
  readonly status: string;
  readonly reason?: { readonly code: string; readonly message: string } | undefined;
  /** For a refusal `sync_running`: the refusals `sync_overlap` in a row before it, which its retry carries on (see `overlapWaitsBefore`). */
  readonly overlapWaits?: number | undefined;
}

/**
 * Marks the sync's runs left `running` as stopped: those of this job, however old (an earlier
 * attempt's worker died; fresh reviewer 130, F1), and, among its latest runs, those whose job
 * ended without them (their worker could not record how they ended: they showed `running` for
 * good once a later run existed; fresh reviewer 126, F3). A CLI run (no job) is the CLI's to close.
 */
async function closeAbandoned(deps: RunJobDeps, syncId: string, jobId: string): Promise<void> {
  const latest = await deps.state.listRuns({ syncId, limit: 10 });
  const candidates = new Map([...(await deps.state.runsOfJob(jobId)), ...latest].map((r) => [r.runId, r]));
  for (const listed of candidates.values()) {
    if (listed.status !== 'running' || listed.jobId === undefined) continue;
    const ours = listed.jobId === jobId;
    if (!ours && (await jobMayRun(deps.state, listed.jobId))) continue;
    const run = await deps.state.getRun(listed.runId);
    if (!run || run.status !== 'running') continue;
    const why = ours
      ? 'The worker running it stopped answering (killed, paused or cut off); another worker took the run over.'
      : 'Its job ended without it: its worker could not record how it ended. A later run of the sync found it.';
    await deps.state.recordRun(lostRunRecord(run, why), deps.keepRuns);
  }
}

/**
 * Whether a run this worker gave up (shutting down) is queued again: a run carried in its job
 * (`enqueue --config`) always; a stored sync's unless it was paused or removed meanwhile (it
 * then ran in full on another worker while paused: fresh helper 71, finding 8). Yes when the
 * definitions cannot be read: the run is not lost.
 */
async function stillScheduled(deps: RunJobDeps, data: RunJobData): Promise<boolean> {
  if (data.definition) return true;
  const stored = await deps.definitions.get(data.name).catch(() => 'unknown' as const);
  if (stored === 'unknown') return true;
  // Even a run queued by hand: pausing meant no more runs of the sync (fresh helper 71, finding 8).
  if (stored && !stored.paused) return true;
  deps.logger.info('run not queued again: its sync was paused or removed', { sync: data.name });
  return false;
}

function startedRun(definition: SyncDefinition, runId: string, jobId: string, deps: RunJobDeps): RunRecord {
  const { syncId, name: syncName, destination } = definition;
  return startedRunRecord({ runId, syncId, syncName, destination, mode: String(definition.job.mode ?? ''), startedAt: Date.now(), source: '', worker: deps.workerName, jobId });
}

/**
 * Runs the sync through the runner, its counts so far written to its `running` record as
 * results arrive (at most once per `progressIntervalMs`; the last write is over before this
 * returns); an error instead of a summary becomes a `failed` run.
 */
async function execute(
  definition: SyncDefinition,
  job: JobWithMetadata<RunJobData>,
  started: RunRecord,
  deps: RunJobDeps,
): Promise<{ run: RunRecord; retryable: boolean | undefined; result?: WorkerRunResult }> {
  const holder = `${deps.workerName}:${job.id}`;
  const signal = AbortSignal.any([job.signal, deps.shutdown]);
  const problems: RecordResult[] = [];
  const onError = (error: unknown) => deps.logger.debug('could not record the run progress', { code: toSyncError(error).code });
  const progress = new RunProgress(started, (run) => deps.state.recordRunProgress(run), deps.progressIntervalMs, onError);
  try {
    const result = await deps.runner(definition, {
      state: deps.state,
      signal,
      lease: { holder, ttlMs: deps.leaseTtlMs, isStale: (current) => current.holder !== holder && current.holder.endsWith(`:${job.id}`) },
      sharedLimiter: (rateLimit: RateLimit | undefined): Promise<SharedLimiter> =>
        PostgresSharedLimiter.create({ pool: deps.state.pool, accountKey: definition.accountKey, rateLimit, signal, logger: deps.logger }),
      logger: deps.logger,
      onResult: progress.add,
      onProgress: progress.observe,
    });
    const recorded = runRecordOf(result.summary, { runId: started.runId, syncName: definition.name, source: result.source, startedAt: started.startedAt, worker: deps.workerName, jobId: job.id, tally: result.tally, secrets: result.secrets });
    // A runner that returns no tally still handed every result to the progress: its codes stand (fresh reviewer 78: they went from 250 to none at the end).
    const run = result.tally ? recorded : { ...recorded, codes: progress.snapshot().codes };
    return { run, retryable: result.summary.reason?.retryable, result };
  } catch (thrown) {
    const error = toSyncError(thrown);
    return { run: { ...progress.snapshot(), status: 'failed', reason: { code: error.code, message: error.message }, finishedAt: Date.now(), problems }, retryable: error.retryable };
  } finally {
    await progress.stop();
  }
}

/**
 * One queued run: finds its sync's definition (a run its schedule queued for a sync paused or
 * removed since ends there, `sync_paused` / `sync_not_found`, unless its job already started
 * the run),
 * records it `running` in the run history,
 * runs it (lease held for this job: a re-delivery of the same job after its worker died
 * takes the lease over at once), records how it ended, then settles the job (see
 * `dispositionOf`), notifies when it failed or was refused, and queues it again when this
 * worker is shutting down.
 */
export async function runJob(job: JobWithMetadata<RunJobData>, deps: RunJobDeps): Promise<{ result: JobResult<RunJobOutput>; disposition?: Disposition; definition?: SyncDefinition }> {
  // From the moment pg-boss hands the job over, as its time limit counts (fresh reviewer 146, M3: counted from the run's
  // start, after the definition, account and history queries, a time-limit abort looked like a lost claim).
  const overran = watchRunTime(job);
  const definition = job.data.definition ?? (await deps.definitions.get(job.data.name));
  if (!definition && job.data.scheduled) {
    // Its schedule queued it as the sync was removed (the run before read the sync, then queued it): not a dead letter (fresh reviewer 127, F-B).
    deps.logger.info('scheduled run not started: its sync was removed', { sync: job.data.name });
    return { result: { id: job.id, status: 'completed', output: { status: 'skipped', reason: { code: 'sync_not_found', message: `No stored sync "${job.data.name}": it was removed after this run was queued.` } } } };
  }
  if (!definition) {
    deps.logger.warn('a queued run names a sync that is not stored', { sync: job.data.name });
    return { result: { id: job.id, status: 'deadletter', output: { status: 'failed', reason: { code: 'sync_not_found', message: `No stored sync "${job.data.name}" (schedule add stores one).` } } } };
  }
  // Unless the job started its run: a retry or takeover of the run in progress goes on, as a pause lets it (fresh reviewer 127,
  // F-A). A retry after a refusal, or after an attempt that threw first, started nothing (fresh reviewers 128 F1, 129 F1).
  if (pausedBySchedule(job.data, (definition as Partial<StoredSync>).paused === true) && !(await jobStartedRun(deps.state, job.id))) {
    deps.logger.info('scheduled run not started: its sync is paused', { sync: definition.name });
    return { result: { id: job.id, status: 'completed', output: { status: 'skipped', reason: { code: 'sync_paused', message: 'Its sync was paused after this run was queued; resume schedules it again.' } } } };
  }
  const waitsBefore = overlapWaitsBefore(job.data, job.retryCount, job.output);
  if (!(await mayStartUnderAccountCap(deps.state.pool, job, deps.accountLimit(definition.destination)))) {
    // Another worker claimed a run of this account at the same moment: step back, try again shortly.
    await deps.requeue(definition, requeuedData(job.data, 'account_busy', waitsBefore), 2_000 + Math.floor(Math.random() * 2_000));
    deps.logger.debug('account busy: run queued again', { sync: definition.name });
    return { result: { id: job.id, status: 'completed', output: { status: 'deferred', reason: { code: 'account_busy', message: 'The account already had its most runs at once.' } } } };
  }
  await closeAbandoned(deps, definition.syncId, job.id).catch(() => undefined);
  const started = startedRun(definition, randomUUID(), job.id, deps);
  await deps.state.recordRun(started, deps.keepRuns).catch(() => undefined);
  const executed = await execute(definition, job, started, deps);
  const { retryable, result } = executed;
  // Stopped by pg-boss at maxRunSeconds: said so, not `interrupted` (fresh trial 145, F2: a long first run was retried until dead-lettered, each attempt "interrupted").
  const timedOut = overran() && !deps.shutdown.aborted && executed.run.status !== 'completed';
  const run = timedOut ? overranRunRecord(executed.run, job.expireInSeconds, job.retryCount < job.retryLimit) : executed.run;
  const recorded: RunRecord = run.reason ? { ...run, reason: { code: run.reason.code, message: run.reason.message } } : run;
  const end = { status: run.status, reason: run.reason ? { code: run.reason.code, retryable: timedOut || retryable } : undefined };
  const disposition = dispositionOf(end, { shuttingDown: deps.shutdown.aborted, claimLost: job.signal.aborted && !deps.shutdown.aborted, timedOut, overlapWaits: waitsBefore });
  await deps.state.recordRun(recorded, deps.keepRuns).catch((error: unknown) => deps.logger.warn('could not record the run', { code: toSyncError(error).code }));
  const requeue = disposition.requeue && (await stillScheduled(deps, job.data));
  const willRetry = ((disposition.job === 'failed' || timedOut) && job.retryCount < job.retryLimit) || requeue;
  // The run's own URL (enqueue --notify-url), else its stored sync's (schedule add --notify-url: fresh helper 71, finding 1),
  // and the worker's too: an operator's alerting there hears of every run (fresh helper 73, finding 6).
  const urls = new Set([job.data.notifyUrl ?? (definition as Partial<StoredSync>).notifyUrl, deps.notifyUrl].filter((u): u is string => !!u));
  if (disposition.notify) for (const url of urls) await postNotification(url, notificationOf(recorded, willRetry), result?.secrets ?? [], deps.logger);
  const again = requeuedData(job.data, end.reason?.code, waitsBefore);
  if (requeue) await deps.requeue(definition, again, disposition.requeueAfterMs).catch((error: unknown) => deps.logger.warn('could not queue the run again', { message: String(error) }));
  deps.logger.info('run ended', { sync: definition.name, runId: recorded.runId, status: recorded.status, code: recorded.reason?.code, job: disposition.job });
  // A refusal sync_running fails the job, and its retry reads this count back (overlapWaitsBefore).
  const passOn = end.reason?.code === 'sync_running' && recorded.status === 'refused' ? { overlapWaits: waitsBefore } : {};
  const output: RunJobOutput = { runId: recorded.runId, status: recorded.status, ...(recorded.reason ? { reason: recorded.reason } : {}), ...passOn };
  return { result: { id: job.id, status: disposition.job, output }, disposition, definition };
}
