import { DeferredError, RetryableError, SyncError, isRunStopping, toSyncError, type ItemResult } from '@syncmodes/connector-kit';

/** What a part of a write call is: sObject Collections calls (answered per record) or a Bulk API 2.0 job. */
export type PartKind = 'collections' | 'job';

/** A failure the destination answered as a refusal (a readable 4xx): nothing of the part was written. */
function refused(error: SyncError): boolean {
  return error.status !== undefined && error.status >= 400 && error.status < 500 && error.code !== 'unexpected_response';
}

/**
 * The parts of one write verb call of a Bulk API run: the sObject Collections calls for the
 * records holding `#N/A` (see `sendBulk`), then the job for the rest. Until a part is answered,
 * a failure is thrown, as for any call: nothing of it is known to be written, and the kit
 * retries the call (for creates, it first looks up which records exist). Once a part was
 * answered, a later part's failure fails only that part's records, and the parts after it are
 * not sent: thrown, it made the kit send the answered records again, and an upsert then answered
 * `created: false` — records this sync created were reported updated and not owned (fresh helper
 * 66, finding 2: a 503 creating the job after the collections call).
 *
 * A failed part's records:
 * - a job (`runIngestJob` throws only when nothing of the job was written): the error, as
 *   retryable as it was (the kit sends them again);
 * - collections calls of creates whose failure is not a refusal (no answer, a 5xx, an unreadable
 *   answer): may have been written, so they are not sent again in this run (`DeferredError`: the
 *   next run looks them up first);
 * - other collections failures: the error, as retryable as it was.
 */
export class CallParts {
  private answered = false;
  private failure: SyncError | undefined;

  /** `results`: the call's results, filled in place by position; `creates`: the call creates records (insert or upsert). */
  constructor(
    private readonly results: ItemResult[],
    private readonly creates: boolean,
  ) {}

  /** Sends one part (`send` answers one result per position, in order) and records its results. @throws its failure while no part was answered, or a run-stopping one. */
  async send(kind: PartKind, positions: readonly number[], send: () => Promise<ItemResult[]>): Promise<void> {
    if (positions.length === 0) return;
    if (this.failure) {
      const error = new RetryableError('not_sent', `Not sent: an earlier part of this call failed (${this.failure.message}).`);
      for (const i of positions) this.results[i] = { ok: false, error };
      return;
    }
    let done: ItemResult[];
    try {
      done = await send();
    } catch (thrown) {
      const error = toSyncError(thrown);
      if (!this.answered || isRunStopping(error)) throw error;
      this.failure = error;
      const failed = this.failed(kind, error);
      for (const i of positions) this.results[i] = { ok: false, error: failed };
      return;
    }
    done.forEach((r, j) => (this.results[positions[j] as number] = r));
    this.answered = true;
  }

  private failed(kind: PartKind, error: SyncError): SyncError {
    if (kind === 'collections' && this.creates && !refused(error)) {
      return new DeferredError(error.code, `${error.message} It may have been written, so the next run looks the record up before creating it.`);
    }
    return new SyncError(error.code, error.message, {
      retryable: error.retryable,
      cause: error,
      ...(error.status === undefined ? {} : { status: error.status }),
      ...(error.vendorCode === undefined ? {} : { vendorCode: error.vendorCode }),
    });
  }
}
