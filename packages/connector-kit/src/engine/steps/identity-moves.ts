import type { RecordSnapshot } from '../../records/types';
import type { StateEntry } from '../../state/state-store';
import type { RecordEvent, ResultFields } from '../ledger/events';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordLedger } from '../ledger/record-ledger';
import type { RecordRunContext, SourceFacts } from '../run/run-context';
import { isEmpty } from '../../records/property-diff';
import { permits } from '../../modes/permits';
import { SYNC_MODE_TABLE } from '../../modes/sync-modes';
import { looksLikeDeparted, same, takesValuesWith } from './key-holder';
import { EntriesById } from './entries-by-id';
import { whyNotRenumbered } from './value-carriers';
import { refuseDuplicateLeftBehind } from './duplicate-left-behind';
import { namedIds } from './named-ids';

type IdsOf = (snapshot: RecordSnapshot) => readonly string[];
type KeyOf = (snapshot: RecordSnapshot) => string | undefined;

/** No record has this id (asks the scan for every holder of an identifier). */
const NO_RECORD = '\u0000';

/** Records met by a walk, and whether it came back to where it started. */
interface Walk {
  readonly path: readonly string[];
  readonly closed: boolean;
  /** Where the walk ended at a record whose identifiers went to several records: those records (each walked on its own). */
  readonly branches?: readonly string[] | undefined;
}

/**
 * The run-wide memory of identifier moves: which records a walk found in an open chain
 * (refused in whichever window they are read), and the walks done (each record walked once).
 * Keyed by the run's source facts, so it lives as long as the run.
 */
interface RunMemory {
  /** Record id → the walk that found it in an open chain (or a cycle refused). */
  readonly open: Map<string, Walk>;
  readonly walked: Map<string, Walk>;
}
const memories = new WeakMap<SourceFacts, RunMemory>();

function memoryOf(source: SourceFacts): RunMemory {
  let memory = memories.get(source);
  if (!memory) {
    memory = { open: new Map(), walked: new Map() };
    memories.set(source, memory);
  }
  return memory;
}

/** Who took the identifiers a record gave up, from its state and the scan's index of the source's identifiers. */
class IdentityTakers {
  private readonly entries: EntriesById;

  constructor(
    private readonly ctx: RecordRunContext,
    private readonly idsOf: IdsOf,
    ledger: RecordLedger,
  ) {
    this.entries = new EntriesById(ctx, ledger.all());
  }

  /** The record's state entry (read once), undefined when it has none or was not found. */
  entry(id: string): Promise<StateEntry | undefined> {
    return this.entries.get(id);
  }

  /**
   * The source records other than `id` that now hold an identifier `id` had in state and no
   * longer has — except one that took its previous match key too (a key move, `refuseOpenKeyMoves`
   * decides it); undefined when `id` has no state (someone new).
   */
  async of(id: string): Promise<string[] | undefined> {
    const entry = await this.entry(id);
    if (!entry) return undefined;
    const { source } = this.ctx;
    const previousKey = entry.matchKey !== null && source.keyHolder(entry.matchKey) !== id ? entry.matchKey : undefined;
    const takers = new Set<string>();
    for (const k of this.idsOf(entry.snapshot)) {
      const holders = source.identityHolders([k], NO_RECORD);
      if (holders.includes(id)) continue;
      for (const h of holders) {
        if (previousKey !== undefined && source.keyHolder(previousKey) === h) continue;
        // A record that had it too (a household's email) took nothing: it is shared, and this one moved off it.
        const theirs = await this.entry(h);
        if (theirs && this.idsOf(theirs.snapshot).includes(k)) continue;
        takers.add(h);
      }
    }
    return [...takers];
  }
}

/** Follows "who has my previous identifier now" from `start` (via `first`) while each step has one taker. */
async function walk(takers: IdentityTakers, memory: RunMemory, start: string, first: string): Promise<Walk> {
  const path = [start];
  let at = first;
  while (!path.includes(at)) {
    path.push(at);
    // A record met by an earlier walk: that walk did not come back to `start`.
    if (memory.walked.has(at)) return { path, closed: false };
    const next = await takers.of(at);
    if (next === undefined || next.length !== 1) return { path, closed: false, branches: next?.filter((id) => !path.includes(id)) };
    at = next[0] as string;
  }
  return { path, closed: at === start };
}

/**
 * True when a record of the cycle changed anything besides its identifiers (an email and a name
 * moved together, or an email and a new name: the ids may have moved; only emails swapped, every
 * other value kept, is the one change let through — twelfth trial of #17), or when a record of
 * it is not in this window (its row cannot be compared: unsure).
 */
