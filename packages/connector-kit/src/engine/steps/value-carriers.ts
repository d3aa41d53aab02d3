import type { PropertyValue, RecordSnapshot } from '../../records/types';
import { isEmpty } from '../../records/property-diff';
import type { StateEntry } from '../../state/state-store';
import { heldValues, heldVersions } from '../ledger/pending-before';
import { same } from './key-holder';

const CHUNK = 5_000;
/** A snapshot with no values: what a new row is compared from. */
const NO_VALUES: RecordSnapshot = { properties: {}, groups: [] };

/** One property's value as an index key (`name`, the value and its type); undefined for an empty value. */
export function valueKey(name: string, value: PropertyValue | undefined): string | undefined {
  return isEmpty(value) ? undefined : `${name}\u0000${typeof value}\u0000${String(value)}`;
}

/**
 * Whether a row `next` describes `other` rather than `own`: of the properties outside the
 * match key on which `own` and `other` differ, strictly more hold a non-empty value of
 * `other`'s than hold their own value, and at least two do where the row has two or more
 * non-empty values outside the key (sixth trial of stop 28: a new plan that was a departing
 * colleague's refused an ordinary change forever). An empty value is no evidence for
 * `other` (a row that only cleared fields describes nobody else), and a tie is not enough.
 */
export function describesOther(next: RecordSnapshot, own: RecordSnapshot, other: RecordSnapshot, keyOf: (s: RecordSnapshot) => string | undefined): boolean {
  const key = keyOf(next);
  let forOther = 0;
  let forOwn = 0;
  for (const name of new Set([...Object.keys(own.properties), ...Object.keys(other.properties)])) {
    const mine = own.properties[name];
    const theirs = other.properties[name];
    if (isEmpty(mine) ? isEmpty(theirs) : mine === theirs) continue;
    // Part of the match key (either value in its place changes the key): the key is compared elsewhere.
    const keyWith = (v: PropertyValue | undefined) => keyOf({ ...next, properties: { ...next.properties, [name]: v ?? null } });
    if (keyWith(mine) !== key || keyWith(theirs) !== key) continue;
    const now = next.properties[name];
    if (!isEmpty(theirs) && now === theirs) forOther++;
    else if (isEmpty(mine) ? isEmpty(now) : now === mine) forOwn++;
  }
  // Evidence on one property is not enough where the row has more to tell: one shared value (a plan, a department) is common.
  const telling = Object.keys(next.properties).filter((name) => !isEmpty(next.properties[name]) && keyOf({ ...next, properties: { ...next.properties, [name]: null } }) === key).length;
  return forOther > forOwn && forOther >= Math.min(2, telling);
}

/**
 * The properties outside the match key on which row `next` and `other` both have a value
 * and the values differ (texts compared ignoring case and surrounding spaces, see `same`).
 * A new id with a leaving record's key is that record renumbered only when this is empty:
 * one value in common (a city, a family name, a home phone) is no proof, and someone given
 * that key keeps their own values (first trial of stop 31, #17: a new id with a leaver's
 * email and only the city in common rewrote the leaver's Contact with the new person).
 */
export function differingValues(next: RecordSnapshot, other: RecordSnapshot, keyOf: (s: RecordSnapshot) => string | undefined): string[] {
  const key = keyOf(next);
  const names: string[] = [];
  for (const [name, value] of Object.entries(next.properties)) {
    const theirs = other.properties[name];
    if (isEmpty(value) || isEmpty(theirs) || same(value, theirs)) continue;
    if (keyOf({ ...next, properties: { ...next.properties, [name]: null } }) === key) names.push(name);
  }
  return names;
}

/**
 * Why row `next`, a new id with the key (or email) of `other`, a record that left, may not be
 * that record renumbered: the values that differ (`another Phone, City`), or the values of
 * `other` it lacks — `none of its other values` when it has none of them (a row with only the
 * email tells nothing: re-check of stop 31), `without its FirstName, Phone` when it has some (one city
 * in common and every other cell empty: third trial of stop 32, taken over, then overwritten
 * with the new person a run later), or the values it has where `other` had none — `with a new
 * FirstName, Phone` (a leaver with only an email was taken over by anyone with it: trial 20a
 * F3). Undefined when it may be: outside the key, it has exactly the non-empty values of `other`. With `ids` (the two records' ids), a field
 * holding each record's own id is left out: it changes with every renumbering.
 */
