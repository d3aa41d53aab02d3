import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SqliteStateStore, SyncError } from '@syncmodes/connector-kit';
import { UsageError } from '../registry/exit-codes';

/** The state file's name inside the state directory. */
export const STATE_FILE = 'state.sqlite';

/** Codes of a state store that cannot be used. `state_unreadable`: exit 2; `state_unwritable`: exit 3. */
export const STATE_CODES = ['state_unreadable', 'state_unwritable'] as const;

const UNREADABLE = /^(SQLITE_NOTADB|SQLITE_CORRUPT|ENOTDIR|EISDIR|EEXIST)/;
const UNWRITABLE = /^(SQLITE_READONLY|SQLITE_CANTOPEN|SQLITE_FULL|SQLITE_IOERR|SQLITE_PERM|EACCES|EPERM|EROFS|ENOSPC)/;
const RESET_HINT = 'Nothing was sent. Restore it from a backup, or run with --reset-state to move it aside and start over (the syncs in it then own nothing, so sync mode deletes nothing they created before).';

function unreadable(message: string): SyncError {
  return new SyncError('state_unreadable', `${message} ${RESET_HINT}`);
}

function unwritable(message: string): SyncError {
  return new SyncError('state_unwritable', `${message} Nothing more was sent. Make it writable (permissions, free space), then run again: what was sent is in the state up to the last acknowledged batch.`);
}

/**
 * A `SyncError` (`state_unreadable` / `state_unwritable`) for a raw error thrown while
 * opening or using the SQLite state at `path` (better-sqlite3's `SQLITE_*` codes, file
 * system errors), or `undefined` when the error is not about the state store. A `SyncError`
 * is returned unchanged when it already has one of these codes.
 */
export function stateError(error: unknown, path: string): SyncError | undefined {
  if (error instanceof SyncError) return (STATE_CODES as readonly string[]).includes(error.code) ? error : undefined;
  const code = typeof error === 'object' && error !== null ? String((error as { code?: unknown }).code ?? '') : '';
  const detail = error instanceof Error ? error.message : String(error);
  if (UNREADABLE.test(code)) return unreadable(`The state file "${path}" is not a syncmodes state store (${detail}).`);
  if (UNWRITABLE.test(code)) return unwritable(`The state in "${path}" cannot be written (${detail}).`);
  return undefined;
}

/**
 * A `--state-dir` that is a file: refused, and never moved (not even by `--reset-state`): it
 * may be a source file given by mistake, or the state file itself given instead of its folder.
 */
export function stateDirIsFile(stateDir: string, nothing = 'Nothing was sent.'): SyncError {
  const own = basename(stateDir) === STATE_FILE ? ` If it is the state file, give its folder: --state-dir "${dirname(stateDir)}".` : '';
  return new SyncError('state_unreadable', `--state-dir "${stateDir}" is a file, not a folder. ${nothing} Give --state-dir the folder that holds the state (${STATE_FILE}); --reset-state does not move this file.${own}`);
}

/** The file in the way when `stateDir` lies under a regular file (`people.csv/state`), else undefined. */
function fileAbove(stateDir: string): string | undefined {
  let dir = dirname(stateDir);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return existsSync(dir) && !statSync(dir).isDirectory() ? dir : undefined;
}

/**
 * Refuses a `--state-dir` under a regular file: no folder can be made there, so neither a
 * new state nor `--reset-state` could help; another `--state-dir` is the way out.
 *
 * @param nothing - what did not happen (`Nothing was sent.`, `Nothing was checked.`).
 * @throws {@link UsageError} `invalid_arguments` (exit 2) naming the file in the way.
 */
export function checkStateDir(stateDir: string, nothing = 'Nothing was sent.'): void {
  const file = fileAbove(stateDir);
  if (file === undefined) return;
  throw new UsageError(
    `--state-dir "${stateDir}" cannot hold the state: "${file}" is a file, not a folder, so no folder can be made there. ${nothing} Give --state-dir a folder, or a path where one can be created (the one your syncs use).`,
    'invalid_arguments',
  );
}

/**
 * Opens the SQLite state in `stateDir` (`<stateDir>/state.sqlite`), refusing what is not
 * a usable store instead of starting over silently: a `--state-dir` that is a file (or, to
 * create one, lies under a file: {@link checkStateDir}), a state path that is a folder, an empty (0-byte) or non-SQLite file. With `create: false`
 * a missing file gives `undefined` (nothing is created). With `readOnly`, a state that cannot be
 * opened for writing (a read-only file or folder) is read from a copy in memory
 * (`SqliteStateStoreOptions.readOnlyCopy`): only for commands that never write.
 *
 * @throws {@link SyncError} `state_unreadable` or `state_unwritable` (see {@link stateError});
 *   {@link UsageError} `invalid_arguments` for a `--state-dir` under a file.
 */
export function openState(stateDir: string, options: { readonly create: boolean; readonly readOnly?: boolean }): SqliteStateStore | undefined {
  if (options.create) checkStateDir(stateDir);
  if (existsSync(stateDir) && !statSync(stateDir).isDirectory()) throw stateDirIsFile(stateDir);
  const path = join(stateDir, STATE_FILE);
  if (existsSync(path)) {
    const stat = statSync(path);
    if (stat.isDirectory()) throw unreadable(`The state file "${path}" is a folder.`);
    if (stat.size === 0) throw unreadable(`The state file "${path}" is empty (0 bytes): it is not a state store, and treating it as new would lose what the syncs own.`);
  } else if (!options.create) {
    return undefined;
  }
  try {
    return new SqliteStateStore(path);
  } catch (error) {
    const failed = stateError(error, path) ?? error;
    if (!options.readOnly || !(failed instanceof SyncError) || failed.code !== 'state_unwritable') throw failed;
  }
  // Only to read (listing syncs and runs) a state that cannot be written: its copy (trial 19b F9).
  try {
    return new SqliteStateStore(path, { readOnlyCopy: true });
  } catch (error) {
    throw stateError(error, path) ?? error;
  }
}