function carriedAround(cycle: readonly string[], byId: ReadonlyMap<string, RecordView>, keyOf: KeyOf, idsOf: IdsOf): boolean {
  return cycle.some((id) => {
    const r = byId.get(id);
    if (r?.entry === undefined || r.next == null) return true;
    return changedBesidesIdentity(r.next, r.entry.snapshot, keyOf, idsOf);
  });
}

/** Whether `next` differs from `own` on a property outside the match key and the identifiers (every empty value alike). */
function changedBesidesIdentity(next: RecordSnapshot, own: RecordSnapshot, keyOf: KeyOf, idsOf: IdsOf): boolean {
  const key = keyOf(next);
  const ids = idsOf(next).join('\u0000');
  for (const name of new Set([...Object.keys(next.properties), ...Object.keys(own.properties)])) {
    const [now, was] = [next.properties[name], own.properties[name]];
    if (isEmpty(now) ? isEmpty(was) : now === was) continue;
    const withOwn = { ...next, properties: { ...next.properties, [name]: was ?? null } };
    if (keyOf(withOwn) === key && idsOf(withOwn).join('\u0000') === ids) return true;
  }
  return false;
}

function refusal(ctx: RecordRunContext, r: RecordView, why: string, advice: string): ResultFields {
  return {
    outcome: 'failed',
    code: 'identity_unclear',
    message: `${why} Nothing was written for it${r.entry?.destinationId ? ` (${ctx.destinationName} record ${r.entry.destinationId})` : ''}. ${advice}`,
    retryable: false,
    destinationId: r.entry?.destinationId ?? undefined,
    action: 'fail',
  };
}

/** The identifiers `next` has that `own` (none for a new row) did not. */
function gained(idsOf: IdsOf, next: RecordSnapshot, own: RecordSnapshot | undefined): string[] {
  const before = new Set(own ? idsOf(own) : []);
  return idsOf(next).filter((k) => !before.has(k));
}

/**
 * Identifiers besides the match key (`DestinationDefinition.identityKeys`: an email where the
 * key is an external id) followed between records the way match keys are (`refuseOpenKeyMoves`).
 * With the id as the key, an email is what tells people apart: a row whose id stayed while its
 * email became another record's says the ids moved, not the person (eleventh trial of stop 29:
 * ids swapped, rotated or shifted with one value kept were written onto each other's Contacts,
 * and a shift deleted a person still in the source; the same sources keyed by email were refused).
 * Refused (`identity_unclear`), nothing written:
 *
 * - every record of an open chain of identifier moves — a record whose previous identifier
 *   another record now has, following "who has my previous one now" to someone new, to a
 *   record that gave nothing up, or to a branch (ids shifted or reused; an email handed on
 *   inside the source too: send such a change in two runs);
 * - every record of a closed cycle (emails swapped or rotated) where a row changed anything
 *   besides its email (twelfth trial: email and name swapped while phone, city and plan stayed),
 *   or whose records are not all in one window (their rows cannot be compared); two people who
 *   swapped only their emails are updated in place;
 * - a changed record whose new identifier another row has too, and whose row now looks like
 *   that row's record (a row made a copy of another row under its own id, the copy's email
 *   changed or not);
 * - a changed record that took the identifier of a record leaving the source, when it is in
 *   an open chain, took any of that record's other values with it (`takesValuesWith`), or when
 *   the mode never deletes that record (additive, enrich, or not created by this sync: two
 *   records would keep one identifier); the record leaving is kept (`ValueCarriers.hold`).
 *   A new row with the identifier of a record leaving keeps it too (`ValueCarriers.remember`:
 *   maybe that person under a new id), released once the row is written as its own record —
 *   and is refused when it carries none of that record's other values, two or more (someone
 *   new given the identifier, or that person with every value changed: unsure);
 * - a changed record that took the identifier of a record missing from the source while some
 *   rows could not be read or identified, or an id is on several rows (`departuresUncertain`):
 *   that record's row may be one of them, still with the identifier (an email swap whose other
 *   row is broken would leave two records with one email).
 *
 * A taker read in a later window than its chain is refused there (run-wide memory); for one
 * read in an earlier window, the records that gave identifiers up were read before the windows
 * (`readGivers`, when a run has several), so its chain is walked from there. Runs after
 * `refuseOpenKeyMoves` and `refuseValueCarriers` (whose rules still compare the rows this one
 * refuses), before any lookup.
 */