export function whyNotRenumbered(next: RecordSnapshot, other: RecordSnapshot, keyOf: (s: RecordSnapshot) => string | undefined, ids?: { readonly next: string; readonly other: string }): string | undefined {
  // A field holding each record's own id (the id column mapped into it) moves with the renumbering: no evidence (re-check of stop 32).
  const isId = (name: string) => ids !== undefined && same(next.properties[name], ids.next) && same(other.properties[name], ids.other);
  const differing = differingValues(next, other, keyOf).filter((name) => !isId(name));
  if (differing.length > 0) return `another ${differing.join(', ')}`;
  const key = keyOf(next);
  const outsideKey = (name: string) => keyOf({ ...next, properties: { ...next.properties, [name]: null } }) === key;
  const theirs = Object.keys(other.properties).filter((name) => !isEmpty(other.properties[name]) && outsideKey(name) && !isId(name));
  const lacking = theirs.filter((name) => isEmpty(next.properties[name]));
  if (lacking.length > 0) return lacking.length === theirs.length ? 'none of its other values' : `without its ${lacking.join(', ')}`;
  // Values the leaver never had are no evidence either: with only its Email (and a name), any newcomer with that Email took its record over and wrote its own values there (trial 20a F3).
  const added = Object.keys(next.properties).filter((name) => !isEmpty(next.properties[name]) && isEmpty(other.properties[name]) && outsideKey(name) && !isId(name));
  return added.length > 0 ? `with a new ${added.join(', ')}` : undefined;
}

/** Adds `id` under `key` (nothing for an undefined key: an empty value). */
function index(byValue: Map<string, string[]>, key: string | undefined, id: string): void {
  if (key === undefined) return;
  const ids = byValue.get(key);
  if (ids) ids.push(id);
  else byValue.set(key, [id]);
}

/** The state entries of the records leaving the source in this run, indexed by their non-empty values. */
interface Departing {
  readonly entries: ReadonlyMap<string, StateEntry>;
  readonly byValue: ReadonlyMap<string, string[]>;
  /** Match key → the departing record with it (null: several have it). */
  readonly byKey: ReadonlyMap<string, StateEntry | null>;
  /** Identifier besides the match key (`identityKeys`) → the departing records with it. */
  readonly byIdentity: ReadonlyMap<string, StateEntry[]>;
}

/**
 * Rows that describe a record leaving the source in this run rather than the person their
 * match key says (a row with state whose values changed, its key too or not, against its own last values; a new id with a
 * departing record's key, against that record's) ({@link describesOther}: the name and the rest of that record's
 * values, under a new key). Read by id, the row is its own person whose every value changed;
 * read by values, the ids were reused or renumbered, and the departing record is that
 * person, still in the source. The kit cannot tell which (fifth trial of stop 28, #17: a
 * Contact was deleted as its id left, while the person was in the source under another id
 * with a new email, and the other id's Contact was rewritten with her data), so the row is
 * refused (`identity_unclear`) and the departing record is kept (claimed by the row, see
 * `claimRecords`): nothing is deleted or written for either until the source says who is who.
 *
 * The departing records' state entries are read once per run, at the first row that needs
 * them (a run whose rows kept their keys reads none). Memory: their snapshots, while the run lasts.
 */
export class ValueCarriers {
  private departing: Promise<Departing> | undefined;
  /** Departing record id → the row describing it. */
  private readonly carriers = new Map<string, string>();
  /** Departing record id → the first new row resembling it (`remember`). */
  private readonly resembling = new Map<string, string>();
  /** Departing records described by a row with state (refused for it, see `describedBy`): never released. */
  private readonly held = new Set<string>();

  /**
   * @param readEntries the departing records' state entries: the run's reads go through its state writer, so a store
   *   that cannot be read stops the run (read as none) instead of throwing out of it (fresh reviewer 148, L2).
   */
  constructor(
    private readonly readEntries: (recordIds: readonly string[]) => Promise<ReadonlyMap<string, StateEntry>>,
    private readonly departingIds: readonly string[],
    private readonly identityKeysOf?: ((snapshot: RecordSnapshot) => readonly string[]) | undefined,
  ) {}

  /** True when some record leaves the source in this run (else no row can describe one). */
  get any(): boolean {
    return this.departingIds.length > 0;
  }

