import { permits } from '../../modes/permits';
import type { RecordEvent, ResultFields } from '../ledger/events';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordLedger } from '../ledger/record-ledger';
import type { RecordRunContext } from '../run/run-context';
import type { RecordSnapshot } from '../../records/types';
import type { StateEntry } from '../../state/state-store';
import { describesOther, valueKey } from './value-carriers';

type KeyOf = (s: RecordSnapshot) => string | undefined;

function unclear(ctx: RecordRunContext, r: RecordView, lead: string, other: StateEntry, more: number, advice: string, which = ''): ResultFields {
  const id = other.destinationId ?? 'none';
  return {
    outcome: 'failed',
    code: 'identity_unclear',
    message:
      `${lead} record "${other.recordId}" (${ctx.destinationName} record ${id})${more > 0 ? ` and ${more} other record(s)` : ''}${which}: ` +
      `this may be that person under a reused or renumbered id. Nothing was written for it. ${advice}`,
    retryable: false,
    destinationId: r.entry?.destinationId ?? undefined,
    action: 'fail',
  };
}

/**
 * Records of this window whose key changed, whose row carries the last values of another such
 * record rather than their own (an id reused for someone new while its person moved to another
 * id with a new email: sixth trial of stop 28): both are refused, since neither row can be told
 * to be its id's person. Indexed by value, so a mass key change (every email moved to a new
 * domain, values kept) costs no comparison. Records in other windows are not compared.
 */
function pairsOfMovedValues(moved: readonly RecordView[], keyOf: KeyOf): Map<RecordView, StateEntry> {
  const byValue = new Map<string, RecordView[]>();
  for (const r of moved) {
    for (const [name, value] of Object.entries((r.entry as StateEntry).snapshot.properties)) {
      const k = valueKey(name, value);
      if (k !== undefined) byValue.set(k, [...(byValue.get(k) ?? []), r]);
    }
  }
  const refused = new Map<RecordView, StateEntry>();
  for (const r of moved) {
    const own = r.entry as StateEntry;
    const candidates = new Set<RecordView>();
    for (const [name, value] of Object.entries((r.next as RecordSnapshot).properties)) {
      const k = valueKey(name, value);
      if (k !== undefined && value !== own.snapshot.properties[name]) for (const o of byValue.get(k) ?? []) candidates.add(o);
    }
    for (const o of candidates) {
      const other = o.entry as StateEntry;
      if (o === r || other.destinationId === own.destinationId || !describesOther(r.next as RecordSnapshot, own.snapshot, other.snapshot, keyOf)) continue;
      if (!refused.has(r)) refused.set(r, other);
      if (!refused.has(o)) refused.set(o, own);
    }
  }
  return refused;
}

const NO_VALUES: RecordSnapshot = { properties: {}, groups: [] };

/** Departing record id → the first new row of the window (no state, a key no departing record has) that describes it; each is remembered as a carrier (the departing record is kept). */
async function newRowsResembling(ctx: RecordRunContext, ledger: RecordLedger, keyOf: KeyOf): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const r of ledger.all()) {
    if (r.next === null || r.entry !== undefined || r.matchKey === undefined || (await ctx.carriers.departingWithKey(r.matchKey)) !== undefined) continue;
    for (const id of await ctx.carriers.resembledBy(r.next, keyOf)) {
      if (!out.has(id)) out.set(id, r.recordId);
      // Maybe that person under a new id and key: the departing record is kept, whether this row is written or refused (seventh trial of stop 28, G6).
      ctx.carriers.remember(id, r.recordId);
    }
  }
  return out;
}

/**
 * Refuses (`identity_unclear`) each open record whose row describes a record leaving the
 * source in this run (see `ValueCarriers`) rather than the person its match key says: a
 * record whose key changed, compared with its own last values; a new id with the key of a
 * departing record, compared with that record's (ids renumbered while emails were swapped:
 * fifth trial of stop 28). The departing records are kept (`claimRecords`) — also when the
 * row describing them was refused already (`match_key_taken`, a key move: sixth trial of
 * stop 28, that person's Contact was deleted). Then pairs of records in the window whose
 * keys both changed, one carrying the other's last values ({@link pairsOfMovedValues}).
 * Nothing is looked up or written for a refused record. Runs before any lookup.
 */
