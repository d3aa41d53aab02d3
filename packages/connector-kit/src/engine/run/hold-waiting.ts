import { setTimeout as sleep } from 'node:timers/promises';
import { RunStoppedError } from '../../errors/run-errors';
import type { SyncError } from '../../errors/sync-error';
import type { Logger } from '../../logging/logger';

/** How often a run waiting for another run (`RunSyncOptions.waitForOtherRunMs`) tries to take its leases again, ms. */
export const WAIT_RETRY_MS = 2_000;

/** The refusals a run may wait out: another run of its sync, or of another sync into its records. */
const WAITABLE = new Set(['sync_running', 'sync_overlap']);

/** A wait the run's signal ended (Ctrl-C, SIGTERM): the run stops `interrupted`, nothing sent (fresh reviewer 115, F2: it said refused, exit 130). */
function interruptedWaiting(busy: SyncError): RunStoppedError {
  return new RunStoppedError('interrupted', `Interrupted while it waited for another run to end (${busy.code}): nothing was sent; the next run starts from here.`, { retryable: true });
}

/**
 * Takes the run's leases (`hold`), waiting up to `waitMs` while another run holds them
 * (`sync_running`, `sync_overlap`), trying again every {@link WAIT_RETRY_MS}; says once, at
 * `warn`, what it waits for. Two cron jobs started the same minute: the second was refused
 * at once, exit 3 (fresh reviewer 112, F4).
 *
 * @returns undefined once held; the last refusal when the wait ran out or the refusal is of
 *   another kind; `interrupted` (a `RunStoppedError`) when `signal` aborted while it waited.
 */
export async function holdWaiting(hold: () => Promise<SyncError | undefined>, waitMs: number, logger: Logger, signal?: AbortSignal): Promise<SyncError | undefined> {
  const deadline = Date.now() + Math.max(0, waitMs);
  let said = false;
  for (;;) {
    const busy = await hold();
    const left = deadline - Date.now();
    if (!busy || !WAITABLE.has(busy.code) || left <= 0) return busy;
    if (said && signal?.aborted) return interruptedWaiting(busy);
    if (!said) logger.warn(`${busy.message} Waiting up to ${Math.ceil(left / 1000)} s for it to end.`, { code: busy.code });
    said = true;
    try {
      await sleep(Math.min(WAIT_RETRY_MS, left), undefined, signal ? { signal } : undefined);
    } catch {
      return interruptedWaiting(busy);
    }
  }
}
