import type { RecordResult } from '../records/outcome';
import type { SyncRunSummary } from '../engine/run-types';

/**
 * The JSON report of a run (`--report report.json`): totals, why the run was refused or
 * stopped, calls made, failures by code, and one entry per input row (plus one per record
 * that left the source). Never holds credentials.
 */
export interface SyncReport {
  readonly destination: string;
  readonly mode: string;
  readonly dryRun: boolean;
  readonly status: SyncRunSummary['status'];
  readonly reason?: SyncRunSummary['reason'];
  readonly syncId: string;
  /** The source's name (a file path). */
  readonly source: string;
  /** ISO 8601 start time. */
  readonly startedAt: string;
  readonly durationMs: number;
  readonly counts: SyncRunSummary['counts'];
  readonly actions: SyncRunSummary['actions'];
  /** Verb calls made, by kind. */
  readonly calls: SyncRunSummary['stats']['calls'];
  /** HTTP requests sent, by kind (what the destination's API counts: retries, pages, a bulk job's polls included). */
  readonly requests: SyncRunSummary['stats']['requests'];
  /** What the run tells the user about the run as a whole (e.g. a managed group recreated). */
  readonly notices: SyncRunSummary['notices'];
  readonly retries: number;
  readonly rateLimited: number;
  /** Failed and skipped records by code. */
  readonly codes: { readonly failed: Record<string, number>; readonly skipped: Record<string, number> };
  readonly records: readonly RecordResult[];
  /** Destination fields the run created or found (a dry run: would create); see `SyncRunSummary.fields`. */
  readonly fields?: SyncRunSummary['fields'];
}

function tally(results: readonly RecordResult[], outcome: 'failed' | 'skipped'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) if (r.outcome === outcome) out[r.code ?? 'unknown'] = (out[r.code ?? 'unknown'] ?? 0) + 1;
  return out;
}

function byRow(a: RecordResult, b: RecordResult): number {
  return (a.row ?? Number.MAX_SAFE_INTEGER) - (b.row ?? Number.MAX_SAFE_INTEGER);
}

/** Builds the report of a run; records are ordered by source row, departed records last. */
export function buildReport(summary: SyncRunSummary, source: string, startedAt: Date): SyncReport {
  const records = [...summary.results].sort(byRow);
  return {
    destination: summary.destination,
    mode: summary.mode,
    dryRun: summary.dryRun,
    status: summary.status,
    ...(summary.reason ? { reason: summary.reason } : {}),
    syncId: summary.syncId,
    source,
    startedAt: startedAt.toISOString(),
    durationMs: summary.durationMs,
    counts: summary.counts,
    actions: summary.actions,
    calls: summary.stats.calls,
    requests: summary.stats.requests,
    notices: summary.notices,
    retries: summary.stats.retries,
    rateLimited: summary.stats.rateLimited,
    codes: { failed: tally(records, 'failed'), skipped: tally(records, 'skipped') },
    records,
    ...(summary.fields && summary.fields.length > 0 ? { fields: summary.fields } : {}),
  };
}
