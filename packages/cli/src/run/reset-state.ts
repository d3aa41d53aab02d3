import { existsSync, renameSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SqliteStateStore, SyncRunningError, type SyncLease } from '@syncmodes/connector-kit';
import { checkStateDir, STATE_FILE, stateDirIsFile } from './open-state';
import { holderIsGoneHere, RESET, runningRefusal, syncLabel } from './running-refusal';

/** How long the leases a reset takes last in the file it moves aside, ms (as a run's without a heartbeat). */
const RESET_LEASE_MS = 30_000;

/** `<path>.bad-<UTC timestamp>`, e.g. `state.sqlite.bad-20261104T143000Z`. */
export function asidePath(path: string, now = new Date()): string {
  return `${path}.bad-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}

/**
 * Takes the lease of every sync in the state file at `path`, as a run of each would (a lease
 * of a killed process of this machine is taken over), and keeps them: a run that opened the
 * file just before it is moved is then refused instead of writing to the moved file. A file
 * that cannot be read as a state store is held by no run: nothing to take.
 *
 * @throws `SyncError` `sync_running` (see {@link runningRefusal}) when a run holds one; the
 *   leases taken before are given back.
 */
async function holdEverySync(path: string): Promise<void> {
  let store: SqliteStateStore;
  try {
    store = new SqliteStateStore(path);
  } catch {
    return; // Not a state store (the reason to reset it): no run can be using it.
  }
  const taken: SyncLease[] = [];
  try {
    const holder = `${hostname()}:${process.pid}:reset`;
    for (const sync of await store.listSyncs()) {
      try {
        taken.push(await store.acquireLease(sync.syncId, { holder, ttlMs: RESET_LEASE_MS, isStale: (lease) => holderIsGoneHere(lease.holder) }));
      } catch (error) {
        for (const lease of taken) await store.releaseLease(lease);
        throw error instanceof SyncRunningError ? runningRefusal(syncLabel(sync), error, RESET) : error;
      }
    }
  } catch (error) {
    // A store that opens but cannot be read (a damaged file): no run can be using it either.
    if ((error as { code?: unknown }).code === 'state_unreadable') return;
    throw error;
  } finally {
    await store.close();
  }
}

/**
 * Moves the state aside for `--reset-state`: the state file (and its `-wal` / `-shm`
 * companions); a `--state-dir` that is a file is refused, never moved (second trial of stop
 * 26: it renamed a source file given as `--state-dir`). Takes the same per-sync lease
 * as `sync` first, for every sync in the file: a file a running sync holds is never moved.
 * Returns what was moved where.
 *
 * @throws `SyncError` `sync_running` (exit 3) when a run holds a sync of the file;
 *   `SyncError` `state_unreadable` (exit 2) for a `--state-dir` that is a file;
 *   `UsageError` `invalid_arguments` for a `--state-dir` under a file.
 */
export async function resetState(stateDir: string, now = new Date()): Promise<{ from: string; to: string } | undefined> {
  checkStateDir(stateDir);
  if (existsSync(stateDir) && !statSync(stateDir).isDirectory()) throw stateDirIsFile(stateDir);
  const target = join(stateDir, STATE_FILE);
  if (!existsSync(target)) return undefined;
  await holdEverySync(target);
  const to = asidePath(target, now);
  renameSync(target, to);
  for (const suffix of ['-wal', '-shm']) if (existsSync(target + suffix)) renameSync(target + suffix, to + suffix);
  return { from: target, to };
}
