import { randomUUID } from 'node:crypto';
import { runRecordOf, toSyncError, type Logger, type ReportTally, type StateStore, type SyncRunSummary } from '@syncmodes/connector-kit';

/** What the run history needs to know about a CLI run besides its summary. */
export interface CliRunContext {
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

/**
 * Adds a finished run to the state's run history (`syncmodes runs`); a dry run changes no
 * state and is not recorded. A failure only costs the history entry (logged as a warning).
 * Returns the run's id, when recorded.
 */
export async function recordCliRun(state: StateStore, summary: SyncRunSummary, context: CliRunContext, logger: Logger): Promise<string | undefined> {
  if (summary.dryRun) return undefined;
  const runId = randomUUID();
  try {
    await state.recordRun(runRecordOf(summary, { runId, syncName: context.syncName, source: context.source, startedAt: context.startedAt, tally: context.tally, secrets: context.secrets }), context.keep);
    return runId;
  } catch (error) {
    logger.warn('could not record the run in the run history', { code: toSyncError(error).code });
    return undefined;
  }
}
