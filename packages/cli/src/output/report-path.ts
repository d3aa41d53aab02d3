import { closeSync, existsSync, openSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../registry/exit-codes';

/** The code of a report that cannot be written (`--report`). */
export const REPORT_UNWRITABLE = 'report_unwritable';

/** Why a file-system error stops a file from being written, in words. */
function why(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? String((error as { code?: unknown }).code ?? '') : '';
  switch (code) {
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
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

const FIX = 'Give --report a file path in a folder you can write to (missing folders are created).';

/**
 * The error for a report that could not be written to `path` (`report_unwritable`, exit 2).
 * `before`: nothing was sent yet; `after`: the run went through first, and the message says so.
 */
export function reportWriteError(error: unknown, path: string, when?: 'before' | 'after'): UsageError {
  const outcome = when === 'before' ? ' Nothing was sent.' : when === 'after' ? ' The run itself went through: the summary says what was sent, and the state has it.' : '';
  return new UsageError(`Cannot write the report to "${path}": ${why(error)}.${outcome} ${FIX}`, REPORT_UNWRITABLE);
}

/** What stops a report from being written to `path`, checked without writing it: a folder, a parent that is a file, a folder this process cannot write in. */
function problem(path: string): string | undefined {
  const target = resolve(path);
  if (existsSync(target) && statSync(target).isDirectory()) return `it is a folder (a file inside it, e.g. --report ${join(path, 'report.json')}, would do)`;
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
