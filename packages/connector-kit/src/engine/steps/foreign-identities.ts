import type { FoundRecord } from '../../destination/verbs';
import { permits } from '../../modes/permits';
import type { RecordSnapshot } from '../../records/types';
import type { RecordEvent, ResultFields } from '../ledger/events';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordLedger } from '../ledger/record-ledger';
import type { RecordRunContext } from '../run/run-context';
import { namedIds } from './named-ids';

function refusal(destinationId: string | undefined, message: string): ResultFields {
  return { outcome: 'failed', code: 'identity_unclear', message, retryable: false, destinationId, action: 'fail' };
}

/**
 * Refuses (`identity_unclear`) each open record whose lookup found, by its match key, a
 * destination record carrying an identifier (`FoundRecord.identities`, e.g. an Email) that
 * another current source record has and that this sync never wrote for this record (neither
 * its row nor its last exported values have it). That destination record may be the other
 * person's, given this record's key by hand or by another tool (first trial of stop 31,
 * critical: a Lead with Customer_Id__c `c1` and Bob's Email was rewritten with Ann's row,
 * and Bob's row created a second Lead with his Email). Updating would write one person
 * onto another's record; the other records with that identifier in this window that found
 * nothing are refused too (created, they would put a second record beside it). Nothing is
 * written for them until the destination record is fixed (its key or its identifier). A
 * record this sync tracks for another current record is left to `claimRecords`
 * (`duplicate_destination_record`).
 */
export async function refuseForeignIdentities(ctx: RecordRunContext, ledger: RecordLedger): Promise<void> {
  const declared = ctx.destination.identityKeys;
  if (declared === undefined) return;
  refuseHeld(ctx, ledger);
  const idsOf = (s: RecordSnapshot | null | undefined) => (s ? declared(s, ctx.config) : []);
  // Rows whose found record has an identifier this sync never wrote for them, and the current records having it.
  const suspects: { r: RecordView; found: FoundRecord; holders: string[] }[] = [];
  for (const r of ledger.open()) {
    const found = r.found;
    if (!found?.identities?.length || found.presumed) continue;
    const known = new Set([...idsOf(r.next), ...idsOf(r.entry?.snapshot)]);
    const holders = [...new Set(found.identities.filter((k) => !known.has(k)).flatMap((k) => ctx.source.identityHolders([k], r.recordId)))];
    if (holders.length > 0) suspects.push({ r, found, holders });
  }
  if (suspects.length === 0) return;
  // A record this sync tracks for another current record: `claimRecords` refuses the row naming it (duplicate_destination_record).
  const trackedFor = new Map<string, string[]>();
  for (const e of await ctx.state.findByDestinationIds(ctx.syncId, [...new Set(suspects.map((s) => s.found.id))])) {
    if (e.destinationId !== null && ctx.source.inSource(e.recordId)) trackedFor.set(e.destinationId, [...(trackedFor.get(e.destinationId) ?? []), e.recordId]);
  }
  const label = ctx.destination.identityLabel?.(ctx.config) ?? 'identifier';
  const fields = ctx.matchKeyLabel.split(/\s+or\s+/).includes(label) ? ctx.matchKeyLabel : `${ctx.matchKeyLabel} or ${label}`;
  const fix = (id: string) => `Check ${ctx.destinationName} record ${id}: give it the right ${fields} there (or merge it), or fix the source.`;
  const byId = new Map(ledger.open().map((r) => [r.recordId, r]));
  const events: RecordEvent[] = [];
  const refused = new Set<string>();
  for (const { r, found, holders } of suspects) {
    if (refused.has(r.recordId) || (trackedFor.get(found.id) ?? []).some((id) => id !== r.recordId)) continue;
    const message =
      `${ctx.destinationName} record ${found.id}, found by its ${ctx.matchKeyLabel}, has the ${label} of record ${namedIds(holders)} in the source, which this sync never wrote for this record: ` +
      `it may be that person's record, given this ${ctx.matchKeyLabel} in ${ctx.destinationName}. Nothing was written. ${fix(found.id)}`;
    events.push({ type: 'settled', ref: r.ref, result: refusal(found.id, message) });
    refused.add(r.recordId);
    for (const h of holders) {
      const other = byId.get(h);
      if (other?.found || refused.has(h)) continue;
      const after = permits(ctx.mode, 'create') ? `creating it would put a second record with this ${label} beside that one` : 'that record may be this row\'s person';
      const why = `Its ${label} is on ${ctx.destinationName} record ${found.id}, which has the ${ctx.matchKeyLabel} of record "${r.recordId}": ${after}. Nothing was written. ${fix(found.id)}`;
      // A holder in a later window is refused there (trial 20a F1: across Bulk API windows it was created beside that record).
      if (!other) ctx.foreignHolds.set(h, { destinationId: found.id, message: why });
      else events.push({ type: 'settled', ref: other.ref, result: refusal(other.entry?.destinationId ?? undefined, why) });
      refused.add(h);
    }
  }
  ledger.report(events);
}

/** Refuses the open records an earlier window found an identifier of on a record another row's key names (see `foreignHolds`), unless they found a record of their own. */
function refuseHeld(ctx: RecordRunContext, ledger: RecordLedger): void {
  if (ctx.foreignHolds.size === 0) return;
  const events: RecordEvent[] = [];
  for (const r of ledger.open()) {
    const held = ctx.foreignHolds.get(r.recordId);
    if (held && !r.found) events.push({ type: 'settled', ref: r.ref, result: refusal(r.entry?.destinationId ?? undefined, held.message) });
  }
  ledger.report(events);
}
