import type { PropertyValue } from '../../records/types';
import type { RecordEvent } from '../ledger/events';
import type { RecordLedger } from '../ledger/record-ledger';
import type { RecordRunContext } from '../run/run-context';

const text = (v: PropertyValue | undefined): string => (v === undefined || v === null ? '' : String(v).trim());

/**
 * Refuses (`identity_unclear`) each open record whose lookup found, by its match key, a
 * destination record holding another value in a unique identifier field the row maps
 * (`FoundRecord.uniqueFields`: a Contact found by Ann's Email whose `Customer_Id__c` is Bob's),
 * when this sync tracks that destination record for no record: it is another identity's
 * record, and updating it would write this person onto it and rewrite its identifier (third
 * trial of stop 32, critical: Bob's Contact became Ann, c2 → c1, and Bob was created anew).
 * The rows of this window holding that value and finding nothing are refused with it
 * (created, they would put a second record beside it). Records this sync tracks are left to
 * the renumbering rules (an id changed in the source, the same person).
 */
export async function refuseConflictingIds(ctx: RecordRunContext, ledger: RecordLedger): Promise<void> {
  const suspects = ledger.open().flatMap((r) => {
    const fields = r.found?.uniqueFields;
    if (!fields || r.found?.presumed || !r.next) return [];
    const conflicts = Object.entries(fields).filter(([name, value]) => {
      const own = text(r.next?.properties[name]);
      return own !== '' && value.trim() !== '' && own.toLowerCase() !== value.trim().toLowerCase() && text(r.entry?.snapshot.properties[name]).toLowerCase() !== value.trim().toLowerCase();
    });
    return conflicts.length > 0 ? [{ r, id: r.found?.id as string, conflicts }] : [];
  });
  if (suspects.length === 0) return;
  const tracked = new Set((await ctx.state.findByDestinationIds(ctx.syncId, [...new Set(suspects.map((s) => s.id))])).map((e) => e.destinationId));
  const events: RecordEvent[] = [];
  const refused = new Set<number>();
  const refuse = (ref: number, destinationId: string | undefined, message: string) => {
    events.push({ type: 'settled', ref, result: { outcome: 'failed', code: 'identity_unclear', message, retryable: false, destinationId, action: 'fail' } });
    refused.add(ref);
  };
  for (const { r, id, conflicts } of suspects) {
    if (tracked.has(id) || refused.has(r.ref)) continue;
    const what = conflicts.map(([name, value]) => `${name} "${value}" where this row has "${text(r.next?.properties[name])}"`).join(', ');
    const fix = `Check ${ctx.destinationName} record ${id}: give it the right ${ctx.matchKeyLabel} or ${conflicts.map(([n]) => n).join(', ')} there (or merge it), or fix the source.`;
    refuse(r.ref, id, `${ctx.destinationName} record ${id}, found by its ${ctx.matchKeyLabel}, has ${what}, and this sync never wrote it: it may be another person's record, given this ${ctx.matchKeyLabel}. Nothing was written. ${fix}`);
    for (const other of ledger.open()) {
      if (other.ref === r.ref || other.found || refused.has(other.ref)) continue;
      const holds = conflicts.filter(([name, value]) => text(other.next?.properties[name]).toLowerCase() === value.trim().toLowerCase());
      if (holds.length === 0) continue;
      refuse(other.ref, other.entry?.destinationId ?? undefined, `Its ${holds.map(([n]) => n).join(', ')} is on ${ctx.destinationName} record ${id}, which has the ${ctx.matchKeyLabel} of record "${r.recordId}": that record may be this row's person. Nothing was written. ${fix}`);
    }
  }
  ledger.report(events);
}
