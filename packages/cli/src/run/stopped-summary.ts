import { emptyCallStats, type CallStats, type RecordSource, type SyncError, type SyncMode, type SyncRunSummary } from '@syncmodes/connector-kit';
import type { ResultSink } from './result-sink';

/** What {@link stoppedSummary} needs about the run that ended early. */
export interface StoppedRun {
  readonly destination: string;
  readonly mode: SyncMode;
  readonly dryRun: boolean;
  readonly syncId: string;
  /** Why it stopped. */
  readonly error: SyncError;
  readonly source: RecordSource;
  /** The run's results so far; the rows without one are added to it as `not_sent`. */
  readonly sink: ResultSink;
  /** When the run started, epoch ms. */
  readonly startedMs: number;
  /** The calls counted before it stopped (`SyncProgress.stats`), if the run got that far. */
  readonly stats?: CallStats | undefined;
}

/**
 * A summary for a run that ended with an error instead of a summary (the destination could
 * not be reached, the run was interrupted before the engine could answer): every input row
 * without a result yet goes to the sink as `skipped` / `not_sent`, so the report still
 * accounts for every row. Reads the source once more (a file, or stdin's copy).
 */
export async function stoppedSummary(run: StoppedRun): Promise<SyncRunSummary> {
  const { sink } = run;
  try {
    for await (const item of run.source.open()) {
      const row = item.row;
      if (row !== undefined && sink.seen(row)) continue;
      const id = item.id ?? `row:${row}`;
      sink.add({ id, row, outcome: 'skipped', code: 'not_sent', message: `Not sent: the run stopped (${run.error.code}). The next run will send it.`, retryable: true });
    }
  } catch {
    // The source itself cannot be read again: report what is known.
  }
  return {
    destination: run.destination,
    mode: run.mode,
    dryRun: run.dryRun,
    syncId: run.syncId,
    status: 'stopped',
    reason: { code: run.error.code, message: run.error.message },
    counts: sink.counts,
    actions: sink.actions,
    results: [],
    stats: run.stats ?? emptyCallStats(),
    notices: [],
    durationMs: Date.now() - run.startedMs,
  };
}
