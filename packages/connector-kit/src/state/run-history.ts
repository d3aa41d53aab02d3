import type { CallStats } from '../engine/calls/caller';
import type { RunNotice, RunStatus, SyncRunSummary } from '../engine/run-types';
import type { OutcomeCounts, PlannedAction, RecordResult } from '../records/outcome';

/**
 * How a run in the history ended: a {@link RunStatus}, `running` while a worker still runs
 * it, or `failed` when it ended with an error instead of a summary (a configuration or
 * source error, a crash; `reason` says which).
 */
export type HistoryRunStatus = RunStatus | 'running' | 'failed';

/** One run as the run history keeps it (never credentials: `source` is a redacted name). */
export interface RunRecord {
  /** Unique per run (a UUID). Recording a run again with the same id replaces it. */
  readonly runId: string;
  readonly syncId: string;
  /** The sync's name (what `syncmodes runs --sync <name>` filters by). */
  readonly syncName: string;
  readonly destination: string;
  readonly mode: string;
  readonly dryRun: boolean;
  readonly status: HistoryRunStatus;
  /** Why the run was refused, stopped or failed. */
  readonly reason?: { readonly code: string; readonly message: string } | undefined;
  /** Epoch ms. */
  readonly startedAt: number;
  /** Epoch ms; absent while running. */
  readonly finishedAt?: number | undefined;
  /** The source's name: a file path, or a redacted database URL with its table or query. */
  readonly source: string;
  readonly counts: OutcomeCounts;
  readonly actions: Record<PlannedAction, number>;
  /** Verb calls by kind. */
  readonly calls: CallStats['calls'];
  /** HTTP requests by kind (what the destination's API counts). */
  readonly requests: CallStats['requests'];
  /** What the run told about itself as a whole (e.g. a managed group recreated). */
  readonly notices: readonly RunNotice[];
  readonly retries: number;
  readonly rateLimited: number;
  /** The worker that ran it (`host:pid`), for runs made by a worker. */
  readonly worker?: string | undefined;
  /** The queue's job id, for runs made by a worker. */
  readonly jobId?: string | undefined;
  /** The run's failed and skipped records, with their codes (other outcomes are only counted). */
  readonly problems: readonly RecordResult[];
}

/** A run as `listRuns` gives it: everything but its records. */
export type RunListing = Omit<RunRecord, 'problems'>;

/** Which runs {@link StateStore.listRuns} returns, newest first. */
export interface RunQuery {
  /** Only this sync's runs (by id). */
  readonly syncId?: string | undefined;
  /** Only runs of syncs with this name. */
  readonly syncName?: string | undefined;
  /** At most this many (default 20). */
  readonly limit?: number | undefined;
}

/** How many runs per sync the history keeps by default. */
export const DEFAULT_KEEP_RUNS = 100;

/** What {@link runRecordOf} needs besides the summary. */
export interface RunRecordContext {
  readonly runId: string;
  readonly syncName: string;
  readonly source: string;
  /** Epoch ms. */
  readonly startedAt: number;
  readonly worker?: string | undefined;
  readonly jobId?: string | undefined;
  /** The failed and skipped records, when the run did not collect its results (gathered with `onResult`). */
  readonly problems?: readonly RecordResult[] | undefined;
}

/** The history record of a finished run: its summary's counts and calls, and its failed and skipped records. */
export function runRecordOf(summary: SyncRunSummary, context: RunRecordContext): RunRecord {
  return {
    runId: context.runId,
    syncId: summary.syncId,
    syncName: context.syncName,
    destination: summary.destination,
    mode: summary.mode,
    dryRun: summary.dryRun,
    status: summary.status,
    ...(summary.reason ? { reason: summary.reason } : {}),
    startedAt: context.startedAt,
    finishedAt: context.startedAt + summary.durationMs,
    source: context.source,
    counts: { ...summary.counts },
    actions: { ...summary.actions },
    calls: { ...summary.stats.calls },
    requests: { ...summary.stats.requests },
    notices: [...summary.notices],
    retries: summary.stats.retries,
    rateLimited: summary.stats.rateLimited,
    ...(context.worker ? { worker: context.worker } : {}),
    ...(context.jobId ? { jobId: context.jobId } : {}),
    problems: context.problems ?? summary.results.filter((r) => r.outcome === 'failed' || r.outcome === 'skipped'),
  };
}
