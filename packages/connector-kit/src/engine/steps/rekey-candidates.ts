import type { FoundRecord } from '../../destination/verbs';
import type { RecordEvent } from '../ledger/events';
import type { RecordView } from '../ledger/ledger-record';
import type { RunContext } from '../run/run-context';

/** A record whose lookup found only destination records holding another key (`FoundRecord.otherKey`). */
export interface RekeyCandidates {
  readonly record: RecordView;
  readonly candidates: readonly FoundRecord[];
}

/**
 * Which rekey candidates are the record itself under a new key: a candidate counts when
 * no current source record has its key and this sync's state names it for source ids that
 * all left the source (the record's previous id — the id and the key changed together).
 * Exactly one such candidate is `found`; several fail the record with `ambiguous_match`
 * (never guessed); none leaves the record not found (a create, where the mode allows).
 */
export async function resolveRekeys(ctx: RunContext, list: readonly RekeyCandidates[]): Promise<RecordEvent[]> {
  const ids = [...new Set(list.flatMap((c) => c.candidates.map((f) => f.id)))];
  if (ids.length === 0) return [];
  const holders = new Map<string, string[]>();
  for (const e of await ctx.state.findByDestinationIds(ctx.syncId, ids)) {
    if (e.destinationId !== null) holders.set(e.destinationId, [...(holders.get(e.destinationId) ?? []), e.recordId]);
  }
  const departedOnly = (f: FoundRecord): boolean => {
    const named = holders.get(f.id) ?? [];
    return named.length > 0 && named.every((id) => !ctx.source.inSource(id)) && ctx.source.keyHolder(f.otherKey as string) === undefined;
  };
  return list.flatMap(({ record, candidates }): RecordEvent[] => {
    const same = [...new Map(candidates.filter(departedOnly).map((f) => [f.id, f])).values()];
    if (same.length === 1) return [{ type: 'found', ref: record.ref, match: { id: (same[0] as FoundRecord).id } }];
    if (same.length === 0) return [];
    const message = `${same.length} ${ctx.destinationName} records this sync wrote for records that left the source match this ${ctx.matchKeyLabel} (${same.map((f) => f.id).sort().join(', ')}); nothing was written to any of them. Merge the duplicates, or give the record a key only one of them has.`;
    return [{ type: 'settled', ref: record.ref, result: { outcome: 'failed', code: 'ambiguous_match', message, retryable: false, action: 'fail' } }];
  });
}
