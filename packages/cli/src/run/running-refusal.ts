import { hostname } from 'node:os';
import { SyncError, type SyncListing, type SyncRunningError } from '@syncmodes/connector-kit';
import { escapeControl } from '../output/safe-text';

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

/** The process of this machine a lease holder (`<host>:<pid>:<nonce>`, as the kit's runs name themselves) names, if any. */
function localPid(holder: string): number | undefined {
  const [host, pid] = holder.split(':');
  return host === hostname() && pid !== undefined && /^\d+$/.test(pid) ? Number(pid) : undefined;
}

/** True when `holder` names a process of this machine that no longer runs (it was killed): its lease is stale at once, as the kit's runs take it. */
export function holderIsGoneHere(holder: string): boolean {
  const pid = localPid(holder);
  return pid !== undefined && !isAlive(pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code !== 'ESRCH';
  }
}

/** A sync as commands name it: `"customers" (3f2a…, salesforce: 2 records, 2 owned)`. */
export function syncLabel(sync: SyncListing): string {
  return `${sync.name ? `"${escapeControl(sync.name)}" ` : ''}(${sync.syncId}, ${sync.destination}: ${sync.records} records, ${sync.owned} owned)`;
}

/** What a command refused for a running sync did not do, and why (see {@link runningRefusal}). */
export interface RefusedChange {
  /** After "is running, so": what was not done. */
  readonly notDone: string;
  /** What doing it now would do to the running run. */
  readonly risk: string;
  /** How to ask again. */
  readonly again: string;
  /** Once the lease of a killed run runs out: "<what> works from then on". */
  readonly what: string;
}

/** `syncmodes state forget`. */
export const FORGET: RefusedChange = {
  notDone: 'it was not forgotten',
  risk: 'Forgetting it now would let that run write its state back.',
  again: 'run `syncmodes state forget` again',
  what: 'forget',
};

/** `syncmodes sync --reset-state`. */
export const RESET: RefusedChange = {
  notDone: 'its state file was not moved aside (--reset-state)',
  risk: 'Moving the file now would let that run go on writing to it while the next run starts over in a new one: both would create the same records.',
  again: 'run with --reset-state again',
  what: '--reset-state',
};

/**
 * The refusal a command gives for a sync a run holds (`sync_running`, exit 3): which sync,
 * who holds its lease and since when (as the lease records them), and what to do — wait
 * for that run or stop it; a killed run's lease is taken over when it expires.
 *
 * @param label - the sync as the command names it (name, id, destination, counts).
 * @param change - what the command did not do (default: `state forget`'s).
 */
export function runningRefusal(label: string, error: SyncRunningError, change: RefusedChange = FORGET): SyncError {
  const holder = escapeControl(error.holder);
  const pid = localPid(error.holder);
  const here = pid === undefined ? '' : isAlive(pid) ? ` (process ${pid} on this machine)` : ` (process ${pid} on this machine, which no longer runs)`;
  const stop = pid === undefined ? 'stop it where it runs' : `stop it (Ctrl-C where it runs, or kill ${pid})`;
  return new SyncError(
    'sync_running',
    `Sync ${label} is running, so ${change.notDone}: a run holds its lease — holder ${holder}${here}, since ${utc(error.since)}. ` +
      `${change.risk} Wait for that run to finish, or ${stop}, then ${change.again}. ` +
      `If that run was killed, its lease runs out at ${utc(error.expiresAt)} (its time to live) and ${change.what} works from then on.`,
    { retryable: true },
  );
}
