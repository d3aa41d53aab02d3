import { RECORD_OUTCOMES, type SyncReport } from '@syncmodes/connector-kit';
import Table from 'cli-table3';
import { escapeControl as safe } from './safe-text';

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * The end-of-run summary: a table of outcomes, the calls made, destination fields created
 * (in a dry run: "would create data attribute zip (string): …"), why the run was refused or
 * stopped, the run's notices, and failures / skips grouped by code with a few example rows each. Values from
 * the data (ids, messages quoting values, the source's name) have their control characters
 * escaped (see `escapeControl`): the summary goes to a terminal. No colour.
 */
export function formatSummary(report: SyncReport, destinationName: string, reportPath?: string): string {
  const lines: string[] = [];
  const rows = report.rows.input;
  const departed = report.rows.departed;
  lines.push(
    `${safe(destinationName)} · ${report.mode} mode${report.dryRun ? ' · DRY RUN (nothing sent)' : ''} · ${fmt(rows)} input rows from ${report.source === '' ? 'a source never read (the run ended before it opened it)' : safe(report.source)}` +
      (departed > 0 ? ` · ${fmt(departed)} record(s) that left the source` : ''),
  );
  const table = new Table({ head: ['outcome', 'records'], style: { head: [], border: [] }, colAligns: ['left', 'right'] });
  const would: Record<string, string> = { created: 'would create', updated: 'would update', deleted: 'would delete', unchanged: 'would leave unchanged', skipped: 'would skip', failed: 'would fail' };
  for (const outcome of RECORD_OUTCOMES) table.push([report.dryRun ? (would[outcome] ?? outcome) : outcome, fmt(report.counts[outcome])]);
  lines.push(table.toString());
  const calls = Object.entries(report.calls)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${fmt(n)}`);
  // HTTP requests sent (a timed-out one too: it was attempted), retries and pages included.
  const requests = Object.values(report.requests).reduce((a, n) => a + n, 0);
  lines.push(
    `API calls: ${calls.length > 0 ? calls.join(', ') : 'none'}${requests > 0 ? ` · HTTP requests ${fmt(requests)}` : ''}${report.retries ? ` · retries ${fmt(report.retries)}` : ''}${
      report.rateLimited ? ` · rate-limited ${fmt(report.rateLimited)}` : ''
    } · ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  const created = (report.fields ?? []).filter((f) => f.action === 'create');
  if (created.length > 0) lines.push('');
  for (const f of created) lines.push(`${report.dryRun ? 'would create' : 'created'} ${f.kind ?? 'field'} ${f.name} (${f.type})${f.reason ? `: ${f.reason}` : ''}`);
  if (report.status !== 'completed' && report.reason) {
    lines.push('', `${report.status === 'refused' ? 'REFUSED' : 'STOPPED'} (${safe(report.reason.code)}): ${safe(report.reason.message)}`);
  }
  // What the run says about itself (a group recreated, values sent empty…): before, only in the JSON report and a log line.
  if (report.notices.length > 0) lines.push('', 'Notices:');
  for (const n of report.notices) lines.push(`  ${safe(n.code)}: ${safe(n.message)}`);
  for (const outcome of ['failed', 'skipped'] as const) {
    const codes = Object.entries(report.codes[outcome]).sort((a, b) => b[1] - a[1]);
    if (codes.length === 0) continue;
    lines.push('', `${outcome === 'failed' ? 'Failed' : 'Skipped'} by code:`);
    for (const [code, count] of codes) {
      lines.push(`  ${safe(code)} (${fmt(count)})`);
      const examples = (report.examples[outcome][code] ?? []).slice(0, 3);
      for (const r of examples) lines.push(`    ${r.row !== undefined ? `row ${r.row}, ` : ''}id ${safe(r.id)}: ${safe(r.message ?? '')}`);
    }
  }
  if (reportPath && reportPath !== '-') lines.push('', `Report: ${safe(reportPath)}`);
  return lines.join('\n');
}
