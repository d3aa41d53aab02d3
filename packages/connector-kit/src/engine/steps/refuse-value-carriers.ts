import { permits } from '../../modes/permits';
import type { RecordEvent, ResultFields } from '../ledger/events';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordLedger } from '../ledger/record-ledger';
import type { RecordRunContext } from '../run/run-context';
import type { RecordSnapshot } from '../../records/types';
import type { StateEntry } from '../../state/state-store';
import { describesOther, valueKey, whyNotRenumbered } from './value-carriers';
import { emptiedRows, type Emptied } from './emptied-rows';
import { keepsItsValues } from './changed-records';
import { wholeRowMoves } from './whole-row-moves';

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

/**
 * Records of this window whose values changed (their match key too, or not), paired with a
 * new row of the window (no state) that carries the values they lost ({@link describesOther}:
 * the new row against the record's new values and its last ones). Read by id, one person was
 * renamed and someone new joined; read by values, the id was reused for someone new while its
 * person came back under a new id and key, and updating by id would write the newcomer onto
 * her record (seventh trial of stop 28, G1 with the id reused; ninth trial: the same with the
 * reused id's email changed too, in enrich mode as well). Both rows are refused, so neither is
 * looked up (in enrich mode the new row is not remembered as not found, and the next run
 * compares them again; one remembered so in an earlier run is not read, so not compared).
 * Indexed by the values lost, so a mass edit costs no comparison. Rows in other windows are
 * not compared. A record with a write-ahead mark is compared with the mark's values — what its
 * row said last, as if that update had gone through — not with the versions before it:
 * counting those refused the record, and whoever carried them, on every run while the mark
 * waited (fresh reviewers 122, F5, and 123, F2: one 503 blocked an update and a newcomer).
 */
function newRowsWithLostValues(rows: readonly RecordView[], refused: ReadonlySet<number>, keyOf: KeyOf): Map<RecordView, RecordView> {
  // A changed record refused already (it describes a departing record) still lost its values: the new row carrying them waits too.
  const open = rows.filter((r) => r.result === undefined && r.next !== null);
  const byLostValue = new Map<string, RecordView[]>();
  for (const r of open) {
    const entry = r.entry;
    if (entry === undefined || entry.notFound || entry.destinationId === null) continue;
    for (const [name, value] of Object.entries(entry.snapshot.properties)) {
      const k = valueKey(name, value);
      if (k !== undefined && (r.next as RecordSnapshot).properties[name] !== value) byLostValue.set(k, [...(byLostValue.get(k) ?? []), r]);
    }
  }
  const pairs = new Map<RecordView, RecordView>();
  if (byLostValue.size === 0) return pairs;
  for (const n of open) {
    if (n.entry !== undefined || refused.has(n.ref)) continue;
    const candidates = new Set<RecordView>();
    for (const [name, value] of Object.entries((n.next as RecordSnapshot).properties)) {
      const k = valueKey(name, value);
      if (k !== undefined) for (const c of byLostValue.get(k) ?? []) candidates.add(c);
    }
    for (const c of candidates) {
      if (!describesOther(n.next as RecordSnapshot, c.next as RecordSnapshot, (c.entry as StateEntry).snapshot, keyOf)) continue;
      if (!pairs.has(c)) pairs.set(c, n);
      if (!pairs.has(n)) pairs.set(n, c);
    }
  }
  return pairs;
}

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
 * The rules that compare records of the window with each other, after those against departing
 * records: pairs whose keys both moved ({@link pairsOfMovedValues}), records whose values
 * a new row took ({@link newRowsWithLostValues}), and whole rows
 * swapped, rotated or shifted (`wholeRowMoves`). Adds a refusal to `events` for each record not
 * refused already.
 */
