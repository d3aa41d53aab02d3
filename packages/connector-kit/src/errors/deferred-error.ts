import { SyncError, type SyncErrorOptions } from './sync-error';

/**
 * A refusal that will not clear up within this run but may on a later one (e.g. Facebook
 * refusing removals from a small audience). The kit does not retry it now; the record is
 * reported `skipped` with this code and stays pending in state for the next run. Blocks
 * nothing else.
 */
export class DeferredError extends SyncError {
  /** Not worth retrying within this run (see `retryNow`). */
  readonly deferred = true;

  constructor(code: string, message: string, options: Omit<SyncErrorOptions, 'retryable'> = {}) {
    super(code, message, { ...options, retryable: true });
  }
}
