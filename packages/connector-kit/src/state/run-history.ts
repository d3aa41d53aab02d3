import { emptyCallStats, type CallStats } from '../engine/calls/caller';
import type { RunNotice, RunStatus, SyncRunSummary } from '../engine/run-types';
import { emptyCounts, type OutcomeCounts, type PlannedAction, type RecordResult } from '../records/outcome';
import { ReportTally } from '../report/report-tally';
import { redactDeep } from '../config/secret';

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
  /** Failed and skipped records by code, counted over the whole run (absent in runs recorded before it was kept: count `problems` then). */
  readonly codes?: { readonly failed: Record<string, number>; readonly skipped: Record<string, number> } | undefined;
  /** A sample of the run's failed and skipped records: the first `EXAMPLES_PER_CODE` (20) of each code (other outcomes are only counted). */
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
  /** The run's results as tallied with `onResult` (when the run did not collect its results). */
  readonly tally?: ReportTally | undefined;
  /**
   * Secret values (the destination's credentials, a database password) to redact from every
   * text of the record: a destination's error answer may echo a token (a gateway printing the
   * Authorization header), and the history is stored and printed (`syncmodes runs show`).
   */
  readonly secrets?: readonly string[] | undefined;
}

/** Counts by code and the first examples of each code, from the tally or else from the summary's results. */
function problemsOf(summary: SyncRunSummary, tally: ReportTally | undefined): Pick<RunRecord, 'codes' | 'problems'> {
  const source = tally ?? summary.results.reduce((t, r) => (t.add(r), t), new ReportTally());
  const problems = [...Object.values(source.examples.failed), ...Object.values(source.examples.skipped)].flat();
  problems.sort((a, b) => (a.row ?? Number.MAX_SAFE_INTEGER) - (b.row ?? Number.MAX_SAFE_INTEGER));
  return { codes: { failed: { ...source.codes.failed }, skipped: { ...source.codes.skipped } }, problems };
}

/** Who a run is, for {@link startedRunRecord}. */
export interface StartedRun {
  readonly runId: string;
  readonly syncId: string;
  readonly syncName: string;
  /** Destination id. */
  readonly destination: string;
  readonly mode: string;
  /** Epoch ms. */
  readonly startedAt: number;
  /** The source's name (credentials redacted); empty when not known yet. */
  readonly source: string;
  /** `host:pid`, for runs made by a worker. */
  readonly worker?: string | undefined;
  /** The queue's job id, for runs made by a worker. */
  readonly jobId?: string | undefined;
}

/**
 * The history record of a run that has started: status `running`, nothing counted yet.
 * Recorded again under the same `runId` when the run ends; a run still `running` whose
 * process is gone is closed by the next run of its sync (`run_lost`, or `worker_lost`).
 */
export function startedRunRecord(run: StartedRun): RunRecord {
  return {
    runId: run.runId,
    syncId: run.syncId,
    syncName: run.syncName,
    destination: run.destination,
    mode: run.mode,
    dryRun: false,
    status: 'running',
    startedAt: run.startedAt,
    source: run.source,
    counts: emptyCounts(),
    actions: { create: 0, update: 0, delete: 0, groups: 0, none: 0, skip: 0, fail: 0 },
    calls: emptyCallStats().calls,
    requests: {},
    notices: [],
    retries: 0,
    rateLimited: 0,
    ...(run.worker ? { worker: run.worker } : {}),
    ...(run.jobId ? { jobId: run.jobId } : {}),
    problems: [],
  };
}

/** The history record of a finished run: its summary's counts and calls, failures and skips by code, and a bounded sample of those records. */
export function runRecordOf(summary: SyncRunSummary, context: RunRecordContext): RunRecord {
  return redactDeep(recordOf(summary, context), context.secrets ?? []);
}

function recordOf(summary: SyncRunSummary, context: RunRecordContext): RunRecord {
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
    ...problemsOf(summary, context.tally),
  };
}