export async function refuseValueCarriers(ctx: RecordRunContext, ledger: RecordLedger): Promise<void> {
  const keyOf: KeyOf = (s) => ctx.destination.matchKey(s, ctx.config);
  const events: RecordEvent[] = [];
  const moved: RecordView[] = [];
  // Not in enrich mode: there a new row is never written, and one remembered as not found is not read again (its window never sees it).
  const resembled = ctx.carriers.any && permits(ctx.mode, 'create') ? await newRowsResembling(ctx, ledger, keyOf) : new Map<string, string>();
  const resembling = new Map<string, { departed: StateEntry; holder: string }>();
  for (const r of ledger.all()) {
    if (r.next === null || r.entry?.notFound) continue;
    const open = r.result === undefined;
    const keyMoved = r.entry !== undefined && r.previousMatchKey !== undefined;
    if (ctx.carriers.any) {
      // Its own last values; for a new id taking a departing record's key, that record's (the person the key says it is).
      const own = r.entry === undefined ? (r.matchKey === undefined ? undefined : await ctx.carriers.departingWithKey(r.matchKey)) : keyMoved ? r.entry : undefined;
      const [departed, ...more] = own === undefined ? [] : await ctx.carriers.describedBy(r.recordId, r.next, own, keyOf);
      if (departed !== undefined && own !== undefined) {
        if (open) {
          const lead = r.entry === undefined ? `It has the ${ctx.matchKeyLabel} of record "${own.recordId}", which left the source, but the other values of` : `Its ${ctx.matchKeyLabel} changed and its other values are now those of`;
          const advice = `They are kept. If it is that person, give the row the id "${departed.recordId}" back; if this record's values really all changed, send the new ${ctx.matchKeyLabel} and the other new values in two runs.`;
          events.push({ type: 'settled', ref: r.ref, result: unclear(ctx, r, lead, departed, more.length, advice, ', which left the source') });
        }
        continue;
      }
      // A new id with a departing record's key but none of its values, while another new row has them (that person back
      // under a new id and email, and her old email given to someone else: seventh trial of stop 28).
      const other = own !== undefined && r.entry === undefined ? resembled.get(own.recordId) : undefined;
      if (open && own !== undefined && other !== undefined && other !== r.recordId && !describesOther(r.next, NO_VALUES, own.snapshot, keyOf)) {
        const advice = `Row "${other}" has its other values, maybe that person under a new id. It is kept; give each person the id they had, or send the new ${ctx.matchKeyLabel} values and the other new values in two runs.`;
        events.push({ type: 'settled', ref: r.ref, result: unclear(ctx, r, `It has the ${ctx.matchKeyLabel} but none of the other values of`, own, 0, advice, ', which left the source') });
        // The row with her values is refused too: created, it would be tracked, and the next run would hand her record to this one.
        if (!resembling.has(other)) resembling.set(other, { departed: own, holder: r.recordId });
        continue;
      }
    }
    if (open && keyMoved) moved.push(r);
  }
  for (const r of ledger.all()) {
    const why = resembling.get(r.recordId);
    if (why === undefined || r.result !== undefined || events.some((e) => e.ref === r.ref)) continue;
    const advice = `Row "${why.holder}" now has its ${ctx.matchKeyLabel}. It is kept; give each person the id they had, or send the new ${ctx.matchKeyLabel} values and the other new values in two runs.`;
    events.push({ type: 'settled', ref: r.ref, result: unclear(ctx, r, `A new id with the other values of`, why.departed, 0, advice, ', which left the source') });
  }
  for (const [r, other] of pairsOfMovedValues(moved, keyOf)) {
    const lead = `Its ${ctx.matchKeyLabel} changed, and it or another record whose ${ctx.matchKeyLabel} changed now carries the other's last values:`;
    const advice = `Give each person the id they had; or, if these values really changed, send the new ${ctx.matchKeyLabel} values and the other new values in two runs.`;
    events.push({ type: 'settled', ref: r.ref, result: unclear(ctx, r, lead, other, 0, advice) });
  }
  ledger.report(events);
}
