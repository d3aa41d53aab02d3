import { redactText, type RecordResult, type SyncReport } from '@syncmodes/connector-kit';
import { ReportFile, type ReportWait } from './report-file';
import { escapeJsonControl } from './safe-text';

/** The JSON report file (`--report report.json` / `-`): the report with every record's result. */
export type JsonReportFile = SyncReport & {
  readonly records: readonly RecordResult[];
  /** `false` when the run ended in an error before its report (then only `records`, `status` and `error` are present). */
  readonly complete?: false | undefined;
};

/** Bytes gathered before a write to the file. */
const CHUNK = 64 * 1024;

/**
 * The JSON report, written as the run goes: each result is appended to `records` as soon as
 * it is decided (nothing per record is held in memory), and the run's totals close the
 * object at the end. Same shape as before (`records` first, then the report's fields);
 * records come in the order they were decided, each with its `row`. Scrubbed of the run's
 * secret values, with DEL and C1 controls escaped. A file is written as {@link ReportFile}
 * says (a copy put in place when complete, so a hard exit never destroys an earlier report;
 * a device or a pipe in place); a write that fails (a full disk) does not stop the run:
 * closing reports it.
 */
export class JsonReportStream {
  private buffer = '';
  private count = 0;
  private readonly file: ReportFile | undefined;
  private finished = false;
  /** Why the run ended before its report, when it did (see {@link JsonReportStream.fail}). */
  private failure: { readonly code: string; readonly message: string } | undefined;

  /** @param target - a file path, or a stream (stdout for `--report -`). */
  constructor(
    private readonly target: string | NodeJS.WritableStream,
    private readonly secrets: readonly string[],
  ) {
    if (typeof target === 'string') this.file = new ReportFile(target, 'before');
    this.buffer = '{\n  "records": [';
  }

  private flush(force = false): void {
    if (!force && this.buffer.length < CHUNK) return;
    const text = redactText(this.buffer, this.secrets);
    this.buffer = '';
    if (this.file) this.file.write(text);
    else (this.target as NodeJS.WritableStream).write(text);
  }

  /** Appends one record's result. */
  readonly write = (result: RecordResult): void => {
    this.buffer += `${this.count++ === 0 ? '\n' : ',\n'}    ${escapeJsonControl(JSON.stringify(result))}`;
    this.flush();
  };

  /** Closes `records` with the report's fields (its own `records`, if any, are not written again) and the file (`wait`: see {@link ReportFile.close}). */
  finish(report: SyncReport, wait?: ReportWait): Promise<void> {
    const { records: _records, ...rest } = report;
    const fields = escapeJsonControl(JSON.stringify(rest, null, 2)).slice(1);
    this.buffer += `${this.count > 0 ? '\n  ' : ''}],${fields}\n`;
    this.finished = true;
    this.flush(true);
    return this.close(wait);
  }

  /** Records why the run ended before its report (its code and message, as stderr says them), for {@link JsonReportStream.close}. */
  fail(error: unknown): void {
    const e = error as { code?: unknown; message?: unknown } | undefined;
    this.failure = { code: typeof e?.code === 'string' ? e.code : 'unexpected_error', message: typeof e?.message === 'string' ? e.message : String(error) };
  }

  /**
   * Closes the file. A run that ended in an error instead of a report leaves valid JSON: the
   * results decided so far, `"status": "error"` with the error's code and message (a source
   * changed during the read left a bare stub: second trial of stop 31), and `"complete": false`.
   *
   * @throws `UsageError` `report_unwritable` when the file could not be written or put in place (after the run).
   */
  async close(wait?: ReportWait): Promise<void> {
    if (!this.finished) {
      const failure = this.failure ? `\n  "status": "error",\n  "error": ${escapeJsonControl(JSON.stringify(this.failure))},` : '';
      this.buffer += `${this.count > 0 ? '\n  ' : ''}],${failure}\n  "complete": false\n}\n`;
      this.finished = true;
      this.flush(true);
    }
    await this.file?.close(wait);
  }
}
