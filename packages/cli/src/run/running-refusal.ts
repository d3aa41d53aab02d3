import { hostname } from 'node:os';
import { SyncError, type SyncRunningError } from '@syncmodes/connector-kit';
import { escapeControl } from '../output/safe-text';

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

/** The process of this machine a lease holder (`<host>:<pid>:<nonce>`, as the kit's runs name themselves) names, if any. */
function localPid(holder: string): number | undefined {
  const [host, pid] = holder.split(':');
  return host === hostname() && pid !== undefined && /^\d+$/.test(pid) ? Number(pid) : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code !== 'ESRCH';
  }
}

/**
 * The refusal `syncmodes state forget` gives for a sync a run holds (`sync_running`, exit 3):
 * which sync, who holds its lease and since when (as the lease records them), and what to
 * do — wait for that run or stop it; a killed run's lease is taken over when it expires.
 *
 * @param label - the sync as the command names it (name, id, destination, counts).
 */
export function runningRefusal(label: string, error: SyncRunningError): SyncError {
  const holder = escapeControl(error.holder);
  const pid = localPid(error.holder);
  const here = pid === undefined ? '' : isAlive(pid) ? ` (process ${pid} on this machine)` : ` (process ${pid} on this machine, which no longer runs)`;
  const stop = pid === undefined ? 'stop it where it runs' : `stop it (Ctrl-C where it runs, or kill ${pid})`;
  return new SyncError(
    'sync_running',
    `Sync ${label} is running, so it was not forgotten: a run holds its lease — holder ${holder}${here}, since ${utc(error.since)}. ` +
      `Forgetting it now would let that run write its state back. Wait for that run to finish, or ${stop}, then run \`syncmodes state forget\` again. ` +
      `If that run was killed, its lease runs out at ${utc(error.expiresAt)} (its time to live) and forget works from then on.`,
    { retryable: true },
  );
}
