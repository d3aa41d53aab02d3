import type { RecordResult } from '../records/outcome';
import type { RunRecord } from '../state/run-history';
import type { SyncReport } from './sync-report';

function tally(results: readonly RecordResult[], outcome: 'failed' | 'skipped'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) if (r.outcome === outcome) out[r.code ?? 'unknown'] = (out[r.code ?? 'unknown'] ?? 0) + 1;
  return out;
}

function byCode(results: readonly RecordResult[], outcome: 'failed' | 'skipped'): Record<string, RecordResult[]> {
  const out: Record<string, RecordResult[]> = {};
  for (const r of results) if (r.outcome === outcome) (out[r.code ?? 'unknown'] ??= []).push(r);
  return out;
}

/**
 * The report of a run from the run history (`syncmodes runs show <id> --report …`): the
 * same shape as a run's own report, with the counts of every outcome but, as records, only
 * the sample of failed and skipped ones the history keeps (the first of each code). A run still `running` or that `failed`
 * with an error is reported as `stopped` with its reason.
 */
export function reportOfRun(run: RunRecord): SyncReport {
  const status = run.status === 'running' || run.status === 'failed' ? 'stopped' : run.status;
  const reason = run.reason ?? (run.status === 'running' ? { code: 'running', message: 'The run has not finished yet.' } : undefined);
  return {
    destination: run.destination,
    mode: run.mode,
    dryRun: run.dryRun,
    status,
    ...(reason ? { reason } : {}),
    syncId: run.syncId,
    source: run.source,
    startedAt: new Date(run.startedAt).toISOString(),
    durationMs: run.finishedAt === undefined ? 0 : run.finishedAt - run.startedAt,
    counts: run.counts,
    actions: run.actions,
    calls: run.calls,
    requests: run.requests,
    notices: run.notices,
    retries: run.retries,
    rateLimited: run.rateLimited,
    codes: run.codes ?? { failed: tally(run.problems, 'failed'), skipped: tally(run.problems, 'skipped') },
    examples: { failed: byCode(run.problems, 'failed'), skipped: byCode(run.problems, 'skipped') },
    rows: { input: Object.values(run.counts).reduce((a, b) => a + b, 0) - run.counts.deleted, departed: run.counts.deleted },
    records: [...run.problems].sort((a, b) => (a.row ?? Number.MAX_SAFE_INTEGER) - (b.row ?? Number.MAX_SAFE_INTEGER)),
  };
}
