import type { RecordEvent } from '../ledger/events';
import type { RecordLedger } from '../ledger/record-ledger';
import type { RecordRunContext } from '../run/run-context';

/**
 * Refuses (`identity_unclear`) each open record whose row describes a record leaving the
 * source in this run (see `ValueCarriers`) rather than the person its match key says: a
 * record whose key changed, compared with its own last values; a new id with the key of a
 * departing record, compared with that record's (ids renumbered while emails were swapped:
 * fifth trial of stop 28). Nothing is looked up or written for it, and the departing records
 * are kept (`claimRecords`). Runs before any lookup.
 */
export async function refuseValueCarriers(ctx: RecordRunContext, ledger: RecordLedger): Promise<void> {
  if (!ctx.carriers.any) return;
  const keyOf = (s: Parameters<typeof ctx.destination.matchKey>[0]) => ctx.destination.matchKey(s, ctx.config);
  const events: RecordEvent[] = [];
  for (const r of ledger.open()) {
    if (r.next === null || r.entry?.notFound) continue;
    // Its own last values; for a new id taking a departing record's key, that record's (the person the key says it is).
    const own = r.entry === undefined ? (r.matchKey === undefined ? undefined : await ctx.carriers.departingWithKey(r.matchKey)) : r.previousMatchKey !== undefined ? r.entry : undefined;
    if (own === undefined) continue;
    const [departed, ...more] = await ctx.carriers.describedBy(r.recordId, r.next, own, keyOf);
    if (departed === undefined) continue;
    const other = departed.destinationId ?? 'none';
    events.push({
      type: 'settled',
      ref: r.ref,
      result: {
        outcome: 'failed',
        code: 'identity_unclear',
        message:
          (r.entry === undefined ? `It has the ${ctx.matchKeyLabel} of record "${own.recordId}", which left the source, but the other values of` : `Its ${ctx.matchKeyLabel} changed and its other values are now those of`) +
          ` record "${departed.recordId}" (${ctx.destinationName} record ${other})${more.length > 0 ? ` and ${more.length} other record(s)` : ''}, which left the source: ` +
          `this may be that person under a reused or renumbered id. Nothing was written for either, and ${other} is kept${more.length > 0 ? ' (so are the others)' : ''}. ` +
          `If it is that person, give the row the id "${departed.recordId}" back; if this record's values really all changed, send the new ${ctx.matchKeyLabel} and the other new values in two runs.`,
        retryable: false,
        destinationId: r.entry?.destinationId ?? undefined,
        action: 'fail',
      },
    });
  }
  ledger.report(events);
}