export async function refuseIdentityMoves(ctx: RecordRunContext, ledger: RecordLedger): Promise<void> {
  const declared = ctx.destination.identityKeys;
  if (declared === undefined) return;
  const keyOf: KeyOf = (s) => ctx.destination.matchKey(s, ctx.config);
  const idsOf: IdsOf = (s) => declared(s, ctx.config).filter((k) => k !== keyOf(s));
  const label = ctx.destination.identityLabel?.(ctx.config) ?? 'identifier';
  const memory = memoryOf(ctx.source);
  const takers = new IdentityTakers(ctx, idsOf, ledger);
  const inSource = ledger.all().filter((r) => r.next !== null);
  const byId = new Map(inSource.map((r) => [r.recordId, r]));
  const results = new Map<RecordView, ResultFields>();
  const refuse = (r: RecordView | undefined, why: string, advice: string) => {
    if (r && r.result === undefined && !results.has(r)) results.set(r, refusal(ctx, r, why, advice));
  };
  const shifted = `Give each person the id they had; if these ${label} values really moved between people, change them in separate runs.`;
  const walkFrom = async (giver: string) => {
    if (memory.walked.has(giver)) return;
    const first = await takers.of(giver);
    if (!first || first.length === 0) return;
    const found: Walk = first.length === 1 ? await walk(takers, memory, giver, first[0] as string) : { path: [giver], closed: false, branches: first };
    for (const id of found.path) if (!memory.walked.has(id)) memory.walked.set(id, found);
    if (found.closed && !carriedAround(found.path, byId, keyOf, idsOf)) return;
    for (const id of [...found.path, ...(found.branches ?? [])]) if (!memory.open.has(id)) memory.open.set(id, found);
  };
  for (const r of inSource) {
    if (r.entry !== undefined) await walkFrom(r.recordId);
    // A record of a later window that gave up an identifier this row took (read before the windows, `readGivers`).
    for (const k of gained(idsOf, r.next as RecordSnapshot, r.entry?.snapshot)) {
      const giver = ctx.identityGivers?.get(k);
      if (giver !== undefined && giver !== r.recordId) await walkFrom(giver);
    }
  }
  for (const r of inSource) {
    const walked = memory.open.get(r.recordId);
    if (walked === undefined) continue;
    const others = namedIds([...walked.path, ...(walked.branches ?? [])].filter((id) => id !== r.recordId));
    const why = walked.closed
      ? `Its ${label} was swapped or rotated with records ${others} while a row of them changed other values too (or is read in another window): the ids may have moved, not the ${label} values, and updating by id would write each person onto another's record. If only the ${label} values moved, send them alone first, then the other changes.`
      : `Its previous ${label}, or its new one, moved between records ${others} without closing a swap: the source's ids look shifted or reused, and updating by id would write each person onto another's record.`;
    refuse(r, why, shifted);
  }
  const rowOf = (id: string) => byId.get(id)?.next ?? undefined;
  await refuseTakings(ctx, ledger, { idsOf, keyOf, label, takers, memory, refuse, rowOf });
  const changed = (next: RecordSnapshot, own: RecordSnapshot) => changedBesidesIdentity(next, own, keyOf, idsOf);
  await refuseDuplicateLeftBehind(ctx, inSource, { keyOf, idsOf, changedBesidesIdentity: changed, entry: (id) => takers.entry(id), rowOf, label, refuse });
  ledger.report([...results].map(([r, result]): RecordEvent => ({ type: 'settled', ref: r.ref, result })));
}

interface TakingsContext {
  readonly idsOf: IdsOf;
  readonly keyOf: KeyOf;
  readonly label: string;
  readonly takers: IdentityTakers;
  readonly memory: RunMemory;
  readonly refuse: (r: RecordView, why: string, advice: string) => void;
  /** The row of a record of this window, if it is in the source. */
  readonly rowOf: (id: string) => RecordSnapshot | undefined;
}

/** Rows that took an identifier another record still holds (a copy), or one of a record leaving the source (see {@link refuseIdentityMoves}). */
async function refuseTakings(ctx: RecordRunContext, ledger: RecordLedger, t: TakingsContext): Promise<void> {
  for (const r of ledger.all()) {
    if (r.next === null || r.entry?.notFound) continue;
    for (const k of gained(t.idsOf, r.next, r.entry?.snapshot)) {
      if (r.entry !== undefined) {
        for (const h of ctx.source.identityHolders([k], r.recordId)) {
          // Its last values, or, for a new row of this window, its row.
          const theirs = (await t.takers.entry(h))?.snapshot ?? t.rowOf(h);
          if (!theirs || !looksLikeDeparted(r.next, r.entry.snapshot, theirs, t.keyOf)) continue;
          t.refuse(r, `Its new ${t.label} is record "${h}"'s too, and its row now looks like that record rather than its own last values: a copy of "${h}" under this id.`, `If this row is "${h}"'s person, remove it (or give it back its own values); if it is its own person sharing the ${t.label}, send its new ${t.label} and its other new values in separate runs.`);
        }
      }
      if (!ctx.carriers.any) continue;
      for (const departed of await ctx.carriers.departingWithIdentity(k)) {
        if (departed.recordId === r.recordId || departed.matchKey === r.matchKey) continue;
        await takingFromDeparted(ctx, t, r, departed);
      }
    }
  }
}

