import type { ItemResult } from '../../destination/verbs';
import { isRunStopping, NotFoundError, SyncError } from '../../errors/sync-error';
import { toSyncError } from '../../errors/to-sync-error';
import type { CallKind } from '../calls/caller';
import { chunk } from '../calls/chunk';
import { sendBatch, type SendBatchOptions } from '../calls/send-batch';
import type { RecordEvent } from '../ledger/events';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordLedger } from '../ledger/record-ledger';
import type { RecordRunContext } from '../run/run-context';

export type Ok = ItemResult & { ok: true };

/** How {@link sendKind} reports a kind of write. */
export interface KindOptions<P> extends SendBatchOptions<P> {
  /** Events for an acknowledged item. */
  readonly onOk: (record: RecordView, result: Ok) => RecordEvent[];
  /**
   * An item that failed (not `not_sent`): the events to report for it instead of its failure
   * (none, when the caller sends it again itself), or `undefined` to report the failure.
   */
  readonly onFailure?: ((record: RecordView, error: SyncError) => RecordEvent[] | undefined) | undefined;
  /** An item answered `NotFoundError` (the destination record is gone): the events to report for it now, or `undefined` to report the failure. */
  readonly onMissing?: ((record: RecordView) => RecordEvent[] | undefined) | undefined;
  /**
   * The records of a batch whose write-ahead marks are written when its call is made, not
   * before the window (creates): a run killed (`kill -9`) leaves marked, so owned, only what a
   * call may have carried (a fresh trial on #17: a whole window's creates were kept as owned,
   * and the next run could delete a record someone else had made with one's key). A mark
   * state cannot write stops the run before the call.
   */
  readonly markOnDispatch?: ((batch: readonly RecordView[]) => readonly RecordView[]) | undefined;
}

/** The event that fails a record whose write failed (`what`: the write, e.g. `Create`). */
export function failedEvent(record: RecordView, what: string, e: SyncError): RecordEvent {
  const result = { outcome: 'failed' as const, code: e.code, message: `${what} failed: ${e.message}`, retryable: e.retryable, destinationId: record.destinationId };
  return e.partlyApplied ? { type: 'settled', ref: record.ref, result, partlyApplied: true } : { type: 'settled', ref: record.ref, result };
}

/** Reports an item's answer as the ledger's events (a `not_sent` item stays open). */
function eventsOf<P>(what: string, record: RecordView, r: ItemResult | undefined, options: KindOptions<P>): RecordEvent[] {
  if (r?.ok) return options.onOk(record, r);
  const missing = r && r.error instanceof NotFoundError ? options.onMissing?.(record) : undefined;
  if (missing) return missing;
  if (!r || r.error.code === 'not_sent') return [];
  const e = r.error;
  const instead = options.onFailure?.(record, e);
  if (instead) return instead;
  return [failedEvent(record, what, e)];
}

/**
 * Sends `records` as calls of one kind, in batches of the write batch size (the caller
 * bounds how many run at once), reporting each batch to the ledger as it is acknowledged.
 * A batch is `dispatched` (and its marks written) when its call is made, not before: a write
 * the run stopped before making is not sent, and its mark is taken back.
 */
export async function sendKind<P>(
  ctx: RecordRunContext,
  ledger: RecordLedger,
  kind: CallKind,
  records: readonly RecordView[],
  toPayload: (record: RecordView) => P,
  send: (payload: readonly P[]) => Promise<ItemResult[]>,
  options: KindOptions<P>,
): Promise<void> {
  const what = kind.charAt(0).toUpperCase() + kind.slice(1).replace(/_/g, ' ');
  await Promise.all(
    chunk(records, ctx.limits.writeBatchSize).map(async (batch) => {
      let results: ItemResult[];
      let told = false;
      const dispatch = async (payload: readonly P[]) => {
        if (!told) {
          told = true;
          const marks = options.markOnDispatch?.(batch) ?? [];
          if (marks.length > 0 && !(await ledger.mark(marks))) throw ctx.writer.failed ?? new SyncError('state_unwritable', 'The write-ahead mark could not be written.');
          ledger.report(batch.map((r) => ({ type: 'dispatched', ref: r.ref })));
        }
        return send(payload);
      };
      try {
        results = await sendBatch(ctx.caller, kind, batch.map(toPayload), dispatch, options);
      } catch (thrown) {
        if (isRunStopping(toSyncError(thrown))) return; // unsent: reported as not_sent
        throw thrown;
      }
      await ledger.acknowledge(batch.flatMap((record, j) => eventsOf(what, record, results[j], options)));
    }),
  );
}
