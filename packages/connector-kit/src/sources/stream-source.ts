import { createWriteStream, rmSync } from 'node:fs';
import { mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { byteLimitSetting } from '../config/byte-limit-setting';
import { InputError } from '../errors/sync-error';
import { removeLeftByDeadProcesses } from '../process-alive';
import { pipeline } from 'node:stream/promises';
import type { RecordSource, SourceItem } from '../records/types';

/** A source read from a stream (e.g. stdin), which must be removed from disk once the run is over. */
export interface StreamRecordSource extends RecordSource {
  /** Removes the spooled copy of the stream (safe to call more than once, or before the source was opened); a stream the source opened itself is closed. */
  dispose(): Promise<void>;
}

/** Options of {@link streamSource}. */
export interface StreamSpoolOptions {
  /** When aborted, a read still waiting for the stream ends at once with the signal's reason (Ctrl-C while a pipe has no writer). */
  readonly signal?: AbortSignal | undefined;
  /**
   * Most bytes a line may hold (none when undefined): a stream past it with no line break is
   * cut there, failing `unreadable_file` — a source of rows that never ends a line (`/dev/zero`,
   * a binary file piped in) was copied forever (second trial of stop 31).
   */
  readonly maxLineBytes?: number | undefined;
  /** Free space the copy leaves in the temporary folder, bytes; the copy fails `unreadable_file` before it would leave less. Default 1 GiB, or 5% of a file system smaller than 20 GiB. */
  readonly keepFreeBytes?: number | undefined;
  /** CSV: a line break inside a quoted value does not end the row that `maxLineBytes` bounds. */
  readonly csvQuotes?: boolean | undefined;
  /** For a JSON document: its first byte other than white space must open one (`[` or `{`); else the copy stops at once with `unreadable_file` (`/dev/zero` as JSON was copied forever: re-check of stop 31). */
  readonly jsonDocument?: boolean | undefined;
}

/** Free space a stream's copy always leaves in its temporary folder, bytes (1 GiB, or 5% of a smaller file system). */
const KEEP_FREE_BYTES = 1024 ** 3;
/**
 * The free space a stream's copy leaves by default in a file system of `totalBytes`: 1 GiB, or
 * 5% of the file system when that is less — a small container `/tmp` still takes a small
 * stream (re-check of stop 32: 200 bytes were refused in a 20 MB `/tmp`).
 */
export function defaultReserve(totalBytes: number): number {
  return Math.min(KEEP_FREE_BYTES, totalBytes * 0.05);
}

/** How a stream's copy folder is named in the temporary folder: `syncmodes-stream-<pid>-<random>`. */
const COPY_PREFIX = 'syncmodes-stream-';

/**
 * Removes the copies that processes killed before they could remove them left in `parent`
 * (`syncmodes-stream-<pid>-…` of a pid that no longer runs): each may hold a whole source,
 * personal data included (trial 20b N15: a `kill -9`-ed run's copy stayed, 5 GB).
 */
function removeStaleCopies(parent: string): void {
  removeLeftByDeadProcesses(parent, (name) => {
    const pid = name.startsWith(COPY_PREFIX) ? /^(\d+)-/.exec(name.slice(COPY_PREFIX.length))?.[1] : undefined;
    return pid === undefined ? undefined : Number(pid);
  });
}

/** Default of {@link maxStreamBytes}: 16 GiB. */
export const DEFAULT_MAX_STREAM_BYTES = 16 * 1024 ** 3;

/**
 * The most bytes a stream source (stdin, a pipe) is copied to the temporary folder:
 * `SYNCMODES_MAX_STREAM_BYTES` when set, else {@link DEFAULT_MAX_STREAM_BYTES}. Past it the
 * copy fails `unreadable_file`: an endless stream of valid rows took all but 1 GiB of a
 * shared disk, 42 GB there (trial 20b N3).
 *
 * @throws ConfigError (`invalid_config`) when the variable is set to anything but a whole
 *   number above 0 (`runSync` checks it before the run starts).
 */
export function maxStreamBytes(): number {
  return byteLimitSetting('SYNCMODES_MAX_STREAM_BYTES', DEFAULT_MAX_STREAM_BYTES);
}

/** Bytes in words: GB from 1 GB, MB from 1 MB, else bytes. */
function size(n: number): string {
  if (n < 1024 ** 2) return `${n.toLocaleString('en-US')} bytes`;
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GB` : `${(n / 1024 ** 2).toFixed(1)} MB`;
}

/** How often the copy checks that space, bytes copied (64 MiB). */
const FREE_CHECK_EVERY = 64 * 1024 ** 2;

/**
 * Fails the copy with `unreadable_file` past {@link maxStreamBytes}, or before it leaves less than `keepFree` bytes free in
 * `dir`'s file system (by default 1 GiB, or 5% of its size when that is less) (checked every {@link FREE_CHECK_EVERY} bytes): a stream that never
 * ends, in rows that all read well (`yes` of a valid row, an endless JSON array), filled the
 * disk (re-check of stop 32: 10 GB in 40 s). `statfs`: https://nodejs.org/api/fs.html#fspromisesstatfspath-options
 */
class FreeSpaceGuard extends Transform {
  private copied = 0;
  private nextCheck = 0;

  constructor(
    private readonly dir: () => string,
    private readonly name: string,
    private readonly keepFree: number | undefined,
  ) {
    super();
  }

  private readonly most = maxStreamBytes();

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.copied += chunk.length;
    if (this.copied > this.most) {
      return done(new InputError('unreadable_file', `${this.name}: more than ${size(this.most)} came in, the most a stream is copied (SYNCMODES_MAX_STREAM_BYTES); the copy stopped (a stream that never ends?). Give the source as a file path, or set SYNCMODES_MAX_STREAM_BYTES higher.`));
    }
    if (this.copied < this.nextCheck) return done(null, chunk);
    this.nextCheck = this.copied + FREE_CHECK_EVERY;
    statfs(this.dir()).then(
      (fs) => {
        const free = fs.bavail * fs.bsize;
        // A small folder (a container's /tmp) keeps 5% of its size instead: a small stream still fits (re-check of stop 32).
        if (free - chunk.length >= (this.keepFree ?? defaultReserve(fs.blocks * fs.bsize))) return done(null, chunk);
        done(new InputError('unreadable_file', `${this.name}: after ${size(this.copied)} copied, the temporary folder ${dirname(this.dir())} has ${size(free)} free; the copy stopped before it filled the disk (a stream that never ends?). Give the source as a file path, free space, or set TMPDIR to a folder with room.`));
      },
      () => done(null, chunk),
    );
  }
}

/** Fails the copy with `unreadable_file` unless the first byte other than white space (or a UTF-8 BOM) opens a JSON document. */
class JsonStartGuard extends Transform {
  private decided = false;

  constructor(private readonly name: string) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    for (let i = 0; !this.decided && i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0xef || b === 0xbb || b === 0xbf) continue;
      if (b !== 0x5b && b !== 0x7b) {
        done(new InputError('unreadable_file', `${this.name}: not a JSON document (it must start with [ or {), so it was not read.`));
        return;
      }
      this.decided = true;
    }
    done(null, chunk);
  }
}

/**
 * Passes bytes through while no row runs longer than `max` bytes (far more than a chunk); then
 * fails with `unreadable_file`. A row ends at a line break — for CSV (`quotes`), one outside a
 * quoted value: a quote opening a value (at its start) and never closed, followed by endless
 * lines (`yes` piped in), made the copy fill the disk (second trial of stop 32, high).
 */
class RowLengthGuard extends Transform {
  /** Bytes of the row still open at the end of the last chunk. */
  private open = 0;
  private inQuotes = false;
  /** Inside a quoted value, a quote was just seen: an escaped quote (`""`) or the value's end. */
  private quoteSeen = false;
  private fieldStart = true;

  constructor(
    private readonly max: number,
    private readonly name: string,
    private readonly quotes: boolean,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const longest = this.quotes ? this.scanQuoted(chunk) : this.scanLines(chunk);
    if (longest > this.max) {
      const what = this.inQuotes ? 'a quoted value is still not closed' : 'a line is still not ended';
      done(new InputError('unreadable_file', `${this.name}: ${what} after ${this.max.toLocaleString('en-US')} bytes, so the rest was not read (not a text file of rows, a quote never closed, or a value that never ends).`));
      return;
    }
    done(null, chunk);
  }

  /** Lines only: a line inside one chunk is shorter than the chunk, so only the line carried over can pass `max`. */
  private scanLines(chunk: Buffer): number {
    const first = chunk.indexOf(10);
    const carried = first < 0 ? this.open + chunk.length : this.open + first;
    this.open = first < 0 ? carried : chunk.length - chunk.lastIndexOf(10) - 1;
    return carried;
  }

  /** CSV rows: line breaks inside a quoted value do not end the row. Returns the longest row length seen. */
  private scanQuoted(chunk: Buffer): number {
    let longest = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      this.open++;
      if (this.inQuotes) {
        if (!this.quoteSeen) {
          if (b === QUOTE) this.quoteSeen = true;
          continue;
        }
        this.quoteSeen = false;
        if (b === QUOTE) continue;
        this.inQuotes = false;
      }
      if (b === 10) {
        longest = Math.max(longest, this.open);
        this.open = 0;
        this.fieldStart = true;
      } else if (b === QUOTE && this.fieldStart) {
        this.inQuotes = true;
        this.fieldStart = false;
      } else this.fieldStart = DELIMITERS.has(b) || (b === 13 && this.fieldStart);
    }
    return Math.max(longest, this.open);
  }
}

const QUOTE = 0x22;
/** Bytes that may separate CSV values (comma, semicolon, tab, pipe): a quote after one opens a quoted value. */
const DELIMITERS = new Set([0x2c, 0x3b, 0x09, 0x7c]);

/**
 * Why the copy of a stream failed: the temporary folder's own failures (full, read-only,
 * gone) name that folder and `TMPDIR` — reported as the state store's, a full `/tmp` blamed
 * `state.sqlite` on a disk with room to spare (second trial of stop 32); anything else as it is.
 */
function copyFailure(error: unknown, name: string, dir: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT' && code !== 'EROFS' && code !== 'EACCES' && code !== 'ENOENT' && code !== 'EIO') return error;
  const why = code === 'ENOSPC' || code === 'EDQUOT' ? 'it is full' : code === 'EROFS' || code === 'EACCES' ? 'it cannot be written' : code === 'ENOENT' ? 'it is gone' : 'the disk failed';
  return new InputError('unreadable_file', `${name} could not be copied to the temporary folder ${dirname(dir)} (${why}: ${code}); the run reads a stream from that copy. Free space there, or set TMPDIR to a folder with room.`);
}

/**
 * A {@link RecordSource} over a readable stream. The engine reads a source more than once (a
 * scan, then the sends; a run of several windows once more in between, `readGivers`), and a
 * stream can be read only once, so on the first `open()` the stream
 * is copied to a private temporary file (memory stays flat whatever its size) and every
 * read goes through `fromFile` on that copy. Call `dispose()` when the run is over.
 *
 * @param input - the stream, or a function opening it when the source is first read (a named pipe: nothing waits for a writer before then).
 * @param name - the name reports give the source (e.g. `stdin`).
 * @param fromFile - opens the spooled copy in the stream's format.
 */
export function streamSource(
  input: Readable | NodeJS.ReadableStream | (() => Readable),
  name: string,
  fromFile: (path: string) => RecordSource,
  options: StreamSpoolOptions = {},
): StreamRecordSource {
  let dir: string | undefined;
  let path = '';
  let spooled: Promise<RecordSource> | undefined;
  let opened: Readable | undefined;
  // A process that exits before dispose() (a second Ctrl-C) still removes the copy: it may hold personal data.
  const removeAtExit = (): void => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  const spool = async (): Promise<RecordSource> => {
    const parent = tmpdir();
    removeStaleCopies(parent);
    try {
      // The pid in the name: a later run removes the copy of a process killed before it could (trial 20b N15).
      dir = await mkdtemp(join(parent, `${COPY_PREFIX}${process.pid}-`));
    } catch (error) {
      throw copyFailure(error, name, join(parent, 'x'));
    }
    process.once('exit', removeAtExit);
    path = join(dir, 'source');
    options.signal?.throwIfAborted();
    const stream = typeof input === 'function' ? (opened = input()) : input;
    const guard = [
      ...(options.maxLineBytes === undefined ? [] : [new RowLengthGuard(options.maxLineBytes, name, options.csvQuotes === true)]),
      ...(options.jsonDocument ? [new JsonStartGuard(name)] : []),
      new FreeSpaceGuard(() => dir as string, name, options.keepFreeBytes),
    ];
    try {
      await pipeline([stream, ...guard, createWriteStream(path, { mode: 0o600 })], ...(options.signal ? [{ signal: options.signal }] : []));
    } catch (error) {
      throw copyFailure(error, name, dir as string);
    }
    return fromFile(path);
  };
  return {
    name,
    async *open(): AsyncGenerator<SourceItem> {
      spooled ??= spool();
      try {
        yield* (await spooled).open();
      } catch (error) {
        // Messages name the source as the user knows it, not the private copy.
        if (error instanceof Error && path !== '') error.message = error.message.split(path).join(name);
        throw error;
      }
    },
    async dispose() {
      opened?.destroy();
      process.removeListener('exit', removeAtExit);
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