function refuseMovedValues(ctx: RecordRunContext, ledger: RecordLedger, events: RecordEvent[], moved: readonly RecordView[], keyOf: KeyOf): void {
  for (const [r, other] of pairsOfMovedValues(moved, keyOf)) {
    const lead = `Its ${ctx.matchKeyLabel} changed, and it or another record whose ${ctx.matchKeyLabel} changed now carries the other's last values:`;
    const advice = `Give each person the id they had; or, if these values really changed, send the new ${ctx.matchKeyLabel} values and the other new values in two runs.`;
    events.push({ type: 'settled', ref: r.ref, result: unclear(ctx, r, lead, other, 0, advice) });
  }
  for (const [r, other] of newRowsWithLostValues(ledger.all(), new Set(events.map((e) => e.ref)), keyOf)) {
    if (events.some((e) => e.ref === r.ref)) continue;
    const changed = r.entry === undefined ? other : r;
    const fresh = r.entry === undefined ? r : other;
    const entry = changed.entry as StateEntry;
    const lead = r === changed ? `Its values changed, and new row "${fresh.recordId}" now carries the last values of` : `A new id carrying the last values of`;
    const advice = `If it is that person, give row "${fresh.recordId}" the id "${entry.recordId}" back; if both are real changes, send them in two runs (the change of "${entry.recordId}" first, then the new row).`;
    events.push({ type: 'settled', ref: r.ref, result: unclear(ctx, r, lead, entry, 0, advice, r === changed ? '' : ', whose values changed in this run') });
  }
  for (const [r, other] of wholeRowMoves(ledger.all(), new Set(events.map((e) => e.ref)), keyOf)) {
    if (events.some((e) => e.ref === r.ref)) continue;
    const advice = `The source's ids look swapped, rotated or shifted: give each person the id they had; if these values really changed, change them in separate runs.`;
    events.push({ type: 'settled', ref: r.ref, result: unclear(ctx, r, 'Its values outside the match key are now the last values (all, or all but one) of', other.entry as StateEntry, 0, advice, ', whose row changed in this run too') });
  }
  for (const e of emptiedRows(ledger.all(), keyOf, ctx.source.unreadRows)) {
    if (!events.some((x) => x.ref === e.record.ref)) events.push({ type: 'settled', ref: e.record.ref, result: emptiedResult(ctx, e) });
  }
}

/** The refusal of a record {@link emptiedRows} names. */
function emptiedResult(ctx: RecordRunContext, e: Emptied): ResultFields {
  const id = e.record.entry?.destinationId ?? undefined;
  const dest = ctx.destinationName;
  const message =
    e.carries !== undefined
      ? `It carries last values of record "${e.carries.recordId}" (${dest} record ${e.carries.entry?.destinationId ?? 'none'}), whose row changed every value that told it apart from the other rows in this run: it may be that person under another id. Nothing was written for it. Give each person the id they had; if both changes are real, send them in separate runs ("${e.carries.recordId}"'s first).`
      : e.carrier !== undefined
        ? `Every value that told its last row apart from the other rows changed, and row "${e.carrier.recordId}" now has some of them: the ids may be swapped, shifted or reused, and updating by id would write another person onto ${dest} record ${id ?? 'none'}. Nothing was written for it. If "${e.carrier.recordId}" is this person, give it the id "${e.record.recordId}" back; if these values really all changed, send them in separate runs (this record's first).`
        : `Every value that told its last row apart from the other rows changed while ${ctx.source.unreadRows} row(s) could not be read: one may be this record's person under another id. Nothing was written for it (${dest} record ${id ?? 'none'}); fix those rows and run again.`;
  return { outcome: 'failed', code: 'identity_unclear', message, retryable: false, destinationId: id, action: 'fail' };
}

