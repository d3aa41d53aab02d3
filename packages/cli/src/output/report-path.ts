import { accessSync, closeSync, constants, existsSync, lstatSync, openSync, realpathSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../registry/exit-codes';

/** The code of a report that cannot be written (`--report`). */
export const REPORT_UNWRITABLE = 'report_unwritable';

/** The (file-system-like) code of a report to a named pipe given up on an interrupt while its reader had not read it all. */
export const REPORT_GIVEN_UP = 'EREPORTGIVENUP';

const code = (error: unknown) => (typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined);

/** Why a file-system error stops a file from being written, in words. */
function why(error: unknown): string {
  switch (code(error)) {
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOTDIR':
      return 'a part of its path is a file, not a folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full';
    case 'EFBIG':
      return 'the file would be larger than this process may write (a file size limit)';
    case 'ENXIO':
      return 'no process reads it (a named pipe nobody reads, or a socket)';
    case 'EPIPE':
      return 'the process reading it closed it before the end';
    case REPORT_GIVEN_UP:
      return 'interrupted (Ctrl-C or SIGTERM) while the process reading it had not read all of it, so the report was given up (what it read is incomplete)';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** Where a report path leads: the file to write, and whether it is written in place (not through a copy renamed over it). */
export interface ReportTarget {
  readonly path: string;
  /** A device (`/dev/null`), a named pipe, a socket, or a link that leads nowhere yet: written directly, never renamed over (a folder is not: writing it fails as it should). */
  readonly direct: boolean;
}

/**
 * Where `--report <path>` writes: a symbolic link is followed to the file it names (the link
 * itself stays); a regular file, or a path where nothing is yet, is replaced whole; anything
 * else that is there (a device, a named pipe) is written in place.
 */
export function reportTarget(path: string): ReportTarget {
  let found;
  try {
    found = lstatSync(path, { throwIfNoEntry: false });
  } catch (error) {
    // Under a file (ENOTDIR): nothing is there; making the folders fails, and says why.
    if (code(error) === 'ENOTDIR') return { path, direct: false };
    throw error;
  }
  if (!found) return { path, direct: false };
  let real = path;
  if (found.isSymbolicLink()) {
    try {
      real = realpathSync(path);
    } catch (error) {
      // A link to nothing yet: writing through it creates what it names.
      if (code(error) === 'ENOENT') return { path, direct: true };
      throw error;
    }
  }
  const stat = statSync(real, { throwIfNoEntry: false });
  return { path: real, direct: stat !== undefined && !stat.isFile() && !stat.isDirectory() };
}

const FIX = 'Give --report a file path in a folder you can write to (missing folders are created).';
/** For a named pipe whose reader stopped reading, or never read to the end. */
const PIPE_FIX = 'Read the pipe to the end while the run writes it, or give --report a file path.';

/**
 * The error for a report that could not be written to `path` (`report_unwritable`, exit 2).
 * `before`: nothing was sent yet; `after`: the run ended first (completed or stopped), and the message points at its summary.
 */
export function reportWriteError(error: unknown, path: string, when?: 'before' | 'after'): UsageError {
  const outcome = when === 'before' ? ' Nothing was sent.' : when === 'after' ? ' The run itself ended first: its summary says what was sent (and recorded) and how the run ended.' : '';
  const fix = code(error) === 'EPIPE' || code(error) === REPORT_GIVEN_UP ? PIPE_FIX : FIX;
  return new UsageError(`Cannot write the report to "${path}": ${why(error)}.${outcome} ${fix}`, REPORT_UNWRITABLE);
}

/**
 * What stops a report from being written to `path`, checked without writing it: a folder, a
 * parent that is a file, a folder this process cannot write in; for a device or a named
 * pipe (written in place, see `reportTarget`), no write permission.
 */
function problem(path: string): string | undefined {
  let found: ReportTarget;
  try {
    found = reportTarget(path);
  } catch (error) {
    return why(error);
  }
  const target = resolve(found.path);
  if (existsSync(target) && statSync(target).isDirectory()) return `it is a folder (a file inside it, e.g. --report ${join(path, 'report.json')}, would do)`;
  if (found.direct) {
    try {
      accessSync(existsSync(target) ? target : dirname(target), constants.W_OK);
      return undefined;
    } catch (error) {
      return `it cannot be written (${why(error)})`;
    }
  }
  // The nearest folder that exists: the report (and any missing folders on its way) are created in it.
  let dir = dirname(target);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) return `"${dir}" is a file, not a folder`;
  const probe = join(dir, `.syncmodes-report-check-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (error) {
    return `nothing can be written in "${dir}" (${why(error)})`;
  }
  rmSync(probe, { force: true });
  return undefined;
}

/**
 * Checks, before anything is opened or sent, that the report file can be written at `path`
 * (a file path: not `-`): not a folder, under folders (and a file system) this process can
 * write in. Missing folders on the way are fine: they are created when the report is written.
 *
 * @throws {@link UsageError} `report_unwritable` (exit 2), saying what is wrong and that nothing was sent.
 */
export function checkReportPath(path: string): void {
  const found = problem(path);
  if (found) throw new UsageError(`Cannot write the report to "${path}": ${found}. Nothing was sent. ${FIX}`, REPORT_UNWRITABLE);
}