  private load(): Promise<Departing> {
    this.departing ??= (async () => {
      const entries = new Map<string, StateEntry>();
      const byValue = new Map<string, string[]>();
      const byKey = new Map<string, StateEntry | null>();
      const byIdentity = new Map<string, StateEntry[]>();
      for (let i = 0; i < this.departingIds.length; i += CHUNK) {
        for (const [id, entry] of await this.readEntries(this.departingIds.slice(i, i + CHUNK))) {
          if (entry.notFound || entry.destinationId === null) continue;
          entries.set(id, entry);
          if (entry.matchKey !== null) byKey.set(entry.matchKey, byKey.has(entry.matchKey) ? null : entry);
          for (const k of this.identityKeysOf?.(entry.snapshot) ?? []) byIdentity.set(k, [...(byIdentity.get(k) ?? []), entry]);
          // A mark's earlier versions too (what the record holds if the pending write never went out).
          for (const [name, value] of heldValues(entry.snapshot)) index(byValue, valueKey(name, value), id);
        }
      }
      return { entries, byValue, byKey, byIdentity };
    })();
    return this.departing;
  }

  /**
   * The departing records that `recordId`'s row `next` describes instead of its own state
   * `own` (see the class), by record id; `recordId` is remembered as the carrier of each
   * (the first row to describe a record is its carrier).
   */
  async describedBy(recordId: string, next: RecordSnapshot, own: StateEntry, keyOf: (s: RecordSnapshot) => string | undefined): Promise<StateEntry[]> {
    const { entries, byValue } = await this.load();
    const candidates = new Set<string>();
    for (const [name, value] of Object.entries(next.properties)) {
      const k = valueKey(name, value);
      if (k === undefined || value === own.snapshot.properties[name]) continue;
      for (const id of byValue.get(k) ?? []) candidates.add(id);
    }
    const described: StateEntry[] = [];
    for (const id of [...candidates].sort()) {
      const departed = entries.get(id) as StateEntry;
      if (id === recordId || departed.destinationId === own.destinationId) continue;
      if (!heldVersions(departed.snapshot).some((held) => describesOther(next, own.snapshot, held, keyOf))) continue;
      if (!this.carriers.has(id)) this.carriers.set(id, recordId);
      this.held.add(id);
      described.push(departed);
    }
    return described;
  }

  /**
   * The departing records that a new row (no state, a match key no departing record has)
   * describes ({@link describesOther} against no values of its own): that person, maybe,
   * under a new id and a new key. Remembers nothing.
   */
  async resembledBy(next: RecordSnapshot, keyOf: (s: RecordSnapshot) => string | undefined): Promise<string[]> {
    const { entries, byValue } = await this.load();
    const candidates = new Set<string>();
    for (const [name, value] of Object.entries(next.properties)) {
      const k = valueKey(name, value);
      if (k !== undefined) for (const id of byValue.get(k) ?? []) candidates.add(id);
    }
    return [...candidates].filter((id) => heldVersions((entries.get(id) as StateEntry).snapshot).some((held) => describesOther(next, NO_VALUES, held, keyOf)));
  }

  /**
   * For a row this sync has no state for: the one departing record with its match key (the
   * person the key says it is, whose values the row is compared with), if any.
   */
  async departingWithKey(key: string): Promise<StateEntry | undefined> {
    return (await this.load()).byKey.get(key) ?? undefined;
  }

  /** The departing records with identifier `key` (see `identityKeys`; none without them). */
  async departingWithIdentity(key: string): Promise<readonly StateEntry[]> {
    return (await this.load()).byIdentity.get(key) ?? [];
  }

  /** Remembers `rowId` as the carrier of departing record `departedId` unless it has one (a new row with its values: it is kept). */
  remember(departedId: string, rowId: string): void {
    if (!this.carriers.has(departedId)) this.carriers.set(departedId, rowId);
    if (!this.resembling.has(departedId)) this.resembling.set(departedId, rowId);
  }

  /**
   * Holds departing record `departedId` for row `rowId`, refused for it in this run (it found
   * that record, but is not clearly that person): kept, and never released while it is held.
   */
  hold(departedId: string, rowId: string): void {
    if (!this.carriers.has(departedId)) this.carriers.set(departedId, rowId);
    this.held.add(departedId);
  }

  /**
   * The first new row resembling departing record `recordId` ({@link remember}), unless a
   * row with state describes it (refused for it, so the record stays tracked until the
   * source says who is who). If that row was written as a record of its own, the departing
   * record is released: kept, and no longer tracked (see `claimRecords`).
   */
  releasableTo(recordId: string): string | undefined {
    return this.held.has(recordId) ? undefined : this.resembling.get(recordId);
  }

  /** The row that describes departing record `recordId` (refused for it in this run), if any. */
  carrierOf(recordId: string): string | undefined {
    return this.carriers.get(recordId);
  }
}