/**
 * Refuses (`identity_unclear`) each open record whose row describes a record leaving the
 * source in this run (see `ValueCarriers`) rather than the person its match key says: a
 * record whose values changed (its key too, or not), compared with its own last values; a new id with the key of a
 * departing record, compared with that record's (ids renumbered while emails were swapped:
 * fifth trial of stop 28). The departing records are kept (`claimRecords`) — also when the
 * row describing them was refused already (`match_key_taken`, a key move: sixth trial of
 * stop 28, that person's Contact was deleted). Then pairs of records in the window whose
 * keys both changed, one carrying the other's last values ({@link pairsOfMovedValues}); then
 * records whose values a new row took ({@link newRowsWithLostValues}); last, records whose whole rows were swapped, rotated or
 * shifted among themselves (`wholeRowMoves`). Nothing is looked up or written for a refused
 * record. Runs before any lookup.
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
      const own = r.entry === undefined ? (r.matchKey === undefined ? undefined : await ctx.carriers.departingWithKey(r.matchKey)) : r.entry;
      const [departed, ...more] = own === undefined ? [] : await ctx.carriers.describedBy(r.recordId, r.next, own, keyOf);
      if (departed !== undefined && own !== undefined) {
        if (open) {
          const lead =
            r.entry === undefined
              ? `It has the ${ctx.matchKeyLabel} of record "${own.recordId}", which left the source, but the other values of`
              : keyMoved
                ? `Its ${ctx.matchKeyLabel} changed and its other values are now those of`
                : `Its ${ctx.matchKeyLabel} stayed but its other values are now those of`;
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
        // The row with her values is refused too (`refuseResembling`).
        if (!resembling.has(other)) resembling.set(other, { departed: own, holder: r.recordId });
        continue;
      }
      // A new id with a departing record's key and any value other than hers, whether or not a row with her values is seen (in
      // enrich mode one remembered as not found is never read again): refused outright; updating would write someone given her
      // email onto her record (eighth trial of stop 28, enrich; tenth: sync and additive did it; first trial of stop 31: with
      // her city, her family name or her phone in common).
      const why = open && own !== undefined && r.entry === undefined ? whyNotRenumbered(r.next, own.snapshot, keyOf, { next: r.recordId, other: own.recordId }) : undefined;
      if (own !== undefined && why !== undefined) {
        const advice = `It is kept. If it is that person, give the row the id "${own.recordId}" back, or send the new id with that record's values first and the changed values in a later run; if someone new has this ${ctx.matchKeyLabel}, that ${ctx.destinationName} record is still the other person's: change or merge it there.`;
        events.push({ type: 'settled', ref: r.ref, result: unclear(ctx, r, why.startsWith('another') ? `It has the ${ctx.matchKeyLabel} but ${why} than` : why.startsWith('without') ? `It has the ${ctx.matchKeyLabel} but not the ${why.slice('without its '.length)} of` : why.startsWith('with a new') ? `It has the ${ctx.matchKeyLabel} but also a ${why.slice('with a new '.length)} not in` : `It has the ${ctx.matchKeyLabel} but none of the other values of`, own, 0, advice, ', which left the source') });
        continue;
      }
    }
    // A key move already sent (a mark resent as it was) is no move of this run, as in a plain rerun (fresh reviewer 133, F4).
    if (open && keyMoved && !keepsItsValues(r)) moved.push(r);
  }
  refuseResembling(ctx, ledger, resembling, events);
  refuseMovedValues(ctx, ledger, events, moved, keyOf);
  ledger.report(events);
}

/**
 * The new rows holding the other values of a departing record whose key a new id took
 * without them (`resembling`: row id → that record and the row holding its key): refused too,
 * into `events`. Created, such a row would be tracked, and the next run would hand that
 * record to it.
 */
function refuseResembling(ctx: RecordRunContext, ledger: RecordLedger, resembling: ReadonlyMap<string, { departed: StateEntry; holder: string }>, events: RecordEvent[]): void {
  for (const r of ledger.all()) {
    const why = resembling.get(r.recordId);
    if (why === undefined || r.result !== undefined || events.some((e) => e.ref === r.ref)) continue;
    const advice = `Row "${why.holder}" now has its ${ctx.matchKeyLabel}. It is kept; give each person the id they had, or send the new ${ctx.matchKeyLabel} values and the other new values in two runs.`;
    events.push({ type: 'settled', ref: r.ref, result: unclear(ctx, r, `A new id with the other values of`, why.departed, 0, advice, ', which left the source') });
  }
}
