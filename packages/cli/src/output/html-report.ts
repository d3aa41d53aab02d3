import { RECORD_OUTCOMES, type PlannedAction, type RecordResult, type SyncReport } from '@syncmodes/connector-kit';
import { SafeHtml, html } from './html';

/** Most example rows shown per failure or skip code. */
export const EXAMPLES_PER_CODE = 5;
/** Most planned records listed in a dry run's plan (the JSON report has them all). */
export const PLAN_ROWS = 500;

const fmt = (n: number) => n.toLocaleString('en-US');
const PLANNED: readonly PlannedAction[] = ['create', 'update', 'delete', 'groups', 'none', 'skip', 'fail'];

/** The page's own style sheet (a constant: inserted as is, never built from data). */
const STYLE = `
:root { color-scheme: light; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1100px; padding: 24px; color: #1f2328; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 8px; } h3 { font-size: 15px; margin: 20px 0 6px; }
.meta { color: var(--muted); margin: 0 0 16px; }
.banner { padding: 10px 14px; border-radius: 6px; margin: 12px 0; font-weight: 600; }
.banner.dry { background: #ddf4ff; } .banner.refused, .banner.stopped { background: #ffebe9; color: var(--bad); }
.counts { display: flex; flex-wrap: wrap; gap: 10px; list-style: none; padding: 0; margin: 0; }
.counts li { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 120px; }
.counts .count { display: block; font-size: 26px; font-weight: 700; font-variant-numeric: tabular-nums; }
.counts .label { color: var(--muted); }
.counts [data-outcome="failed"] .count { color: var(--bad); } .counts [data-outcome="created"] .count, .counts [data-outcome="updated"] .count { color: var(--ok); }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { text-align: left; border-bottom: 1px solid var(--line); padding: 5px 8px; vertical-align: top; overflow-wrap: anywhere; }
th { font-weight: 600; background: #f6f8fa; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; background: #f6f8fa; padding: 1px 4px; border-radius: 4px; }
.none { color: var(--muted); }
`;

function examplesTable(rows: readonly RecordResult[], withAction = false): SafeHtml {
  return html`<table>
<thead><tr><th class="num">row</th><th>id</th>${withAction ? html`<th>action</th>` : ''}<th>message</th></tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr><td class="num">${r.row ?? '—'}</td><td><code>${r.id}</code></td>${withAction ? html`<td>${r.action ?? ''}</td>` : ''}<td>${r.message ?? ''}</td></tr>`,
  )}</tbody>
</table>`;
}

function byCode(report: SyncReport, outcome: 'failed' | 'skipped'): SafeHtml {
  const codes = Object.entries(report.codes[outcome]).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const title = outcome === 'failed' ? 'Failures by code' : 'Skipped by code';
  if (codes.length === 0) return html`<section id="${outcome}"><h2>${title}</h2><p class="none">None.</p></section>`;
  return html`<section id="${outcome}"><h2>${title}</h2>${codes.map(([code, count]) => {
    const examples = (report.examples[outcome][code] ?? []).slice(0, EXAMPLES_PER_CODE);
    return html`<div class="code-group" data-code="${code}"><h3><code>${code}</code> · <span class="code-count">${fmt(count)}</span> ${count === 1 ? 'record' : 'records'}</h3>
${examplesTable(examples)}${count > examples.length ? html`<p class="none">${fmt(count - examples.length)} more in the JSON report.</p>` : ''}</div>`;
  })}</section>`;
}

function plan(report: SyncReport): SafeHtml {
  const counts = new Map<PlannedAction, number>();
  for (const [action, n] of Object.entries(report.actions) as [PlannedAction, number][]) if (n > 0) counts.set(action, n);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  // Changes first (deletes, then creates, updates, group changes, skips, failures); records
  // left as they are last. The report keeps the first records of each planned action.
  const order: readonly PlannedAction[] = ['delete', 'create', 'update', 'groups', 'skip', 'fail', 'none'];
  const rows = order.flatMap((a) => report.plan?.[a] ?? []).slice(0, PLAN_ROWS);
  return html`<section id="plan"><h2>The plan (dry run: nothing was sent)</h2>
<table class="plan-summary"><thead><tr><th>planned action</th><th class="num">records</th></tr></thead><tbody>${PLANNED.filter((a) => counts.has(a)).map(
    (a) => html`<tr data-action="${a}"><td>${a}</td><td class="num">${fmt(counts.get(a) ?? 0)}</td></tr>`,
  )}</tbody></table>
<h3>Records (changes first)</h3>${examplesTable(rows, true)}${total > rows.length ? html`<p class="none">${fmt(total - rows.length)} more (write them all with <code>--report plan.json</code>).</p>` : ''}</section>`;
}

/**
 * The run report as one self-contained HTML page (`--report report.html`): counts by
 * outcome, failures and skips grouped by code with example rows, the API calls, and for a
 * dry run the plan. No scripts, no external assets (a Content-Security-Policy forbids
 * loading any); every value from the data is escaped. The caller scrubs secrets.
 */
export function htmlReport(report: SyncReport, destinationName: string): string {
  const verb = (o: string) => (report.dryRun ? `would be ${o}` : o);
  const calls = Object.entries(report.calls).filter(([, n]) => n > 0);
  const requests = Object.values(report.requests).reduce((a, n) => a + n, 0);
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>syncmodes · ${destinationName} · ${report.mode} mode${report.dryRun ? ' · dry run' : ''}</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body data-status="${report.status}" data-dry-run="${String(report.dryRun)}">
<header>
<h1>${destinationName} · <code>${report.mode}</code> mode</h1>
<p class="meta">${fmt(report.rows.input + report.rows.departed)} records from <code>${report.source}</code> · started ${report.startedAt} · ${(report.durationMs / 1000).toFixed(1)} s · sync <code>${report.syncId}</code></p>
${report.dryRun ? html`<p class="banner dry">Dry run: every record was planned, nothing was sent.</p>` : ''}
${report.status !== 'completed' && report.reason ? html`<p class="banner ${report.status}">${report.status === 'refused' ? 'Refused' : 'Stopped'} (<code>${report.reason.code}</code>): ${report.reason.message}</p>` : ''}
</header>
<section id="counts"><h2>Records by outcome</h2>
<ul class="counts">${RECORD_OUTCOMES.map(
    (o) => html`<li data-outcome="${o}"><span class="count">${fmt(report.counts[o])}</span><span class="label">${verb(o)}</span></li>`,
  )}</ul>
<p class="meta">API calls: ${calls.length > 0 ? calls.map(([k, n], i) => html`${i > 0 ? ', ' : ''}${k} ${fmt(n)}`) : 'none'}${requests > 0 ? ` · HTTP requests ${fmt(requests)}` : ''}${report.retries ? ` · retries ${fmt(report.retries)}` : ''}${report.rateLimited ? ` · rate-limited ${fmt(report.rateLimited)}` : ''}</p>
</section>
${byCode(report, 'failed')}
${byCode(report, 'skipped')}
${report.dryRun ? plan(report) : ''}
<footer><p class="meta">Written by syncmodes. The JSON report (<code>--report report.json</code>) has one entry per record.</p></footer>
</body>
</html>
`;
  return page.value;
}
