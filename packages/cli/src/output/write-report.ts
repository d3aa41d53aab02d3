import { extname } from 'node:path';
import { redactText, type SyncReport } from '@syncmodes/connector-kit';
import { htmlReport } from './html-report';
import { ReportFile, type ReportWait } from './report-file';
import { escapeJsonControl } from './safe-text';

/** `--report -`: the JSON report goes to stdout. */
export const STDOUT = '-';

/** The report format a path asks for, by its extension: `.html` / `.htm` → HTML, anything else (and `-`) JSON. */
export function reportFormat(path: string): 'html' | 'json' {
  const ext = extname(path).toLowerCase();
  return ext === '.html' || ext === '.htm' ? 'html' : 'json';
}

/** JSON text for stdout or a file: pretty-printed, with DEL and C1 controls escaped (the same data; see `escapeJsonControl`). */
export function jsonText(value: unknown, indent?: number): string {
  return `${escapeJsonControl(JSON.stringify(value, null, indent))}\n`;
}

/**
 * Writes the report: a self-contained HTML page for `.html` / `.htm`, else pretty-printed
 * JSON; to `stdout` for `-`; either way scrubbed of the run's secret values. Missing
 * folders on the way are created; a file is written as {@link ReportFile} says (never
 * truncated by a failed write, a device or a pipe written in place).
 *
 * @param when - `after` when a run ended first (the error's message points at its summary).
 * @param wait - for a named pipe: see {@link ReportFile.close}.
 * @throws `UsageError` `report_unwritable` when the file cannot be written.
 */
export async function writeReport(path: string, report: SyncReport, secrets: readonly string[], destinationName = report.destination, stdout?: NodeJS.WritableStream, when?: 'after', wait?: ReportWait): Promise<void> {
  const text = reportFormat(path) === 'html' ? htmlReport(report, destinationName) : jsonText(report, 2);
  if (path === STDOUT) {
    if (!stdout) throw new Error('writeReport: no stdout given for "-"');
    stdout.write(redactText(text, secrets));
    return;
  }
  const file = new ReportFile(path, when);
  file.write(redactText(text, secrets));
  await file.close(wait);
}
