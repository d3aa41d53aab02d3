import { DEFAULT_KEEP_RUNS, type RunListing, type RunQuery, type RunRecord } from './run-history';

/** Without its records. */
export function listingOf(run: RunRecord): RunListing {
  const { problems: _problems, ...listing } = run;
  return listing;
}

/** Newest first; ties broken by id so the order is stable. */
export function newestFirst(a: { startedAt: number; runId: string }, b: { startedAt: number; runId: string }): number {
  return b.startedAt - a.startedAt || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0);
}

/** The run history of a {@link MemoryStateStore}, copied in and out like its entries. */
export class MemoryRuns {
  private readonly runs = new Map<string, RunRecord>();

  record(run: RunRecord, keep = DEFAULT_KEEP_RUNS): void {
    this.runs.set(run.runId, structuredClone(run));
    const ofSync = [...this.runs.values()].filter((r) => r.syncId === run.syncId).sort(newestFirst);
    for (const old of ofSync.slice(Math.max(0, keep))) if (old.status !== 'running') this.runs.delete(old.runId);
  }

  list(query: RunQuery = {}): RunListing[] {
    return [...this.runs.values()]
      .filter((r) => (query.syncId === undefined || r.syncId === query.syncId) && (query.syncName === undefined || r.syncName === query.syncName))
      .sort(newestFirst)
      .slice(0, query.limit ?? 20)
      .map((r) => listingOf(structuredClone(r)));
  }

  get(runId: string): RunRecord | undefined {
    const run = this.runs.get(runId);
    return run ? structuredClone(run) : undefined;
  }
}
