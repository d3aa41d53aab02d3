import { randomUUID } from 'node:crypto';
import { redactText, runRecordOf, startedRunRecord, toSyncError, type Logger, type ReportTally, type StateStore, type SyncRunSummary } from '@syncmodes/connector-kit';

/** What the run history needs to know about a CLI run besides its summary. */
export interface CliRunContext {
  /** The id its start was recorded under ({@link recordCliRunStart}). */
  readonly runId: string;
  readonly syncName: string;
  /** The source's name as reports show it (credentials already redacted). */
  readonly source: string;
  /** Epoch ms. */
  readonly startedAt: number;
  /** Runs of the sync the history keeps. */
  readonly keep: number;
  /** The run's results, tallied as they arrived (counts by code and the first examples). */
  readonly tally: ReportTally;
  /** Secret values to redact from the record (the destination's credentials, the state database's password). */
  readonly secrets: readonly string[];
}

/** Who a CLI run is, before it has a summary. */
export interface CliRunStart {
  readonly syncId: string;
  readonly syncName: string;
  /** Destination id. */
  readonly destination: string;
  readonly mode: string;
  readonly source: string;
  /** Epoch ms. */
  readonly startedAt: number;
  readonly keep: number;
}

/**
 * Records a CLI run as `running` in the run history before it sends anything, so a run whose
 * process is killed (SIGKILL, a second Ctrl-C) still shows in `syncmodes runs`: the next run
 * of the sync closes it as `run_lost` ({@link recordCliRun}). Returns the run's id. A dry run
 * is not recorded; a failure only costs the entry (logged as a warning).
 */
export async function recordCliRunStart(state: StateStore, start: CliRunStart, dryRun: boolean, logger: Logger): Promise<string> {
  const runId = randomUUID();
  if (dryRun) return runId;
  try {
    await state.recordRun(startedRunRecord({ runId, ...start }), start.keep);
  } catch (error) {
    logger.warn('could not record the run in the run history', { code: toSyncError(error).code });
  }
  return runId;
}

/**
 * Closes the CLI runs of this sync still `running` that started before this one (`run_lost`):
 * this run held the sync (it was not refused `sync_running`), so none of them is running.
 * Runs made by a worker are the worker's to close.
 */
async function closeLostRuns(state: StateStore, summary: SyncRunSummary, context: CliRunContext): Promise<void> {
  if (summary.reason?.code === 'sync_running') return;
  for (const listed of await state.listRuns({ syncId: summary.syncId, limit: 50 })) {
    if (listed.status !== 'running' || listed.worker !== undefined || listed.runId === context.runId || listed.startedAt > context.startedAt) continue;
    const run = await state.getRun(listed.runId);
    if (!run || run.status !== 'running') continue;
    const reason = { code: 'run_lost', message: 'Ended without a summary: its process was killed, or exited at once on a second Ctrl-C. A later run of the sync continued from the state.' };
    await state.recordRun({ ...run, status: 'stopped', reason, finishedAt: context.startedAt }, context.keep);
  }
}

/**
 * Records a finished run in the state's run history (`syncmodes runs`) under the id its start
 * was recorded with, after closing earlier runs of the sync that were lost; a dry run changes
 * no state and is not recorded. A failure only costs the history entry (logged as a warning).
 * Returns the run's id, when recorded.
 */
export async function recordCliRun(state: StateStore, summary: SyncRunSummary, context: CliRunContext, logger: Logger): Promise<string | undefined> {
  if (summary.dryRun) return undefined;
  try {
    await closeLostRuns(state, summary, context);
    await state.recordRun(runRecordOf(summary, { runId: context.runId, syncName: context.syncName, source: context.source, startedAt: context.startedAt, tally: context.tally, secrets: context.secrets }), context.keep);
    return context.runId;
  } catch (error) {
    logger.warn('could not record the run in the run history', { code: toSyncError(error).code });
    return undefined;
  }
}

/** Records a CLI run that ended with an error instead of a summary (a configuration or source error) as `failed`, so it is not left `running`. */
export async function recordCliRunFailed(state: StateStore, start: CliRunStart & { readonly runId: string; readonly secrets: readonly string[] }, thrown: unknown, logger: Logger): Promise<void> {
  const error = toSyncError(thrown);
  try {
    const reason = { code: error.code, message: redactText(error.message, start.secrets) };
    await state.recordRun({ ...startedRunRecord(start), status: 'failed', reason, finishedAt: Date.now() }, start.keep);
  } catch (failure) {
    logger.warn('could not record the run in the run history', { code: toSyncError(failure).code });
  }
}
