import type { PlannedAction, RecordResult } from '../records/outcome';
import { ReportTally } from './report-tally';
import type { SyncRunSummary } from '../engine/run-types';

/**
 * The report of a run: totals, why the run was refused or stopped, calls and HTTP requests
 * made, failures and skips by code with a few examples each, and — in the JSON report
 * (`--report report.json`) — one entry per input row plus one per record that left the
 * source, in the order they were decided (each with its `row`). Never holds credentials.
 * Built in bounded memory from a {@link ReportTally}; `records` is present when the run's
 * results were kept, or streamed into the JSON file.
 */
export interface SyncReport {
  /** The destination's id. */
  readonly destination: string;
  /** The mode the run used. */
  readonly mode: string;
  /** True for a plan: each entry is what the run would do ("Would …"). */
  readonly dryRun: boolean;
  /** `completed`, `refused` or `stopped` (as the summary's). */
  readonly status: SyncRunSummary['status'];
  /** Why the run was refused or stopped (`code`, `message`). */
  readonly reason?: SyncRunSummary['reason'];
  /** The sync's id (see the summary). */
  readonly syncId: string;
  /** The source's name (a file path). */
  readonly source: string;
  /** ISO 8601 start time. */
  readonly startedAt: string;
  /** Wall time, ms. */
  readonly durationMs: number;
  /** Records by outcome. */
  readonly counts: SyncRunSummary['counts'];
  /** Planned actions, by kind (`create`, `update`, `delete`, `groups`, `none`, `skip`, `fail`). */
  readonly actions: SyncRunSummary['actions'];
  /** Verb calls made, by kind. */
  readonly calls: SyncRunSummary['stats']['calls'];
  /** HTTP requests sent, by kind (what the destination's API counts: retries, pages, a bulk job's polls included). */
  readonly requests: SyncRunSummary['stats']['requests'];
  /** What the run tells the user about the run as a whole (e.g. a managed group recreated). */
  readonly notices: SyncRunSummary['notices'];
  /** Calls retried after a retryable failure. */
  readonly retries: number;
  /** Rate-limit answers received. */
  readonly rateLimited: number;
  /** Failed and skipped records by code. */
  readonly codes: { readonly failed: Record<string, number>; readonly skipped: Record<string, number> };
  /** The first records of each failure and skip code (at most `EXAMPLES_PER_CODE` each). */
  readonly examples: { readonly failed: Record<string, readonly RecordResult[]>; readonly skipped: Record<string, readonly RecordResult[]> };
  /** Results of input rows, and of records that left the source. */
  readonly rows: { readonly input: number; readonly departed: number };
  /** A dry run's plan: the first records of each planned action (at most `PLAN_EXAMPLES_PER_ACTION` each). */
  readonly plan?: Partial<Record<PlannedAction, readonly RecordResult[]>> | undefined;
  /** Every result, when the run kept them (or in the JSON report file, where they are streamed). */
  readonly records?: readonly RecordResult[] | undefined;
  /** Destination fields the run created or found (a dry run: would create); see `SyncRunSummary.fields`. */
  readonly fields?: SyncRunSummary['fields'];
}

function byRow(a: RecordResult, b: RecordResult): number {
  return (a.row ?? Number.MAX_SAFE_INTEGER) - (b.row ?? Number.MAX_SAFE_INTEGER);
}

/**
 * The report of a run from its summary and a {@link ReportTally} fed with every result
 * (no per-record array needed). Without a tally, the summary's collected results are
 * tallied and included as `records`, ordered by source row, departed records last.
 */
export function buildReport(summary: SyncRunSummary, source: string, startedAt: Date, tally?: ReportTally): SyncReport {
  let records: RecordResult[] | undefined;
  let counted = tally;
  if (!counted) {
    records = [...summary.results].sort(byRow);
    counted = new ReportTally();
    for (const r of records) counted.add(r);
  }
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
    codes: counted.codes,
    examples: counted.examples,
    rows: { input: counted.inputRows, departed: counted.departed },
    ...(summary.dryRun ? { plan: counted.plan } : {}),
    ...(summary.fields ? { fields: summary.fields } : {}),
    ...(records ? { records } : {}),
  };
}
