import type { RecordSnapshot } from '../../records/types';
import type { ResultFields } from '../ledger/events';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordLedger } from '../ledger/record-ledger';
import type { RecordRunContext } from '../run/run-context';
import { takesValuesWith } from './key-holder';
import { EntriesById } from './entries-by-id';

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
 *
 * A cycle is let through only while the rows keep their own other values (emails swapped).
 * When a row in it carries any value of the record that had its new key (name and all moved
 * with the email: the ids were swapped or rotated; or half the values moved: unsure), updating
 * by id may write each person onto another's record, so every record of the cycle is refused
 * the same way (fourth trial of stop 27: three Intercom contacts rewritten with the next person;
 * fourteenth trial: email, phone and city swapped, both names kept, on Salesforce).
 */
export async function refuseOpenKeyMoves(ctx: RecordRunContext, ledger: RecordLedger): Promise<void> {
  refuseTakersFromOtherWindows(ctx, ledger);
  const moved = ledger.open().filter((r) => r.next !== null && r.entry && r.previousMatchKey !== undefined && r.matchKey !== undefined);
  const givers = moved.flatMap((r) => {
    const taker = ctx.source.keyHolder(r.previousMatchKey as string);
    return taker !== undefined && taker !== r.recordId ? [{ record: r, taker }] : [];
  });
  if (givers.length === 0) return;
  const previousKeys = new PreviousKeys(ctx, ledger);
  const byId = new Map(moved.map((r) => [r.recordId, r]));
  const valuesMoved = new Map<string, boolean>();
  const results: { ref: number; result: ResultFields }[] = [];
  for (const { record, taker } of givers) {
    let moves = valuesMoved.get(record.recordId);
    if (moves === undefined) {
      const cycle = await cycleFrom(ctx, previousKeys, record.recordId, taker);
      moves = cycle === undefined ? undefined : carriedAround(ctx, cycle, byId);
      for (const id of cycle ?? []) valuesMoved.set(id, moves as boolean);
    }
    if (moves === false) continue;
    results.push({ ref: record.ref, result: refused(ctx, record, taker, moves === true) });
  }
  ledger.report(results.map(({ ref, result }) => ({ type: 'settled', ref, result })));
}

/**
 * Records of this window whose key another record still in the source had and gave up in this
 * run, where that record is read in another window (`keyGivers`, read before the windows): its
 * move cannot be compared with this one (a swap, or a shift whose other rows are refused there),
 * so this record is refused too (thirteenth trial of #17: a shift across windows by Email
 * rewrote a Contact with the next person, in both directions).
 */
function refuseTakersFromOtherWindows(ctx: RecordRunContext, ledger: RecordLedger): void {
  if (!ctx.keyGivers || ctx.keyGivers.size === 0) return;
  const here = new Set(ledger.all().map((r) => r.recordId));
  const results: { ref: number; result: ResultFields }[] = [];
  for (const r of ledger.open()) {
    const giver = r.next !== null && r.matchKey !== undefined ? ctx.keyGivers.get(r.matchKey) : undefined;
    if (giver === undefined || giver === r.recordId || here.has(giver)) continue;
    const why = `Its ${ctx.matchKeyLabel} was record "${giver}"'s, whose ${ctx.matchKeyLabel} changed in this run too, in another part of the source (another window of the run): the two moves cannot be compared, and the ids may have moved. `;
    results.push({ ref: r.ref, result: { ...refused(ctx, r, giver), message: `${why}Nothing is written for it; give each person the id they had, or change these ${ctx.matchKeyLabel} values in two runs. Not sent.` } });
  }
  ledger.report(results.map(({ ref, result }) => ({ type: 'settled', ref, result })));
}

/** The records met following "who has my previous key now" from `start` (via `next`), in order, when it returns to `start` through records this sync wrote; else undefined. */
async function cycleFrom(ctx: RecordRunContext, previousKeys: PreviousKeys, start: string, next: string): Promise<string[] | undefined> {
  const cycle = [start];
  const visited = new Set(cycle);
  let at = next;
  while (!visited.has(at)) {
    visited.add(at);
    cycle.push(at);
    const key = await previousKeys.of(at);
    if (key === undefined) return undefined;
    const holder = ctx.source.keyHolder(key);
    if (holder === undefined || holder === at) return undefined;
    at = holder;
  }
  return at === start ? cycle : undefined;
}

/**
 * True when a record of the cycle now carries any value of the one before it (whose key it
 * took; {@link takesValuesWith}: only emails swapped, each row keeping its own other values,
 * goes through), or when a record of it is not among this window's open records (another window, or its
 * row failed before: its values cannot be compared, so unsure; twelfth trial of #17: a swap of
 * rows 3 and 23,501 wrote each person onto the other's Contact).
 */
function carriedAround(ctx: RecordRunContext, cycle: readonly string[], byId: ReadonlyMap<string, RecordView>): boolean {
  const keyOf = (s: RecordSnapshot) => ctx.destination.matchKey(s, ctx.config);
  return cycle.some((id, i) => {
    const giver = byId.get(id)?.entry;
    const taker = byId.get(cycle[(i + 1) % cycle.length] as string);
    if (giver === undefined || taker?.entry === undefined || taker.next == null) return true;
    return takesValuesWith(taker.next, taker.entry.snapshot, giver.snapshot, keyOf);
  });
}

/** The match key each record had in this sync's state, for records that changed theirs (undefined otherwise, or without state). */
class PreviousKeys {
  private readonly entries: EntriesById;

  constructor(
    private readonly ctx: RecordRunContext,
    ledger: RecordLedger,
  ) {
    this.entries = new EntriesById(ctx, ledger.open());
  }

  async of(id: string): Promise<string | undefined> {
    const found = await this.entries.get(id);
    if (!found || found.matchKey === null) return undefined;
    return this.ctx.source.keyHolder(found.matchKey) === id ? undefined : found.matchKey;
  }
}

function refused(ctx: RecordRunContext, record: RecordView, taker: string, rotated = false): ResultFields {
  const why = rotated
    ? `Its previous ${ctx.matchKeyLabel} is now record "${taker}"'s together with some of its other values, so the source's ids look swapped or rotated (not only the ${ctx.matchKeyLabel} values): updating by id may write each person onto another's record. If only the ${ctx.matchKeyLabel} values moved, send them alone first, then the other changes. `
    : `Its previous ${ctx.matchKeyLabel} is now record "${taker}"'s, so the source's ids look shifted or reused (the records' keys do not simply swap). `;
  return {
    outcome: 'failed',
    code: 'match_key_taken',
    message:
      why +
      `Nothing is written for these records until each person has one id (give them back their ids; or, if these really are new ${ctx.matchKeyLabel} values, change them in two runs). Not sent.`,
    retryable: false,
    destinationId: record.entry?.destinationId ?? undefined,
    action: 'fail',
  };
}
