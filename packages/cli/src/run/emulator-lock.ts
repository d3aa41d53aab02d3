import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type BetterSqlite3 from 'better-sqlite3';

/** How often a run waiting for another run's emulator data tries again, ms. */
const RETRY_MS = 200;

/** What {@link lockEmulatorData} does while another process holds the lock. */
export interface LockWait {
  /** Ends the wait: the lock is not taken, and the signal's reason is thrown. */
  readonly signal?: AbortSignal | undefined;
  /** Called once, when the lock is held by another process (to say that this one waits). */
  readonly onWait?: (() => void) | undefined;
}

const isBusy = (error: unknown) => typeof error === 'object' && error !== null && /^SQLITE_BUSY/.test(String((error as { code?: unknown }).code));

/**
 * Takes the lock at `path` (a small SQLite file, used only as a lock: an exclusive
 * transaction held open), waiting while another process holds it; resolves to the release.
 * The operating system drops the lock when its holder ends in any way (a crash, SIGKILL), so
 * a lock is never left behind. Another connection of this same process waits too.
 *
 * @throws the signal's reason when it aborts while waiting; the file system's or SQLite's
 *   error when the lock file cannot be made.
 */
export async function lockEmulatorData(path: string, wait: LockWait = {}): Promise<() => void> {
  mkdirSync(dirname(path), { recursive: true });
  // Loaded here, not with the CLI: only --emulator runs need it.
  const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  const db = new Database(path, { timeout: 0 });
  let told = false;
  try {
    for (;;) {
      try {
        db.exec('BEGIN EXCLUSIVE');
        return () => db.close(); // closing ends the transaction: the lock is free
      } catch (error) {
        if (!isBusy(error)) throw error;
      }
      // Only a wait is cut short: a free lock is taken even after an interrupt, so the run then stops as any run does (summary, report).
      wait.signal?.throwIfAborted();
      if (!told) {
        told = true;
        wait.onWait?.();
      }
      await sleep(RETRY_MS, undefined, { signal: wait.signal }).catch(() => undefined);
    }
  } catch (error) {
    db.close();
    throw error;
  }
}
