import type { StateEntry } from '../../state/state-store';
import type { ResultFields } from '../ledger/events';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordLedger } from '../ledger/record-ledger';
import type { RecordRunContext } from '../run/run-context';

/**
 * Records whose match key moved to another record still in the source, where the moves do
 * not close into a cycle. A record whose key changed from `p` while another current record
 * now has `p` gave its key to that record; following "who has my previous key now" from it
 * either comes back to it (two records swapped their keys, three rotated them: nobody
 * appears or leaves, each is updated in place) or ends at a record this sync never wrote
 * (someone new), at a record whose own previous key nobody has (someone gone), or elsewhere.
 * Read by id, those are key changes; read by key, the ids moved — shifted by one with a new
 * person at the front, or an id reused — and updating by id would write each person onto
 * another's record. The kit cannot tell which, so each such record is refused
 * (`match_key_taken`) and nothing is written for it; the records taking those keys then
 * wait too (`settleTaken`). Trial of stop 25 (#17): a shift with a new first row rewrote
 * three Contacts with the next person's data.
 */
export async function refuseOpenKeyMoves(ctx: RecordRunContext, ledger: RecordLedger): Promise<void> {
  const moved = ledger.open().filter((r) => r.next !== null && r.entry && r.previousMatchKey !== undefined && r.matchKey !== undefined);
  const givers = moved.flatMap((r) => {
    const taker = ctx.source.keyHolder(r.previousMatchKey as string);
    return taker !== undefined && taker !== r.recordId ? [{ record: r, taker }] : [];
  });
  if (givers.length === 0) return;
  const previousKeys = new PreviousKeys(ctx, ledger);
  const results: { ref: number; result: ResultFields }[] = [];
  for (const { record, taker } of givers) {
    if (await closesCycle(ctx, previousKeys, record.recordId, taker)) continue;
    results.push({ ref: record.ref, result: refused(ctx, record, taker) });
  }
  ledger.report(results.map(({ ref, result }) => ({ type: 'settled', ref, result })));
}

/** True when following "who has my previous key now" from `start` (via `next`) returns to `start` through records this sync wrote. */
async function closesCycle(ctx: RecordRunContext, previousKeys: PreviousKeys, start: string, next: string): Promise<boolean> {
  const visited = new Set([start]);
  let at = next;
  while (!visited.has(at)) {
    visited.add(at);
    const key = await previousKeys.of(at);
    if (key === undefined) return false;
    const holder = ctx.source.keyHolder(key);
    if (holder === undefined || holder === at) return false;
    at = holder;
  }
  return at === start;
}

/** The match key each record had in this sync's state, for records that changed theirs (undefined otherwise, or without state). */
class PreviousKeys {
  private readonly entries = new Map<string, Promise<StateEntry | undefined>>();

  constructor(
    private readonly ctx: RecordRunContext,
    private readonly ledger: RecordLedger,
  ) {
    for (const r of ledger.open()) this.entries.set(r.recordId, Promise.resolve(r.entry));
  }

  async of(id: string): Promise<string | undefined> {
    let entry = this.entries.get(id);
    if (!entry) {
      entry = this.ctx.state.get(this.ctx.syncId, [id]).then((m) => m.get(id));
      this.entries.set(id, entry);
    }
    const found = await entry;
    if (!found || found.notFound || found.matchKey === null) return undefined;
    return this.ctx.source.keyHolder(found.matchKey) === id ? undefined : found.matchKey;
  }
}

function refused(ctx: RecordRunContext, record: RecordView, taker: string): ResultFields {
  return {
    outcome: 'failed',
    code: 'match_key_taken',
    message:
      `Its previous ${ctx.matchKeyLabel} is now record "${taker}"'s, so the source's ids look shifted or reused (the records' keys do not simply swap). ` +
      `Nothing is written for these records until each person has one id (give them back their ids; or, if these really are new ${ctx.matchKeyLabel} values, change them in two runs). Not sent.`,
    retryable: false,
    destinationId: record.entry?.destinationId ?? undefined,
    action: 'fail',
  };
}
