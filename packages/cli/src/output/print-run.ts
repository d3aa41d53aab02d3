import { redactText, type SyncReport } from '@syncmodes/connector-kit';
import { escapeControl } from './safe-text';
import { formatSummary } from './summary';
import { jsonText, STDOUT } from './write-report';

/** What the CLI prints about a run: the table (default), one JSON object (`--json`), or errors only (`--quiet`). */
export type OutputMode = 'table' | 'json' | 'quiet';

/** Where and how a run's outcome is printed. */
export interface PrintOptions {
  readonly output: OutputMode;
  /** `--report`: a path, or `-` for stdout. */
  readonly reportPath?: string | undefined;
  readonly destinationName: string;
  readonly syncName: string;
  readonly secrets: readonly string[];
  readonly exitCode: number;
  /** The report could not be written (`report_unwritable`): said after the summary, which then names no report file. */
  readonly reportError?: { readonly code: string; readonly message: string } | undefined;
}

/**
 * The `--json` summary: the report without its per-record entries, plus the exit code, the
 * sync's name and where the report went. One object; the shape of the report's fields is
 * the JSON report's.
 */
export function jsonSummary(report: SyncReport, options: Pick<PrintOptions, 'reportPath' | 'syncName' | 'exitCode' | 'reportError'>): Record<string, unknown> {
  const { records: _records, examples: _examples, plan: _plan, ...rest } = report;
  const failed = options.reportError ? { reportError: { code: options.reportError.code, message: options.reportError.message } } : {};
  return { exitCode: options.exitCode, syncName: options.syncName, ...rest, report: options.reportError ? null : (options.reportPath ?? null), ...failed };
}

/** One line per problem for `--quiet`: why the run was refused or stopped, and failed records by code. */
export function errorLines(report: SyncReport): string[] {
  const lines: string[] = [];
  if (report.status !== 'completed' && report.reason) lines.push(`error (${report.reason.code}): ${report.reason.message}`);
  const failed = Object.entries(report.codes.failed).sort((a, b) => b[1] - a[1]);
  if (failed.length > 0) lines.push(`error: ${report.counts.failed} record(s) failed: ${failed.map(([c, n]) => `${c} (${n})`).join(', ')}`);
  return lines;
}

/**
 * Prints the run's outcome (the report is written before). stdout carries exactly one thing: the
 * table, the `--json` summary, or the JSON report for `--report -` (the table then goes to
 * stderr). Everything printed is scrubbed of secrets; text for people has control
 * characters escaped.
 */
export function printRun(report: SyncReport, options: PrintOptions, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): void {
  const scrub = (text: string) => redactText(text, options.secrets);
  // A report that could not be written does not hide the summary (which then names no report file): it is said after it.
  const failed = options.reportError;
  const reportPath = failed ? undefined : options.reportPath;
  const stdoutTaken = options.reportPath === STDOUT;
  if (options.output === 'json') {
    io.stdout.write(scrub(jsonText(jsonSummary(report, options))));
  } else if (options.output === 'quiet') {
    for (const line of errorLines(report)) io.stderr.write(`${scrub(escapeControl(line))}\n`);
  } else {
    (stdoutTaken ? io.stderr : io.stdout).write(`${scrub(formatSummary(report, options.destinationName, reportPath))}\n`);
  }
  if (failed) io.stderr.write(`error (${failed.code}): ${scrub(escapeControl(failed.message))}\n`);
}
