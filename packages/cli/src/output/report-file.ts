import { closeSync, constants, lstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { reportTarget, reportWriteError } from './report-path';

/** Opens a named pipe for writing when a process reads it (else ENXIO, at once: a pipe nobody reads would hold the run forever). */
function openPipe(path: string): number {
  const probe = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  try {
    return openSync(path, constants.O_WRONLY);
  } finally {
    closeSync(probe);
  }
}

/**
 * A report file being written. A regular file is written to `<file>.partial-<pid>` beside it
 * and renamed over it only once complete, so a run that ends half-way (a second Ctrl-C, a
 * full disk) never leaves a truncated report nor destroys an earlier one; a device or a
 * named pipe is written in place (renaming over `/dev/null` would replace the device). The
 * first write that fails (`ENOSPC` on a full disk or `/dev/full`) is kept, later writes are
 * dropped, and {@link ReportFile.close} reports it (and removes the partial copy).
 */
export class ReportFile {
  private fd: number | undefined;
  private partial: string | undefined;
  private failure: unknown;
  private readonly removePartial = (): void => {
    if (this.partial) rmSync(this.partial, { force: true });
  };

  /**
   * @param when - `before`: nothing was sent yet (said if opening fails).
   * @throws `UsageError` `report_unwritable` when the file cannot be opened.
   */
  constructor(
    private readonly path: string,
    private readonly when?: 'before' | 'after',
  ) {
    try {
      const target = reportTarget(path);
      if (target.direct) {
        this.fd = lstatSync(target.path, { throwIfNoEntry: false })?.isFIFO() ? openPipe(target.path) : openSync(target.path, 'w', 0o600);
      } else {
        mkdirSync(dirname(target.path), { recursive: true });
        this.partial = `${target.path}.partial-${process.pid}`;
        this.fd = openSync(this.partial, 'w', 0o600);
        process.once('exit', this.removePartial);
      }
    } catch (error) {
      throw reportWriteError(error, path, when);
    }
  }

  /** Appends `text` (unless a write failed before). */
  write(text: string): void {
    if (this.fd === undefined || this.failure !== undefined) return;
    const bytes = Buffer.from(text);
    try {
      for (let at = 0; at < bytes.length; ) at += writeSync(this.fd, bytes, at);
    } catch (error) {
      this.failure = error;
    }
  }

  /**
   * Closes the file: a partial copy goes in place of the report, or is removed when a write failed.
   *
   * @throws `UsageError` `report_unwritable` when a write failed or the copy could not be put in place.
   */
  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch (error) {
      this.failure ??= error;
    }
    this.fd = undefined;
    const partial = this.partial;
    this.partial = undefined;
    process.removeListener('exit', this.removePartial);
    if (partial !== undefined && this.failure === undefined) {
      try {
        renameSync(partial, reportTarget(this.path).path);
      } catch (error) {
        // E.g. the path became a folder meanwhile.
        this.failure = error;
      }
    }
    if (partial !== undefined) rmSync(partial, { force: true });
    if (this.failure !== undefined) throw reportWriteError(this.failure, this.path, this.when === 'before' ? 'after' : this.when);
  }
}