/** True when `next` differs from `own` only in the properties that make up its key or identifiers (`keyAndIds`). */
function onlyIdentifiersChanged(next: RecordSnapshot, own: RecordSnapshot, keyAndIds: (s: RecordSnapshot) => string): boolean {
  const ids = keyAndIds(next);
  for (const name of new Set([...Object.keys(next.properties), ...Object.keys(own.properties)])) {
    if (same(next.properties[name], own.properties[name])) continue;
    if (keyAndIds({ ...next, properties: { ...next.properties, [name]: own.properties[name] ?? null } }) === ids) return false;
  }
  return true;
}

/** A key and the identifiers as one text: a property making up any of them casts no vote when values are compared (the identifier itself moved). */
const keyAndIdsOf = (t: TakingsContext) => (s: RecordSnapshot) => [t.keyOf(s), ...t.idsOf(s)].join('\u0000');

/** Row `r` took an identifier of `departed`, a record leaving the source: kept (`remember`), let through, or refused with that record held (see {@link refuseIdentityMoves}). */
async function takingFromDeparted(ctx: RecordRunContext, t: TakingsContext, r: RecordView, departed: StateEntry): Promise<void> {
  const next = r.next as RecordSnapshot;
  const keyAndIds = keyAndIdsOf(t);
  const refuse = (why: string, advice: string) => {
    ctx.carriers.hold(departed.recordId, r.recordId);
    t.refuse(r, why, advice);
  };
  if (r.entry === undefined) {
    // Someone new given that record's email, or that person under a new id with values changed: unsure (fifteenth trial of
    // #17: a second Contact beside one kept untracked; first trial of stop 31: one value in common is no proof either).
    const why = whyNotRenumbered(next, departed.snapshot, keyAndIds, { next: r.recordId, other: departed.recordId });
    if (why !== undefined) {
      refuse(`It is new, with the ${t.label} of record "${departed.recordId}", which left the source, but ${why}: someone new given that ${t.label}, or that person under a new id with values changed.`, `That record is kept. If it is that person, give the row the id "${departed.recordId}" back, or send the new id with that record's values first and the changed values in a later run; if the ${t.label} really went to someone new, delete or merge that record in ${ctx.destinationName}, then run again.`);
    } else ctx.carriers.remember(departed.recordId, r.recordId);
    return;
  }
  const uncertain = ctx.source.departuresUncertain;
  if (uncertain !== undefined) {
    // Its row may be one that could not be read, still with this identifier (a swap with a broken row: thirteenth trial, low).
    refuse(`Its new ${t.label} is that of record "${departed.recordId}", which is missing from the source, but ${uncertain} That record's row may be one of those rows, still with this ${t.label}.`, `Fix those rows and run again.`);
    return;
  }
  if (!permits(ctx.mode, 'delete', { owned: departed.owned, deletePolicy: ctx.deletePolicy })) {
    // That record stays in the destination: handing its identifier on would leave two records with it (fourteenth trial, additive).
    const never = departed.owned ? `${SYNC_MODE_TABLE[ctx.mode].displayName} mode never deletes` : 'this sync did not create, so never deletes,';
    refuse(`Its new ${t.label} is that of record "${departed.recordId}", which left the source, but ${never} that ${ctx.destinationName} record: two records would have one ${t.label}.`, `If it is that person, give the row the id "${departed.recordId}" back; if the ${t.label} was really handed on, merge or delete that record in ${ctx.destinationName}, then run again.`);
    return;
  }
  // Let through only an identifier handed on alone: with other values changed too, the ids may have been shuffled (verify,
  // seed 328096569 full, identity by id: a row took a departed record's Email and another row's values, and the departed
  // person's record was deleted while that person was in the source under this id).
  if (!t.memory.open.has(r.recordId) && !takesValuesWith(next, r.entry.snapshot, departed.snapshot, keyAndIds) && onlyIdentifiersChanged(next, r.entry.snapshot, keyAndIds)) return;
  refuse(`Its new ${t.label} is that of record "${departed.recordId}", which left the source, and its row looks like that record or its ids moved: it may be that person under this id.`, `That record is kept while a row has its ${t.label}. If it is that person, give the row the id "${departed.recordId}" back; if the ${t.label} was really handed on, delete or merge that record in ${ctx.destinationName}, and a later run sends this change.`);
}
