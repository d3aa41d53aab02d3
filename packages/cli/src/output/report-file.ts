import { closeSync, constants, lstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { dirname } from 'node:path';
import { REPORT_GIVEN_UP, reportTarget, reportWriteError } from './report-path';

/** How long a report waits for a pipe's reader before saying so, ms. */
const SAY_WAITING_AFTER_MS = 1_000;

/**
 * A named pipe opened for writing without blocking: fails at once (ENXIO) when no process
 * reads it (a pipe nobody reads would hold the run forever), and is written as the reader
 * takes it, never blocking the process (what it has not taken yet waits in memory), so
 * Ctrl-C and SIGTERM are handled while a reader is slow or never reads.
 */
function openPipe(path: string): Socket {
  const fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  return new Socket({ fd, readable: false, writable: true });
}

/** What {@link ReportFile.close} does while a named pipe's reader has not read the whole report. */
export interface ReportWait {
  /** Aborting it gives the report up (`report_unwritable`, the reader gets an incomplete report); already aborted when the wait starts: given up at once. */
  readonly signal?: AbortSignal | undefined;
  /** Gives the report up when the reader has not read it all after this long, ms (a run already stopped by Ctrl-C or SIGTERM waits no longer than it waited for calls in flight). Default: no limit. */
  readonly giveUpAfterMs?: number | undefined;
  /** Called once when the wait has lasted a second, to say so. */
  readonly onSlowReader?: ((path: string) => void) | undefined;
}

/**
 * A report file being written. A regular file is written to `<file>.partial-<pid>` beside it
 * and renamed over it only once complete, so a run that ends half-way (a second Ctrl-C, a
 * full disk) never leaves a truncated report nor destroys an earlier one; a device or a
 * named pipe is written in place (renaming over `/dev/null` would replace the device). A
 * named pipe is written without blocking (see {@link openPipe}); closing waits for its
 * reader. The first write that fails (`ENOSPC` on a full disk or `/dev/full`, a reader
 * that closed the pipe) is kept, later writes are dropped, and {@link ReportFile.close}
 * reports it (and removes the partial copy).
 */
export class ReportFile {
  private fd: number | undefined;
  private pipe: Socket | undefined;
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
        if (lstatSync(target.path, { throwIfNoEntry: false })?.isFIFO()) {
          this.pipe = openPipe(target.path);
          this.pipe.on('error', (error) => (this.failure ??= error));
        } else {
          this.fd = openSync(target.path, 'w', 0o600);
        }
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
    if (this.failure !== undefined) return;
    if (this.pipe) {
      this.pipe.write(text);
      return;
    }
    if (this.fd === undefined) return;
    const bytes = Buffer.from(text);
    try {
      for (let at = 0; at < bytes.length; ) at += writeSync(this.fd, bytes, at);
    } catch (error) {
      this.failure = error;
    }
  }

  /**
   * Closes the file: a partial copy goes in place of the report, or is removed when a write
   * failed; a named pipe once its reader has read everything (see {@link ReportWait}).
   *
   * @throws `UsageError` `report_unwritable` when a write failed, the copy could not be put
   *   in place, or the report was given up while a pipe's reader had not read it.
   */
  async close(wait: ReportWait = {}): Promise<void> {
    if (this.pipe) return this.closePipe(this.pipe, wait);
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

  /** Ends the pipe once its reader has taken everything, or gives it up when `wait.signal` aborts meanwhile. */
  private async closePipe(pipe: Socket, wait: ReportWait): Promise<void> {
    this.pipe = undefined;
    const giveUp = wait.signal;
    await new Promise<void>((resolve) => {
      const slow = setTimeout(() => wait.onSlowReader?.(this.path), SAY_WAITING_AFTER_MS);
      const onAbort = () => {
        this.failure ??= Object.assign(new Error('the report was given up'), { code: REPORT_GIVEN_UP });
        pipe.destroy();
      };
      const limit = wait.giveUpAfterMs === undefined ? undefined : setTimeout(onAbort, wait.giveUpAfterMs);
      giveUp?.addEventListener('abort', onAbort, { once: true });
      const closed = () => {
        clearTimeout(slow);
        clearTimeout(limit);
        giveUp?.removeEventListener('abort', onAbort);
        resolve();
      };
      // Already closed when a write failed (the reader closed the pipe: EPIPE).
      if (pipe.closed) return closed();
      pipe.once('close', closed);
      if (this.failure === undefined) pipe.end();
      else pipe.destroy();
      if (giveUp?.aborted) onAbort();
    });
    if (this.failure !== undefined) throw reportWriteError(this.failure, this.path, this.when === 'before' ? 'after' : this.when);
  }
}
