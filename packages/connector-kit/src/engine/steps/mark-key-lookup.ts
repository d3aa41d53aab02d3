import type { LookupRequest } from '../../destination/verbs';
import type { ResultFields } from '../ledger/events';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordLedger } from '../ledger/record-ledger';
import { sentValues } from '../ledger/pending-before';
import type { RecordRunContext } from '../run/run-context';
import { findAll, isOwnRecord } from './find-all';

/**
 * Records not found by their key (or found only by their id, moved away: blocked), or found on
 * another record than the one the state names, whose write-ahead mark, which no run confirmed,
 * changed that key (the row went back to the key before it): the write may have gone out, so
 * the record this sync wrote may hold the mark's key. Looked up by it, the record the state
 * names is that record: written in place where the key found nothing — not a second one
 * created beside it, the first left untracked for good (fresh reviewer 134, P1) — and refused
 * where the key found another record (see {@link twoCandidates}).
 */
export async function lookupByMarkKeys(ctx: RecordRunContext, ledger: RecordLedger): Promise<void> {
  const requests: LookupRequest[] = [];
  const foundOther = new Set<number>();
  for (const r of ledger.open()) {
    const entry = r.entry;
    if (r.lookupFailure || r.next === null || entry?.pending !== true || entry.destinationId === null) continue;
    // A destination that reads the stored id when the key finds nothing answers the record moved away (blocked): Salesforce
    // (fresh reviewer 137, F1: match_field_changed on every run, although this sync had changed that key).
    const blockedOwn = r.found?.blocked !== undefined && r.found.id === entry.destinationId;
    const other = r.found !== undefined && !blockedOwn && !r.found.presumed && r.found.id !== entry.destinationId;
    if (r.found && !blockedOwn && !other) continue;
    const sent = ctx.destination.matchKey({ properties: sentValues(entry.snapshot), groups: entry.snapshot.groups }, ctx.config);
    if (sent === undefined || sent === r.matchKey) continue;
    requests.push({ ref: r.ref, snapshot: entry.snapshot, matchKey: sent, knownId: entry.destinationId });
    if (other) foundOther.add(r.ref);
  }
  if (requests.length === 0) return;
  await findAll(
    ctx,
    ledger,
    requests,
    (r, match) => {
      if (!isOwnRecord(r, match)) return;
      if (foundOther.has(r.ref)) ledger.report([{ type: 'settled', ref: r.ref, result: twoCandidates(ctx, r, match.id) }]);
      else ledger.report([{ type: 'found', ref: r.ref, match }]);
    },
    () => undefined,
  );
}

/**
 * A row back on its key before an unconfirmed key change, whose key finds another record
 * while the record this sync wrote holds the changed key: either may be meant (the row's key
 * is someone else's now, or the change never reached them). Neither is written, and the
 * record stays tracked; writing the one found put this row's values over another person's
 * and left its own record untracked for good (fresh reviewer 137, T7).
 */
function twoCandidates(ctx: RecordRunContext, r: RecordView, own: string): ResultFields {
  const other = r.found?.id ?? 'another record';
  return {
    outcome: 'failed',
    code: 'ambiguous_match',
    message:
      `Its ${ctx.matchKeyLabel} finds ${ctx.destinationName} record ${other}, while ${own}, the record this sync wrote, holds the ${ctx.matchKeyLabel} of a change sent before and never confirmed: either may be this person. ` +
      `Nothing was changed, and ${own} is still tracked. If ${other} is someone else, change this row's ${ctx.matchKeyLabel} back to the one ${own} holds; if they are the same person, merge them in ${ctx.destinationName}.`,
    retryable: false,
    action: 'fail',
  };
}
