import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { StateStoreError } from '../errors/run-errors';
import { prepareSchema } from './sqlite-schema';

type DatabaseClass = typeof BetterSqlite3;

/**
 * How long a 0-byte state file may be another process creating it, ms: one this run did not
 * put in place itself (see {@link createStateFile}); where the file system cannot hard-link,
 * another run creates it in place, empty until SQLite writes its first page.
 */
const CREATING_MS = 2_000;

/** True when the 0-byte file at `path` gets content within `ms` (another process is creating it); blocks, polling every 50 ms. */
function filledWithin(path: string, ms: number): boolean {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; waited < ms; waited += 50) {
    Atomics.wait(pause, 0, 0, 50);
    if (!existsSync(path) || statSync(path).size > 0) return true;
  }
  return false;
}

/** Refuses a path that cannot be a state file before SQLite silently makes a new one of it. */
function checkPath(path: string, whole: boolean): void {
  if (!existsSync(path)) return;
  const stat = statSync(path);
  if (stat.isDirectory()) throw new StateStoreError('state_unreadable', `The state file ${path} is a folder; give the SqliteStateStore a file path.`);
  if (stat.size === 0 && (whole || !filledWithin(path, CREATING_MS))) {
    throw new StateStoreError(
      'state_unreadable',
      `The state file ${path} is empty (0 bytes), so the sync's state is lost, not new: refusing to treat it as a first run. Restore it from a backup, or start over explicitly: move the file aside and open a new one.`,
    );
  }
}

/** Reads a new state file back (an integrity check): @throws SQLite's error (SQLITE_CORRUPT…) when it is not whole. */
function verifyWhole(Database: DatabaseClass, file: string): void {
  const db = new Database(file, { fileMustExist: true });
  try {
    const result = db.pragma('quick_check', { simple: true });
    if (result !== 'ok') throw Object.assign(new Error(`quick_check: ${String(result)}`), { code: 'SQLITE_CORRUPT' });
  } finally {
    db.close();
  }
}

/**
 * Creates a new state file whole: built under a temporary name beside it (schema and WAL
 * mode written, closed), then hard-linked into place — a link never replaces a file, so when
 * two runs start together on a new state directory one link wins and the other opens the
 * winner's file, and nobody ever sees a half-created (0-byte) state file.
 *
 * @returns true when the file in place was put there whole (by this run's link, or another's);
 *   false when it was there before (another run may be creating it in place: fresh reviewer
 *   143, F4, a 0-byte file another run was filling was refused at once) or the file system
 *   cannot hard-link (the file is then created in place).
 */
function createStateFile(Database: DatabaseClass, path: string): boolean {
  if (existsSync(path)) return false;
  const temp = `${path}.creating-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    createPrivate(temp);
    const db = new Database(temp);
    try {
      db.pragma('journal_mode = WAL');
      prepareSchema(db, temp);
      // The schema into the file itself now: a checkpoint the disk cannot hold must fail here, not leave a file whose schema was only in its WAL.
      const [done] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
      if (!done || done.busy !== 0 || done.checkpointed !== done.log) throw Object.assign(new Error('the new state file could not be written whole'), { code: 'SQLITE_FULL' });
    } finally {
      db.close();
    }
    verifyWhole(Database, temp);
    linkSync(temp, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return true; // another run created it first: open theirs
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') return false;
    // The file this run was making is not whole (a full disk mid-write): it cannot be written, it is not a store someone else's state is in.
    if (typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB'))) {
      throw new StateStoreError('state_unwritable', `Cannot create the state file ${path} (the new file came out incomplete, ${code}): check free disk space. Nothing was sent.`, { cause: error });
    }
    throw error;
  } finally {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${temp}${suffix}`, { force: true });
  }
}

/**
 * Opens the SQLite state file at `path` (`:memory:` for tests): parent folders created, a new
 * file created whole ({@link createStateFile}), a folder or an empty file refused.
 *
 * @throws `StateStoreError` `state_unreadable` for a folder or a 0-byte file; file-system and
 *   SQLite errors as thrown (the store turns them into its typed errors).
 */
export function openStateFile(Database: DatabaseClass, path: string): BetterSqlite3.Database {
  if (path === ':memory:') return new Database(path);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const whole = createStateFile(Database, path);
  checkPath(path, whole);
  if (!whole && !existsSync(path)) createPrivate(path);
  return new Database(path);
}

/**
 * Creates an empty file only its owner may read or write (0600): a state file holds each
 * record's mapped values in clear (emails, phones: to tell what changed), and SQLite gives
 * its `-wal` and `-shm` files the database file's permissions. A new state folder is 0700.
 * Files made before are left as they are; one another run has just made is left to it.
 */
function createPrivate(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    // Another run created it first (a file system without hard links, two runs starting together): open theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * Opens an in-memory copy of the state file at `path`, read whole (SQLite's own read-only
 * mode needs to write a `-shm` file beside a WAL-mode database, so a state in a folder that
 * cannot be written could not even be listed: trial 19b F9). The copy is exact only when
 * every change is in the file itself: a `-wal` file beside it that is not empty holds
 * changes the copy would miss, so it is refused.
 *
 * @throws `StateStoreError` `state_unreadable` for a missing, empty or folder path, or one
 *   with an unmerged `-wal` file; file-system and SQLite errors as thrown.
 */
export function openCopy(Database: DatabaseClass, path: string): BetterSqlite3.Database {
  checkPath(path, true);
  if (!existsSync(path)) throw new StateStoreError('state_unreadable', `There is no state file ${path} to read.`);
  const wal = `${path}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0) {
    throw new StateStoreError(
      'state_unreadable',
      `The state file ${path} cannot be written, and its last changes are still in ${wal} (a run did not close it, or is running): they can be read only where the file can be written. Give this command write access to the folder, or copy the folder with both files and read the copy.`,
    );
  }
  const bytes = readFileSync(path);
  // Header bytes 18–19 say WAL (2), which an in-memory database cannot open: the copy is marked rollback-journal (1), its pages as they are (https://www.sqlite.org/fileformat.html#file_format_version_numbers).
  if (bytes.length >= 100 && bytes[18] === 2 && bytes[19] === 2) bytes[18] = bytes[19] = 1;
  return new Database(bytes);
}
