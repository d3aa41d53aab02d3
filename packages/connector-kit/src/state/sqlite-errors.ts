import { StateBusyError, StateStoreError } from '../errors/run-errors';
import { SyncError } from '../errors/sync-error';

const UNREADABLE = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_FORMAT', 'EISDIR', 'ENOTDIR']);
const UNWRITABLE_PREFIXES = ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_PERM'];
const BUSY_PREFIXES = ['SQLITE_BUSY', 'SQLITE_LOCKED'];
const UNWRITABLE_ERRNO = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT']);
/** What {@link sqliteStoreError} is told while the store opens its file (before anything is sent). */
export const OPENING = 'opening it';
/** What {@link sqliteStoreError} is told while a sync's state is forgotten (`syncmodes state forget`: no run). */
export const FORGETTING = 'forgetting the sync';

/**
 * Turns an error of better-sqlite3 or the file system into the store's typed error:
 * `state_unreadable` (not a state store, corrupted, a folder) or `state_unwritable`
 * (read-only, disk full, cannot open for writing; locked by another process past the
 * busy timeout: a `StateBusyError`). The message names the file and what to
 * do, never the database's content. A `SyncError` passes through.
 */
export function sqliteStoreError(error: unknown, path: string, doing: string): SyncError {
  if (error instanceof SyncError) return error;
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
  if (UNREADABLE.has(code)) {
    return new StateStoreError(
      'state_unreadable',
      `The state file ${path} is not a readable syncmodes state store (${code}) while ${doing}. Restore it from a backup, or start the sync over: move the file aside and open a new one (every record is then matched again; ownership is lost).`,
      { cause: error },
    );
  }
  if (BUSY_PREFIXES.some((p) => code.startsWith(p))) {
    return new StateBusyError(
      `Another process kept the state file ${path} locked (${code}) while ${doing}: another run using this state directory is writing to it, or was paused or stopped mid-write. Wait for it to finish (or end it), then run again.`,
      { cause: error },
    );
  }
  if (UNWRITABLE_ERRNO.has(code) || UNWRITABLE_PREFIXES.some((p) => code.startsWith(p))) {
    return new StateStoreError(
      'state_unwritable',
      `Cannot write the state file ${path} (${code}) while ${doing}: check free disk space and permissions (the file and its folder must be writable). ${doing === OPENING ? 'Nothing was sent or changed.' : doing === FORGETTING ? 'Nothing was forgotten.' : 'The run stopped; what was sent but not recorded is looked up again by the next run.'}`,
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StateStoreError('state_unwritable', `The state store ${path} failed while ${doing}: ${message}`, { cause: error });
}
