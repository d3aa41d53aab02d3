import { emptyCallStats, emptyCounts, type PlannedAction, type RecordResult, type RecordSource, type SyncError, type SyncMode, type SyncRunSummary } from '@syncmodes/connector-kit';

/** What {@link stoppedSummary} needs about the run that ended early. */
export interface StoppedRun {
  readonly destination: string;
  readonly mode: SyncMode;
  readonly dryRun: boolean;
  readonly syncId: string;
  /** Why it stopped. */
  readonly error: SyncError;
  readonly source: RecordSource;
  /** Results the run had made final before it stopped. */
  readonly results: readonly RecordResult[];
  /** When the run started, epoch ms. */
  readonly startedMs: number;
}

/**
 * A summary for a run that ended with an error instead of a summary (the destination could
 * not be reached, the run was interrupted before the engine could answer): the results it
 * had made final, and every other input row as `skipped` / `not_sent`, so the report still
 * accounts for every row. Reads the source once more (a file, or stdin's copy).
 */
export async function stoppedSummary(run: StoppedRun): Promise<SyncRunSummary> {
  const results = [...run.results];
  const seen = new Set(results.map((r) => r.row).filter((row): row is number => row !== undefined));
  try {
    for await (const item of run.source.open()) {
      const row = item.row;
      if (row !== undefined && seen.has(row)) continue;
      const id = item.id ?? `row:${row}`;
      results.push({ id, row, outcome: 'skipped', code: 'not_sent', message: `Not sent: the run stopped (${run.error.code}). The next run will send it.`, retryable: true });
    }
  } catch {
    // The source itself cannot be read again: report what is known.
  }
  const counts = emptyCounts();
  const actions: Record<PlannedAction, number> = { create: 0, update: 0, delete: 0, groups: 0, none: 0, skip: 0, fail: 0 };
  for (const r of results) {
    counts[r.outcome]++;
    actions[r.action ?? (r.outcome === 'failed' ? 'fail' : r.outcome === 'unchanged' ? 'none' : 'skip')]++;
  }
  return {
    destination: run.destination,
    mode: run.mode,
    dryRun: run.dryRun,
    syncId: run.syncId,
    status: 'stopped',
    reason: { code: run.error.code, message: run.error.message },
    counts,
    actions,
    results,
    stats: emptyCallStats(),
    notices: [],
    durationMs: Date.now() - run.startedMs,
  };
}
