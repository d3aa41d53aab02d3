import type { RecordSnapshot } from '../../records/types';
import type { StateEntry } from '../../state/state-store';
import type { RecordEvent } from '../ledger/events';
import type { RecordLedger } from '../ledger/record-ledger';
import type { RecordRunContext } from '../run/run-context';
import { whyNotRenumbered } from './value-carriers';

/**
 * Refuses (`identity_unclear`) each open new id (no state) whose lookup found a destination
 * record this sync wrote for a record that left the source in an earlier run and was kept
 * there (`departed`: the mode or the delete policy never deletes it), while the row has
 * other values than that record's (`differingValues`). Someone new given that person's key,
 * or that person under a new id with values changed: unsure. In the run the record left,
 * the same row is refused by the rules on records leaving (`refuseValueCarriers`); one run
 * later it wrote the new person onto the kept record (first trial of stop 31: a leaver
 * kept by additive mode, then a new id with her Email and another name rewrote her Contact).
 * A row with none of her values changed is that person under a new id, and takes it over.
 */
export async function refuseEarlierLeavers(ctx: RecordRunContext, ledger: RecordLedger): Promise<void> {
  const taking = ledger.open().filter((r) => r.next !== null && r.entry === undefined && r.found !== undefined && !r.found.presumed);
  if (taking.length === 0) return;
  const kept = new Map<string, StateEntry>();
  for (const e of await ctx.state.findByDestinationIds(ctx.syncId, [...new Set(taking.map((r) => r.found?.id as string))])) {
    if (e.departed && e.destinationId !== null && !ctx.source.inSource(e.recordId)) kept.set(e.destinationId, e);
  }
  if (kept.size === 0) return;
  const keyOf = (s: RecordSnapshot) => ctx.destination.matchKey(s, ctx.config);
  const events: RecordEvent[] = [];
  for (const r of taking) {
    const leaver = kept.get(r.found?.id as string);
    const why = leaver ? whyNotRenumbered(r.next as RecordSnapshot, leaver.snapshot, keyOf, { next: r.recordId, other: leaver.recordId }) : undefined;
    if (!leaver || why === undefined) continue;
    const message =
      `It found ${ctx.destinationName} record ${leaver.destinationId}, which this sync wrote for record "${leaver.recordId}", which left the source in an earlier run and was kept there, but it has ${why.startsWith('another') ? `${why} than that record` : why.startsWith('without') ? `not that record's ${why.slice('without its '.length)}` : why.startsWith('with a new') ? `a ${why.slice('with a new '.length)} that record did not have` : 'none of its other values'}: ` +
      `someone new given that person's ${ctx.matchKeyLabel}, or that person under a new id with values changed. Nothing was written. ` +
      `If it is that person, send the new id with that record's values first and the changed values in a later run (or give the row the id "${leaver.recordId}" back); if someone new has this ${ctx.matchKeyLabel}, that ${ctx.destinationName} record is still the other person's: change, merge or delete it there.`;
    events.push({ type: 'settled', ref: r.ref, result: { outcome: 'failed', code: 'identity_unclear', message, retryable: false, destinationId: leaver.destinationId ?? undefined, action: 'fail' } });
  }
  ledger.report(events);
}
