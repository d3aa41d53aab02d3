import type { FoundRecord } from '../../destination/verbs';
import type { RecordSnapshot } from '../../records/types';
import type { StateEntry } from '../../state/state-store';
import type { RecordEvent, ResultFields } from '../ledger/events';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordRunContext } from '../run/run-context';
import { describesOther, whyNotRenumbered } from './value-carriers';

/** A record whose lookup found only destination records holding another key (`FoundRecord.otherKey`). */
export interface RekeyCandidates {
  readonly record: RecordView;
  readonly candidates: readonly FoundRecord[];
}

const NO_VALUES: RecordSnapshot = { properties: {}, groups: [] };

/**
 * The refusal of a row that found, by a lookup field such as an email, the destination record
 * of a record that left the source, while its other values are not that record's.
 */
function notThatPerson(ctx: RecordRunContext, row: RecordView, departed: StateEntry): ResultFields {
  return {
    outcome: 'failed',
    code: 'identity_unclear',
    message:
      `It found ${ctx.destinationName} record ${departed.destinationId ?? 'none'} of record "${departed.recordId}", which left the source, but does not carry that record's other values: ` +
      `it may be that person under a new id, or someone new given their ${ctx.destinationName} details. Nothing was written; that record is kept. ` +
      `If it is that person, give the row the id "${departed.recordId}" back (or send the new id first with the old values, then the new values); ` +
      `if it is someone new, that ${ctx.destinationName} record is still the other person's: change or merge it there.`,
    retryable: false,
    action: 'fail',
  };
}

/**
 * Whether `row` may be departed record `departed` under a new id: none of its values differs
 * from that record's (`differingValues`: a value left empty tells nothing; one value changed
 * with the id and the key is no longer taken for a rename: first trial of stop 31), and it
 * carries that record's values (`describesOther`) or no other row of the run does
 * (`ValueCarriers.carrierOf`: she is still in the source, under a new id).
 */
function takesOver(ctx: RecordRunContext, row: RecordView, departed: StateEntry, keyOf: (s: RecordSnapshot) => string | undefined): boolean {
  const next = row.next;
  if (next === null) return true;
  if (whyNotRenumbered(next, departed.snapshot, keyOf, { next: row.recordId, other: departed.recordId }) !== undefined) return false;
  if (describesOther(next, NO_VALUES, departed.snapshot, keyOf)) return true;
  const carrier = ctx.carriers.carrierOf(departed.recordId);
  return carrier === undefined || carrier === row.recordId;
}

/**
 * Which rekey candidates are the record itself under a new key: a candidate counts when
 * no current source record has its key and this sync's state names it for source ids that
 * all left the source (the record's previous id — the id and the key changed together).
 * Exactly one such candidate is `found`, when the row carries that departed record's values
 * ({@link takesOver}); one whose row does not is refused
 * (`identity_unclear`) and the departed record is held by it (`ValueCarriers.hold`: kept,
 * never released) — a newcomer given the email of someone who moved to a new id and email
 * would otherwise take over her record (ninth trial of stop 28). Several candidates fail the
 * record with `ambiguous_match` (never guessed); none leaves the record not found (a create,
 * where the mode allows).
 */
export async function resolveRekeys(ctx: RecordRunContext, list: readonly RekeyCandidates[]): Promise<RecordEvent[]> {
  const ids = [...new Set(list.flatMap((c) => c.candidates.map((f) => f.id)))];
  if (ids.length === 0) return [];
  const holders = new Map<string, StateEntry[]>();
  for (const e of await ctx.state.findByDestinationIds(ctx.syncId, ids)) {
    if (e.destinationId !== null) holders.set(e.destinationId, [...(holders.get(e.destinationId) ?? []), e]);
  }
  const departedOnly = (f: FoundRecord): boolean => {
    const named = holders.get(f.id) ?? [];
    return named.length > 0 && named.every((e) => !ctx.source.inSource(e.recordId)) && ctx.source.keyHolder(f.otherKey as string) === undefined;
  };
  const keyOf = (s: RecordSnapshot) => ctx.destination.matchKey(s, ctx.config);
  return list.flatMap(({ record, candidates }): RecordEvent[] => {
    const same = [...new Map(candidates.filter(departedOnly).map((f) => [f.id, f])).values()];
    if (same.length === 1) {
      const id = (same[0] as FoundRecord).id;
      const named = holders.get(id) ?? [];
      if (named.some((e) => takesOver(ctx, record, e, keyOf))) return [{ type: 'found', ref: record.ref, match: { id } }];
      for (const e of named) ctx.carriers.hold(e.recordId, record.recordId);
      return [{ type: 'settled', ref: record.ref, result: notThatPerson(ctx, record, named[0] as StateEntry) }];
    }
    if (same.length === 0) return [];
    const message = `${same.length} ${ctx.destinationName} records this sync wrote for records that left the source match this ${ctx.matchKeyLabel} (${same.map((f) => f.id).sort().join(', ')}); nothing was written to any of them. Merge the duplicates, or give the record a key only one of them has.`;
    return [{ type: 'settled', ref: record.ref, result: { outcome: 'failed', code: 'ambiguous_match', message, retryable: false, action: 'fail' } }];
  });
}
