import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonReportFile } from '../src/output/report-stream';
import { cli, readReport } from './cli-helpers';

/** An id from the user's file that is markup: the page must show it as text, never run it. */
export const NASTY = `<img src=x onerror="window.__pwned=1">`;

/** The input file's name: markup too, shown as text in the page's header. */
export const SOURCE_NAME = 'people-<i>.csv';

const CSV = [
  'Customer Id,Email,Last Name',
  `A1,ada@example.com,Lovelace`,
  `"${NASTY.replace(/"/g, '""')}",evil@example.com,`,
  `C3,carl@example.com,`,
  `D4,dora@example.com,`,
  `E5,,Nobody`,
  `F6,fay@example.com,Fay`,
].join('\n');

/** The pages and JSON reports of the same runs, for the HTML report's tests. */
export interface ReportRuns {
  readonly dir: string;
  /** `report.html` of an additive run into the Salesforce emulator (some records fail). */
  readonly page: string;
  readonly json: JsonReportFile;
  /** `plan.html` of the same run with `--dry-run`. */
  readonly planPage: string;
  readonly planJson: JsonReportFile;
}

/**
 * Runs `syncmodes sync --to salesforce --emulator` on a small file with bad rows and
 * markup in ids and in the file name, four times (HTML and JSON report, real and dry run),
 * each with its own state, into `dir`. Every run exits 1 (some records fail).
 */
export async function writeReportRuns(dir: string): Promise<ReportRuns> {
  writeFileSync(join(dir, SOURCE_NAME), `${CSV}\n`);
  const sync = async (report: string, state: string, extra: string[] = []) => {
    const out = await cli(['sync', '--to', 'salesforce', '--emulator', '--mode', 'additive', '--from', join(dir, SOURCE_NAME), '--id', 'Customer Id', '--map', 'Email=Email', '--map', 'LastName=Last Name', '--report', join(dir, report), '--state-dir', join(dir, state), '--no-progress', ...extra]);
    if (out.code !== 1) throw new Error(`syncmodes sync (${report}) exited ${out.code}, expected 1 (some records fail)\n${out.stdout}\n${out.stderr}`);
  };
  await sync('report.html', 'a');
  await sync('report.json', 'b');
  await sync('plan.html', 'c', ['--dry-run']);
  await sync('plan.json', 'd', ['--dry-run']);
  return {
    dir,
    page: join(dir, 'report.html'),
    json: readReport(join(dir, 'report.json')),
    planPage: join(dir, 'plan.html'),
    planJson: readReport(join(dir, 'plan.json')),
  };
}

/** The order a dry run's plan lists records in: changes first, records left as they are last. */
export function planOrder(report: JsonReportFile): [string, string][] {
  const order = ['delete', 'create', 'update', 'groups', 'skip', 'fail', 'none'];
  const rank = (a: string | undefined) => (a === undefined ? order.length : order.indexOf(a));
  return [...report.records].sort((x, y) => rank(x.action) - rank(y.action)).map((r) => [r.id, r.action ?? '']);
}

/** Planned records per action, as a dry run's JSON report has them. */
export function plannedCounts(report: JsonReportFile): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of report.records) if (r.action) out[r.action] = (out[r.action] ?? 0) + 1;
  return out;
}
