import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { redactText, type RecordResult, type SyncReport } from '@syncmodes/connector-kit';
import { reportWriteError } from './report-path';
import { escapeJsonControl } from './safe-text';

/** The JSON report file (`--report report.json` / `-`): the report with every record's result. */
export type JsonReportFile = SyncReport & {
  readonly records: readonly RecordResult[];
  /** `false` when the run ended in an error before its report (then only `records` is present). */
  readonly complete?: false | undefined;
};

/** Bytes gathered before a write to the file. */
const CHUNK = 64 * 1024;

/**
 * The JSON report, written as the run goes: each result is appended to `records` as soon as
 * it is decided (nothing per record is held in memory), and the run's totals close the
 * object at the end. Same shape as before (`records` first, then the report's fields);
 * records come in the order they were decided, each with its `row`. Scrubbed of the run's
 * secret values, with DEL and C1 controls escaped.
 */
export class JsonReportStream {
  private buffer = '';
  private count = 0;
  private fd: number | undefined;
  private finished = false;
  /** The file being written; renamed over the report only when closed, so a hard exit (a second Ctrl-C) never destroys an earlier report. */
  private partial: string | undefined;
  private readonly removePartial = (): void => {
    if (this.partial) rmSync(this.partial, { force: true });
  };

  /** @param target - a file path, or a stream (stdout for `--report -`). */
  constructor(
    private readonly target: string | NodeJS.WritableStream,
    private readonly secrets: readonly string[],
  ) {
    if (typeof target === 'string') {
      try {
        mkdirSync(dirname(target), { recursive: true });
        this.partial = `${target}.partial-${process.pid}`;
        this.fd = openSync(this.partial, 'w', 0o600);
      } catch (error) {
        throw reportWriteError(error, target, 'before');
      }
      process.once('exit', this.removePartial);
    }
    this.buffer = '{\n  "records": [';
  }

  private flush(force = false): void {
    if (!force && this.buffer.length < CHUNK) return;
    const text = redactText(this.buffer, this.secrets);
    this.buffer = '';
    if (this.fd !== undefined) writeSync(this.fd, text);
    else (this.target as NodeJS.WritableStream).write(text);
  }

  /** Appends one record's result. */
  readonly write = (result: RecordResult): void => {
    this.buffer += `${this.count++ === 0 ? '\n' : ',\n'}    ${escapeJsonControl(JSON.stringify(result))}`;
    this.flush();
  };

  /** Closes `records` with the report's fields (its own `records`, if any, are not written again) and the file. */
  finish(report: SyncReport): void {
    const { records: _records, ...rest } = report;
    const fields = escapeJsonControl(JSON.stringify(rest, null, 2)).slice(1);
    this.buffer += `${this.count > 0 ? '\n  ' : ''}],${fields}\n`;
    this.finished = true;
    this.flush(true);
    this.close();
  }

  /**
   * Closes the file. A run that ended in an error instead of a report leaves valid JSON: the
   * results decided so far and `"complete": false` (the error itself is on stderr).
   *
   * @throws `UsageError` `report_unwritable` when the file cannot be put in place (after the run).
   */
  close(): void {
    if (!this.finished) {
      this.buffer += `${this.count > 0 ? '\n  ' : ''}],\n  "complete": false\n}\n`;
      this.finished = true;
      this.flush(true);
    }
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    if (this.partial && typeof this.target === 'string') {
      const partial = this.partial;
      this.partial = undefined;
      process.removeListener('exit', this.removePartial);
      try {
        renameSync(partial, this.target);
      } catch (error) {
        // E.g. the path became a folder meanwhile: the half-named copy goes, and the caller says the report was not written.
        rmSync(partial, { force: true });
        throw reportWriteError(error, this.target, 'after');
      }
    }
  }
}
