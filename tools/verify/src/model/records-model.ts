import type { PropertyValue, RecordSnapshot, SyncMode } from '@syncmodes/connector-kit';
import type { ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { RowComparer } from './row-compare';
import { emptiedRows, wholeRowMoves, type WindowView } from './window-rules';

/** A destination record in the model. */
export interface ModelRecord {
  readonly pid: number;
  key: string;
  properties: Record<string, PropertyValue>;
  groups: Set<string>;
  alive: boolean;
  /** Seeded (made by people or other tools), as opposed to created by the sync. */
  readonly foreign: boolean;
  /**
   * Released (kept, no longer tracked) in a run whose state failed, and reported so
   * (`skipped:rekeyed`) or not sent: which later run decides it, and how, depends on what
   * that run recorded, so the data checks leave it out. (A release reported failed
   * `state_unwritable` is not uncertain: the sync still tracks it, see `keepTracking`.)
   */
  uncertain?: boolean | undefined;
}

interface Entry {
  pid: number;
  key: string;
  /** The keys the record was last exported with is found by, in order (see {@link RecordsModelOptions.lookupKeys}). */
  lookup: readonly string[];
  properties: Record<string, PropertyValue>;
  groups: Set<string>;
  hash: string;
  owned: boolean;
  departed: boolean;
  /** False while the sync's state does not know the destination record's id (a create sent but not recorded). */
  idKnown: boolean;
  /**
   * Earlier values the record may still hold, newest first: its updates were sent but not
   * recorded (the kit's write-ahead mark and its `StateSnapshot.before`), until a run records it.
   */
  earlier?: readonly Record<string, PropertyValue>[] | undefined;
}

/** What an entry's record may hold: its last values, then the earlier ones of unrecorded updates (the kit's `heldVersions`). */
const heldVersions = (e: Entry): readonly Record<string, PropertyValue>[] => [e.properties, ...(e.earlier ?? [])];

/** How the model tells records apart, restated from the destination's documented matching. */
export interface RecordsModelOptions {
  /** The record's normalised match key (what the destination stores it under). */
  readonly keyOf: (r: ConformanceRecord) => string | undefined;
  /**
   * The keys a lookup for the record tries, in order: the first that matches any
   * destination record decides (default: the match key alone). Intercom: the external_id,
   * then the email (which finds contacts that have no external_id).
   */
  readonly lookupKeys?: ((r: ConformanceRecord) => readonly string[]) | undefined;
  /**
   * A removed record keeps its key (Intercom archives a departed contact; a new contact with
   * its external_id meets a 409 naming it): a create with that key restores that record
   * and writes the whole new record onto it — `updated`, not owned.
   */
  readonly removedKeepKeys?: boolean | undefined;
  /**
   * The destination remembers a record it did not find (its `recheckNotFoundAfterMs` is over
   * 0: OneSignal): while that record's row is unchanged it is not looked up again, nor
   * compared with the run's other rows (never within a history: the window is a day).
   */
  readonly remembersNotFound?: boolean | undefined;
  /**
   * How the sync's state fingerprints a row (the kit's `snapshotHash`): the not-found memory
   * holds it, so what the model remembers can be settled from the state (see
   * {@link RecordsModel.settleNotFound}). Default: the model's own fingerprint.
   */
  readonly rowHash?: ((r: ConformanceRecord) => string) | undefined;
}

/** The mode table, restated here so the model does not share code with the engine. */
const MODE_OPERATIONS: Record<SyncMode, { create: boolean; update: boolean; delete: boolean }> = {
  sync: { create: true, update: true, delete: true },
  additive: { create: true, update: true, delete: false },
  enrich: { create: false, update: true, delete: false },
};

/** What identifies an exported snapshot (the model's own canonical form). */
function fingerprint(snapshot: RecordSnapshot): string {
  const properties = Object.entries(snapshot.properties).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([properties, [...new Set(snapshot.groups)].sort()]);
}

const empty = (v: PropertyValue | undefined) => v === undefined || v === null || v === '';

/** Non-empty properties (what a create or a first match writes). */
function present(properties: Readonly<Record<string, PropertyValue>>): Record<string, PropertyValue> {
  return Object.fromEntries(Object.entries(properties).filter(([, v]) => !empty(v)));
}

/** Properties whose value differs from last time; an emptied one maps to null (cleared). */
function changed(before: Readonly<Record<string, PropertyValue>>, after: Readonly<Record<string, PropertyValue>>): Record<string, PropertyValue> {
  const out: Record<string, PropertyValue> = {};
  for (const [k, v] of Object.entries(after)) {
    if (empty(v)) {
      if (!empty(before[k])) out[k] = null;
    } else if (v !== before[k]) out[k] = v;
  }
  return out;
}

/** The outcome the model expects for one record of a run (`outcome` or `outcome:code`). */
export type ExpectedOutcomes = Map<string, string>;

/** The model at one moment (see {@link RecordsModel.checkpoint}). */
export interface RecordsCheckpoint {
  readonly records: readonly ModelRecord[];
  readonly entries: ReadonlyMap<string, Entry>;
  readonly notFound: ReadonlyMap<string, string>;
  readonly nextPid: number;
}

const copyEntry = (e: Entry): Entry => ({ ...e, properties: { ...e.properties }, groups: new Set(e.groups) });

/** The destination record the sync's state names for an entry (the tie-breaker among several matches), if it knows it. */
const known = (e: Entry | undefined): number | undefined => (e?.idKnown ? e.pid : undefined);

/** Which record a lookup meant: none, one, or several (never guessed). */
type Match = { kind: 'none' } | { kind: 'one'; record: ModelRecord } | { kind: 'ambiguous' };

/** A record of the source that gets a write (or fails) this run, after the lookups. */
interface Planned {
  readonly r: ConformanceRecord;
  readonly key: string;
  readonly hash: string;
  readonly entry: Entry | undefined;
  readonly found: ModelRecord | undefined;
  /** Crossed keys: the records giving this record's new key up in this run. */
  readonly crossedFrom: readonly string[] | undefined;
}

/**
 * The sync-mode contract as an executable model: what a destination must hold after a run
 * in which every record succeeded. It is written from the contract (the notes' rules), not
 * from the engine, so the two can disagree:
 *
 * - every lookup of a run sees the destination as it was before the run's writes; a key
 *   matching several records is ambiguous — the record fails (`ambiguous_match`) and none
 *   of them is written — unless one of them is the record this sync wrote before;
 * - found by the previous key first, then the current one; updated in place (a new key
 *   another record has fails `match_key_taken` — unless the keys crossed: that record is
 *   tracked only for records still in the source that had the key and moved off it);
 * - two source records resolving to one destination record: the one whose state names it,
 *   else the first in source order, keeps it; the other fails `duplicate_destination_record`;
 * - a first match sends only present properties; later runs send changes, empties clear;
 * - not found → created where the mode may create, else skipped `not_found` (where the destination
 *   remembers it, `remembersNotFound`: not looked up again nor compared with other rows while its row is unchanged);
 * - left the source → deleted only in sync and only if the sync created it, else kept and
 *   taken out of its managed groups (`delete_not_allowed` / `not_owned`) — unless a record
 *   still in the source has its destination record or its key (a re-key, `rekeyed`: never
 *   deleted, it leaves the managed groups that record is not in, and that record inherits
 *   its ownership) — a record holding only its key while the sync tracks it under another
 *   destination record of its own is someone else: the departure goes ahead;
 * - duplicate match keys fail all their rows; managed groups follow the source.
 */
export class RecordsModel {
  readonly records: ModelRecord[] = [];
  private readonly entries = new Map<string, Entry>();
  private nextPid = 1;
  private readonly keyOf: RecordsModelOptions['keyOf'];
  private readonly lookupKeys: NonNullable<RecordsModelOptions['lookupKeys']>;
  private readonly removedKeepKeys: boolean;
  private readonly remembersNotFound: boolean;
  private readonly rowHash: (r: ConformanceRecord) => string;
  /** Compares rows with records outside the match key (the kit's identity rules). */
  private readonly compare: RowComparer;
  /** What the rules comparing a window's rows read of the model. */
  private readonly windowView: WindowView;
  /** Records looked up and not found (`remembersNotFound`): id → the `rowHash` of the row then (the kit's not-found memory). */
  private readonly notFound = new Map<string, string>();
  /** In the run being applied: departing record id → the row that describes it (refused `identity_unclear`; the kit's `ValueCarriers`). */
  private readonly carriers = new Map<string, string>();
  /** In the run being applied: departing record id → the first new row resembling it (the kit's `ValueCarriers.remember`). */
  private readonly resembling = new Map<string, string>();
  /** In the run being applied: departing records a row with state describes (the kit's `ValueCarriers.held`: never released). */
  private readonly held = new Set<string>();
  /** The records the run last applied released (kept, no longer tracked): departed id → pid. */
  readonly released = new Map<string, number>();

  constructor(
    private readonly mode: SyncMode,
    options: RecordsModelOptions,
  ) {
    this.keyOf = options.keyOf;
    this.lookupKeys = options.lookupKeys ?? ((r) => [this.keyOf(r) as string]);
    this.removedKeepKeys = options.removedKeepKeys === true;
    this.remembersNotFound = options.remembersNotFound === true;
    this.rowHash = options.rowHash ?? ((r) => fingerprint(r.snapshot));
    this.compare = new RowComparer(this.keyOf);
    this.windowView = {
      compare: this.compare,
      idKnown: (id) => this.entries.get(id)?.idKnown === true,
      lastValues: (id) => (this.entries.get(id) as Entry).properties,
      keepsItsValues: (r) => this.keepsItsValues(r),
    };
  }

  /** Adds a record made by people or other tools. */
  seed(r: ConformanceRecord): void {
    const key = this.keyOf(r);
    if (key === undefined) throw new Error('seed record without key');
    this.records.push({ pid: this.nextPid++, key, properties: present(r.snapshot.properties), groups: new Set(r.snapshot.groups), alive: true, foreign: true });
  }

  /**
   * Keys of records this sync wrote and still tracks by id, held by no other record: where
   * a copy would make a later lookup find two (the sync's state then says which is its own).
   */
  copyCandidates(): Set<string> {
    const out = new Set<string>();
    for (const e of this.entries.values()) {
      const record = this.records.find((p) => p.pid === e.pid && p.alive);
      if (!e.departed && e.idKnown && record && this.records.filter((p) => p.alive && p.key === record.key).length === 1) out.add(record.key);
    }
    return out;
  }

  /** The alive records the first of `keys` that matches anything finds. */
  private find(keys: readonly string[]): ModelRecord[] {
    for (const key of keys) {
      const hits = this.records.filter((p) => p.alive && p.key === key);
      if (hits.length > 0) return hits;
    }
    return [];
  }

  /** One match, the record the sync wrote before among several (`knownPid`), or ambiguous. */
  private decide(hits: readonly ModelRecord[], knownPid: number | undefined): Match {
    if (hits.length === 0) return { kind: 'none' };
    if (hits.length === 1) return { kind: 'one', record: hits[0] as ModelRecord };
    const known = hits.find((p) => p.pid === knownPid);
    return known ? { kind: 'one', record: known } : { kind: 'ambiguous' };
  }

  /**
   * Applies one run; returns the outcome expected for each record. Every record succeeds,
   * except those in `unsent`: a run that stopped looked them up and planned them like the
   * others, but sent nothing for them (nor for their departure), so neither the destination
   * nor the sync's state changed for them.
   */
  apply(source: readonly ConformanceRecord[], unsent: ReadonlySet<string> = new Set()): ExpectedOutcomes {
    this.released.clear();
    const out: ExpectedOutcomes = new Map();
    const seen = new Set(source.map((r) => r.id));
    this.carriers.clear();
    this.resembling.clear();
    this.held.clear();
    const planned = this.lookUp(source, out, seen);
    this.write(this.claim(planned, seen, out).filter((p) => !unsent.has(p.r.id)), out);
    this.depart(source, seen, out, unsent);
    // A row with an unrecorded write is sent again and recorded, unless the run stopped first (see `unrecordedWrites`).
    for (const [id, outcome] of out) {
      const entry = this.entries.get(id);
      if (entry && outcome === 'unchanged' && !unsent.has(id)) entry.earlier = undefined;
    }
    // A record remembered as not found that left the source is forgotten (the kit's forgottenNotFound).
    for (const id of this.notFound.keys()) if (!seen.has(id)) this.notFound.delete(id);
    return out;
  }

  /** True when `r` was not found when last looked up and its row has not changed since: it is skipped without a lookup or any comparison. */
  private rememberedNotFound(r: ConformanceRecord): boolean {
    return this.notFound.get(r.id) === this.rowHash(r);
  }

  /** The ids the model remembers as not found. */
  notFoundIds(): string[] {
    return [...this.notFound.keys()];
  }

  /**
   * What the sync's state holds of the not-found memory after a run whose faults or failing
   * state store decided which lookups completed and which writes went through: for each of
   * `ids`, the `rowHash` it remembers (an older row's, when the run's own write of it failed
   * or the changed row was refused), or nothing. A remembered row is skipped while it has that
   * row again; one the run could not forget (it left the source) is still remembered.
   */
  settleNotFound(ids: Iterable<string>, remembered: ReadonlyMap<string, string>): void {
    for (const id of ids) {
      const hash = remembered.get(id);
      if (hash === undefined) this.notFound.delete(id);
      else this.notFound.set(id, hash);
    }
  }

  /** Every changed record looked up against the destination as it is before the run's writes. */
  private lookUp(source: readonly ConformanceRecord[], out: ExpectedOutcomes, seen: ReadonlySet<string>): Planned[] {
    const keyCount = new Map<string, number>();
    for (const r of source) {
      const k = this.keyOf(r);
      if (k !== undefined) keyCount.set(k, (keyCount.get(k) ?? 0) + 1);
    }
    const refusals = this.valueRefusals(source, keyCount, seen);
    const planned: Planned[] = [];
    for (const r of source) {
      const key = this.keyOf(r) as string;
      if ((keyCount.get(key) ?? 0) > 1) {
        out.set(r.id, 'failed:duplicate_match_key');
        continue;
      }
      const entry = this.entries.get(r.id);
      const hash = fingerprint(r.snapshot);
      if (entry && !entry.departed && entry.hash === hash) {
        out.set(r.id, 'unchanged');
        continue;
      }
      if (this.rememberedNotFound(r)) {
        out.set(r.id, 'skipped:not_found');
        continue;
      }
      let found: ModelRecord | undefined;
      let crossedFrom: string[] | undefined;
      const refusal = refusals.get(r.id);
      if (refusal !== undefined) {
        out.set(r.id, refusal);
        continue;
      }
      if (entry && entry.key !== key) {
        // Its key changed: found by the previous key first; its new key must not belong to another record.
        const before = this.decide(this.find(entry.lookup), known(entry));
        if (before.kind === 'ambiguous') {
          out.set(r.id, 'failed:ambiguous_match');
          continue;
        }
        if (before.kind === 'one') {
          found = before.record;
          const others = this.find(this.lookupKeys(r)).filter((p) => p !== found);
          // Keys that crossed (a swap) are let through: the one other record with the key is tracked only for records still in the source that had this key.
          crossedFrom = others.length === 1 ? this.crossed(others[0] as ModelRecord, key, source) : undefined;
          if (others.length > 0 && crossedFrom === undefined) {
            out.set(r.id, 'failed:match_key_taken');
            continue;
          }
        }
      }
      if (!found) {
        const match = this.decide(this.find(this.lookupKeys(r)), known(entry));
        if (match.kind === 'ambiguous') {
          out.set(r.id, 'failed:ambiguous_match');
          continue;
        }
        if (match.kind === 'one') found = match.record;
      }
      planned.push({ r, key, hash, entry, found, crossedFrom });
    }
    return this.waitForRefused(planned, out);
  }

  /** A crossing waits while a record giving the key up is itself refused in this run (a chain), as the kit's `settleTaken` does. */
  private waitForRefused(planned: Planned[], out: ExpectedOutcomes): Planned[] {
    let kept = planned;
    for (let changed = true; changed; ) {
      const waiting = kept.filter((p) => p.crossedFrom?.some((id) => out.get(id)?.startsWith('failed:')));
      for (const p of waiting) out.set(p.r.id, 'failed:match_key_taken');
      kept = kept.filter((p) => !waiting.includes(p));
      changed = waiting.length > 0;
    }
    return kept;
  }

  /** Gives each destination record to one source record: the one whose state names it, else the first to find it. */
  private claim(planned: readonly Planned[], seen: ReadonlySet<string>, out: ExpectedOutcomes): Planned[] {
    const claimed = new Map<number, string>();
    const kept: Planned[] = [];
    for (const p of planned) {
      if (p.found) {
        const pid = p.found.pid;
        const byRun = claimed.get(pid);
        const byState = [...this.entries].find(([id, e]) => id !== p.r.id && seen.has(id) && e.idKnown && e.pid === pid)?.[0];
        if ((byRun !== undefined && byRun !== p.r.id) || byState !== undefined) {
          out.set(p.r.id, 'failed:duplicate_destination_record');
          continue;
        }
        claimed.set(pid, p.r.id);
      }
      kept.push(p);
    }
    return kept;
  }

  /** Updates what was found, creates what was not (where the mode may). */
  private write(planned: readonly Planned[], out: ExpectedOutcomes): void {
    const ops = MODE_OPERATIONS[this.mode];
    for (const { r, key, hash, entry, found } of planned) {
      const lookup = this.lookupKeys(r);
      if (found) {
        this.notFound.delete(r.id);
        const changes = entry ? changed(entry.properties, r.snapshot.properties) : present(r.snapshot.properties);
        for (const [f, v] of Object.entries(changes)) {
          if (v === null) delete found.properties[f];
          else found.properties[f] = v;
        }
        const before = entry ? entry.groups : new Set<string>();
        const after = new Set(r.snapshot.groups);
        for (const g of before) if (!after.has(g)) found.groups.delete(g);
        for (const g of after) found.groups.add(g);
        const changedKey = found.key !== key;
        found.key = key;
        const groupChange = [...after].some((g) => !before.has(g)) || [...before].some((g) => !after.has(g));
        out.set(r.id, Object.keys(changes).length > 0 || groupChange || changedKey ? 'updated' : 'unchanged');
        const owned = entry !== undefined && entry.pid === found.pid && entry.owned;
        this.entries.set(r.id, { pid: found.pid, key, lookup, properties: { ...r.snapshot.properties }, groups: after, hash, owned, departed: false, idKnown: true });
      } else if (ops.create && this.removedKeepKeys && this.records.some((p) => !p.alive && p.key === key)) {
        const restored = this.records.find((p) => !p.alive && p.key === key) as ModelRecord;
        restored.alive = true;
        restored.properties = present(r.snapshot.properties);
        for (const g of r.snapshot.groups) restored.groups.add(g);
        out.set(r.id, 'updated');
        this.entries.set(r.id, { pid: restored.pid, key, lookup, properties: { ...r.snapshot.properties }, groups: new Set(r.snapshot.groups), hash, owned: false, departed: false, idKnown: true });
      } else if (ops.create) {
        const created: ModelRecord = { pid: this.nextPid++, key, properties: present(r.snapshot.properties), groups: new Set(r.snapshot.groups), alive: true, foreign: false };
        this.records.push(created);
        out.set(r.id, 'created');
        this.entries.set(r.id, { pid: created.pid, key, lookup, properties: { ...r.snapshot.properties }, groups: new Set(r.snapshot.groups), hash, owned: true, departed: false, idKnown: true });
      } else {
        out.set(r.id, 'skipped:not_found');
        if (this.remembersNotFound) this.notFound.set(r.id, this.rowHash(r));
      }
    }
  }

  /** The records that left the source (looked up after the run's writes). */
  private depart(source: readonly ConformanceRecord[], seen: ReadonlySet<string>, out: ExpectedOutcomes, unsent: ReadonlySet<string>): void {
    const ops = MODE_OPERATIONS[this.mode];
    for (const [id, entry] of [...this.entries]) {
      if (seen.has(id) || unsent.has(id)) continue;
      const deletable = ops.delete && entry.owned;
      if (entry.departed && !deletable) continue;
      const match = this.decide(this.find(entry.lookup), known(entry));
      if (match.kind === 'ambiguous') {
        out.set(id, 'failed:ambiguous_match');
        continue;
      }
      if (match.kind === 'none') {
        out.set(id, 'skipped:not_found');
        this.entries.delete(id);
        continue;
      }
      const found = match.record;
      const byRecordOrKey = this.holderOf(id, found, entry, source, seen);
      if (byRecordOrKey === undefined && this.releasedTo(id, found)) {
        // A new row with its values was written as a record of its own: kept as it is, and forgotten (the kit's releasedByValues).
        out.set(id, 'skipped:rekeyed');
        this.entries.delete(id);
        this.released.set(id, found.pid);
        continue;
      }
      const holder = byRecordOrKey ?? this.carriers.get(id);
      if (holder !== undefined) {
        // The same person under another id: never deleted; it leaves the managed groups the holder is not in.
        out.set(id, 'skipped:rekeyed');
        // Inherited only by a holder whose own entry is that record (a holder that has not
        // written it — its row failed, or it tracks another record — changes nothing yet).
        const inheritor = this.entries.get(holder);
        if (inheritor && inheritor.pid === found.pid) {
          for (const g of entry.groups) if (!inheritor.groups.has(g)) found.groups.delete(g);
          inheritor.owned ||= entry.owned;
          this.entries.delete(id);
        }
        continue;
      }
      if (deletable) {
        found.alive = false;
        out.set(id, 'deleted');
        this.entries.delete(id);
        continue;
      }
      for (const g of entry.groups) found.groups.delete(g);
      entry.groups = new Set();
      entry.departed = true;
      out.set(id, ops.delete ? 'skipped:not_owned' : 'skipped:delete_not_allowed');
    }
  }

  /** True when the first new row resembling departing record `id` (none describing it with state) now has an entry of its own, for another destination record. */
  private releasedTo(id: string, found: ModelRecord): boolean {
    const row = this.held.has(id) ? undefined : this.resembling.get(id);
    const written = row === undefined ? undefined : this.entries.get(row);
    return written !== undefined && written.idKnown && written.pid !== found.pid;
  }

  /** The record in the source (other than `id`) that has this departing entry's destination record, or its key. */
  private holderOf(id: string, found: ModelRecord, entry: Entry, source: readonly ConformanceRecord[], seen: ReadonlySet<string>): string | undefined {
    for (const [other, e] of this.entries) if (other !== id && seen.has(other) && e.idKnown && e.pid === found.pid) return other;
    const holders = source.filter((r) => r.id !== id && this.keyOf(r) === entry.key);
    const byKey = holders[0]?.id;
    if (byKey === undefined) return undefined;
    // Several records have its key (all refused, duplicate_match_key): any may be the departed person, so it is kept (the kit's keyHeldBySeveral).
    if (holders.length > 1) return byKey;
    // A record this sync tracks under another destination record of its own is not the departed
    // person (the kit's mayBeSamePerson): the departure is a departure, and its new key waits —
    // unless another record now has that record's previous key (ids renumbered or reused: the
    // departed person may still be in the source), then the departed record is kept…
    const held = this.entries.get(byKey);
    if (held === undefined || !held.idKnown || held.pid === found.pid) return byKey;
    if (source.some((r) => r.id !== byKey && this.keyOf(r) === held.key)) return byKey;
    // …or unless the holder's row took any of the departed record's other values with its key (the kit's takesValuesWith).
    const row = source.find((r) => r.id === byKey) as ConformanceRecord;
    return this.compare.takesValues(row, held.properties, entry.properties) ? byKey : undefined;
  }

  /**
   * True when `r`'s row (changed, its key too or not) describes records leaving the source rather than
   * its own last values (the kit's `ValueCarriers`): each such record gets `r` as its carrier
   * (the first row to describe it), and is kept.
   */
  private describesDeparting(r: ConformanceRecord, own: Entry, seen: ReadonlySet<string>): boolean {
    let any = false;
    for (const id of [...this.entries.keys()].sort()) {
      const e = this.entries.get(id) as Entry;
      if (!this.isDeparting(id, e, seen) || e.pid === own.pid) continue;
      if (!heldVersions(e).some((held) => this.compare.describes(r, own.properties, held))) continue;
      if (!this.carriers.has(id)) this.carriers.set(id, r.id);
      this.held.add(id);
      any = true;
    }
    return any;
  }

  /**
   * The kit's refusals before any lookup, in its order: key moves that do not close a cycle
   * (`refuseOpenKeyMoves`: match_key_taken); rows describing a departing record (its
   * `ValueCarriers`: identity_unclear, the departing record kept — also for a row refused
   * for a key move); then pairs of rows whose keys both changed, one carrying the other's
   * last values (both identity_unclear).
   */
  private valueRefusals(source: readonly ConformanceRecord[], keyCount: ReadonlyMap<string, number>, seen: ReadonlySet<string>): Map<string, string> {
    const refusals = new Map<string, string>();
    const considered = source.filter((r) => {
      const entry = this.entries.get(r.id);
      return (keyCount.get(this.keyOf(r) as string) ?? 0) <= 1 && !(entry && !entry.departed && entry.hash === fingerprint(r.snapshot)) && !this.rememberedNotFound(r);
    });
    const resembled = this.noteLookAlikes(source, considered, keyCount, seen);
    const moved = considered.filter((r) => this.refuseRow(r, source, seen, resembled, refusals));
    for (const r of moved) {
      const own = this.entries.get(r.id) as Entry;
      for (const o of moved) {
        const other = this.entries.get(o.id) as Entry;
        if (o === r || other.pid === own.pid || !this.compare.describes(r, own.properties, other.properties)) continue;
        refusals.set(r.id, 'failed:identity_unclear');
        refusals.set(o.id, 'failed:identity_unclear');
      }
    }
    for (const id of this.lostValues(considered, refusals)) refusals.set(id, 'failed:identity_unclear');
    const moves = wholeRowMoves(considered, refusals, this.windowView);
    const emptied = emptiedRows(considered, refusals, this.windowView);
    for (const id of [...moves, ...emptied]) refusals.set(id, 'failed:identity_unclear');
    return refusals;
  }

  /**
   * Departing records new rows resemble, kept as maybe that person under a new id (the kit's
   * `keepLookAlikes` and `ValueCarriers.remember`): fills `carriers` and `resembling`; returns
   * departing record id → the first new row (no state, a key no departing record has) resembling it.
   */
  private noteLookAlikes(source: readonly ConformanceRecord[], considered: readonly ConformanceRecord[], keyCount: ReadonlyMap<string, number>, seen: ReadonlySet<string>): Map<string, string> {
    const resembles = (r: ConformanceRecord, id: string, e: Entry) => this.isDeparting(id, e, seen) && heldVersions(e).some((held) => this.compare.describes(r, {}, held));
    // A new id refused for a shared key that resembles a departing record keeps it (the kit's keepLookAlikes, read before the window's rows).
    for (const r of source) {
      if (this.entries.has(r.id) || (keyCount.get(this.keyOf(r) as string) ?? 0) <= 1) continue;
      for (const [id, e] of this.entries) {
        if (!resembles(r, id, e)) continue;
        if (!this.carriers.has(id)) this.carriers.set(id, r.id);
        if (!this.resembling.has(id)) this.resembling.set(id, r.id);
      }
    }
    const resembled = new Map<string, string>();
    for (const r of considered) {
      // Not in enrich mode (the kit's newRowsResembling: a new row there is never written, and one remembered as not found is not read again).
      if (!MODE_OPERATIONS[this.mode].create || this.entries.has(r.id) || this.departingWithKey(this.keyOf(r) as string, seen)) continue;
      for (const [id, e] of this.entries) {
        if (!resembles(r, id, e)) continue;
        if (!resembled.has(id)) resembled.set(id, r.id);
        // Maybe that person under a new id: the departing record is kept (the kit's ValueCarriers.remember).
        if (!this.carriers.has(id)) this.carriers.set(id, r.id);
        if (!this.resembling.has(id)) this.resembling.set(id, r.id);
      }
    }
    return resembled;
  }

  /**
   * The refusals of one row compared with departing records and earlier leavers (set in
   * `refusals`); true when its key moved and it is left to compare with the window's other
   * key moves (a move already sent, its write unrecorded and resent as it was, is none: the kit's keepsItsValues).
   */
  private refuseRow(r: ConformanceRecord, source: readonly ConformanceRecord[], seen: ReadonlySet<string>, resembled: ReadonlyMap<string, string>, refusals: Map<string, string>): boolean {
    const key = this.keyOf(r) as string;
    const entry = this.entries.get(r.id);
    const keyMoved = entry !== undefined && entry.key !== key;
    if (keyMoved && this.openKeyMove(r, entry, source)) refusals.set(r.id, 'failed:match_key_taken');
    const compared = entry ?? this.departingWithKey(key, seen);
    if (compared && this.describesDeparting(r, compared, seen)) {
      if (!refusals.has(r.id)) refusals.set(r.id, 'failed:identity_unclear');
      return false;
    }
    // A new id with a departing record's key but none of its values, while a new row has them.
    const departedId = !entry && compared ? [...this.entries].find(([, e]) => e === compared)?.[0] : undefined;
    const other = departedId === undefined ? undefined : resembled.get(departedId);
    if (compared && !entry && other !== undefined && other !== r.id && !this.compare.describes(r, {}, compared.properties)) {
      refusals.set(r.id, 'failed:identity_unclear');
      // The new row with its values is refused too.
      if (!refusals.has(other)) refusals.set(other, 'failed:identity_unclear');
      return false;
    }
    // A new id with a departing record's key and any value other than that record's (the kit's differingValues), in every mode.
    if (compared && !entry && this.compare.differsFrom(r, compared.properties)) {
      refusals.set(r.id, 'failed:identity_unclear');
      return false;
    }
    // A new id with the key of a record that left in an earlier run and was kept there, and other values than its (the kit's
    // refuseEarlierLeavers: full verify, seed 697798702, state faults 697805812#0 — the model expected that record updated),
    // which reads the record the row's lookup found: where its key finds several, ambiguous_match comes first (a sample of
    // the state-fault histories, seed 5173, tiny/enrich: a copy of the kept record shared its key).
    const leaver = entry ? undefined : this.keptLeaverWithKey(key, seen);
    const found = leaver ? this.find(this.lookupKeys(r)) : [];
    if (leaver && found.length === 1 && found[0]?.pid === leaver.pid && this.compare.differsFrom(r, leaver.properties)) {
      refusals.set(r.id, 'failed:identity_unclear');
      return false;
    }
    return keyMoved && !refusals.has(r.id) && !this.keepsItsValues(r);
  }

  /**
   * A record whose values a new row took (its key changed too, or not): both ids (the kit's
   * `newRowsWithLostValues`). A changed record refused already (it describes a departing record)
   * still lost its values: the new row carrying them is refused too.
   */
  private lostValues(considered: readonly ConformanceRecord[], refusals: ReadonlyMap<string, string>): string[] {
    const out: string[] = [];
    for (const c of considered) {
      const e = this.entries.get(c.id);
      // Rows refused for a key move (before this step, in the kit) are not compared.
      if (!e || !e.idKnown || refusals.get(c.id) === 'failed:match_key_taken') continue;
      for (const n of considered) if (!this.entries.has(n.id) && !refusals.has(n.id) && this.compare.describes(n, c.snapshot.properties, e.properties)) out.push(c.id, n.id);
    }
    return out;
  }

  /** A record of the state that leaves the source in this run (the kit's `departing`, with a known destination record). */
  private isDeparting(id: string, e: Entry, seen: ReadonlySet<string>): boolean {
    const ops = MODE_OPERATIONS[this.mode];
    return !seen.has(id) && e.idKnown && !(e.departed && !(ops.delete && e.owned));
  }

  /** The one record with match key `key` that left the source in an earlier run and was kept (this run does not delete it), none when several have it. */
  private keptLeaverWithKey(key: string, seen: ReadonlySet<string>): Entry | undefined {
    const withKey = [...this.entries].filter(([id, e]) => e.key === key && e.departed && e.idKnown && !seen.has(id) && !this.isDeparting(id, e, seen));
    return withKey.length === 1 ? withKey[0]?.[1] : undefined;
  }

  /**
   * True when `r`'s row holds what its row said last (its groups changed, or an unrecorded write
   * is resent as it was; not the values before that write). The rules comparing the window's
   * rows leave it out, as an unchanged row (the kit's `keepsItsValues`).
   */
  private keepsItsValues(r: ConformanceRecord): boolean {
    const entry = this.entries.get(r.id);
    const blank = (v: PropertyValue | undefined) => v === undefined || v === null || v === '';
    return entry !== undefined && Object.entries(r.snapshot.properties).every(([k, v]) => (blank(v) ? blank(entry.properties[k]) : entry.properties[k] === v));
  }

  /** The one departing record with match key `key` (none when several have it). */
  private departingWithKey(key: string, seen: ReadonlySet<string>): Entry | undefined {
    const withKey = [...this.entries].filter(([id, e]) => e.key === key && this.isDeparting(id, e, seen));
    return withKey.length === 1 ? withKey[0]?.[1] : undefined;
  }

  /**
   * True when another source record now has the key `r` had (`entry.key`) and following
   * "who has my previous key now" from it does not come back to `r` (a swap or a rotation
   * does), or comes back while a row of the cycle carries the values of the record whose key
   * it took (ids swapped or rotated): the kit's key-moves rule (`refuseOpenKeyMoves`) refuses `r`.
   */
  private openKeyMove(r: ConformanceRecord, entry: Entry, source: readonly ConformanceRecord[]): boolean {
    const holderOf = (key: string) => source.find((x) => this.keyOf(x) === key)?.id;
    const taker = holderOf(entry.key);
    if (taker === undefined || taker === r.id) return false;
    const cycle = [r.id];
    const visited = new Set(cycle);
    let at = taker;
    while (!visited.has(at)) {
      visited.add(at);
      cycle.push(at);
      const previous = this.entries.get(at)?.key;
      if (previous === undefined || holderOf(previous) === at) return true;
      const next = holderOf(previous);
      if (next === undefined) return true;
      at = next;
    }
    if (at !== r.id) return true;
    // A closed cycle is refused too when a row in it carries the values of the record whose key it took (ids swapped or rotated, the kit's
    // carriedAround), or when a record of it failed before (its key on several rows): its values cannot be compared.
    return cycle.some((id, i) => {
      const giver = this.entries.get(id);
      const takerId = cycle[(i + 1) % cycle.length] as string;
      const held = this.entries.get(takerId);
      const row = source.find((x) => x.id === takerId);
      if (row !== undefined && source.filter((x) => this.keyOf(x) === this.keyOf(row)).length > 1) return true;
      return giver !== undefined && held !== undefined && row !== undefined && this.compare.takesValues(row, held.properties, giver.properties);
    });
  }

  /**
   * The ids of the records giving `key` up when every entry tracking `p` belongs to a record
   * still in the source that had `key` and no longer has it (the kit's crossing rule,
   * `settleTaken`); else undefined.
   */
  private crossed(p: ModelRecord, key: string, source: readonly ConformanceRecord[]): string[] | undefined {
    const tracking = [...this.entries].filter(([, e]) => e.idKnown && e.pid === p.pid);
    const inSource = new Set(source.map((r) => r.id));
    const crossed = tracking.length > 0 && tracking.every(([id, e]) => inSource.has(id) && e.key === key && source.find((r) => r.id === id && this.keyOf(r) !== key) !== undefined);
    return crossed ? tracking.map(([id]) => id) : undefined;
  }

  /** The model as it is now, to go back to (see {@link restore}). */
  checkpoint(): RecordsCheckpoint {
    return {
      records: this.records.map((p) => ({ ...p, properties: { ...p.properties }, groups: new Set(p.groups) })),
      entries: new Map([...this.entries].map(([id, e]) => [id, copyEntry(e)])),
      notFound: new Map(this.notFound),
      nextPid: this.nextPid,
    };
  }

  /** Goes back to a checkpoint (to apply a run again, knowing which records it did not send). */
  restore(cp: RecordsCheckpoint): void {
    this.records.splice(0, this.records.length, ...cp.records.map((p) => ({ ...p, properties: { ...p.properties }, groups: new Set(p.groups) })));
    this.entries.clear();
    for (const [id, e] of cp.entries) this.entries.set(id, copyEntry(e));
    this.notFound.clear();
    for (const [id, hash] of cp.notFound) this.notFound.set(id, hash);
    this.nextPid = cp.nextPid;
  }

  /**
   * Records whose create was sent but not recorded (their state failed): the sync's state
   * has their write-ahead mark without the new record's id, so until a run records it the
   * sync cannot tell its record from a copy with the same key.
   */
  unrecordedCreates(ids: readonly string[]): void {
    for (const id of ids) {
      const e = this.entries.get(id);
      if (e && e.owned && !this.records.find((p) => p.pid === e.pid)?.foreign) e.idKnown = false;
    }
  }

  /**
   * Records whose write the run sent but could not record (their state failed,
   * `state_unwritable`): the sync's state keeps their write-ahead mark, with the values it
   * replaced (the kit's `StateSnapshot.before`), until a run records it. A row resembling the
   * record's earlier values may be that person (the kit compares a departing record's every
   * version). A mark sent again unchanged keeps the versions it had.
   */
  unrecordedWrites(ids: readonly string[], before: RecordsCheckpoint): void {
    for (const id of ids) {
      const entry = this.entries.get(id);
      const was = before.entries.get(id);
      if (!entry || !was || was.pid !== entry.pid) continue;
      const same = JSON.stringify(present(was.properties)) === JSON.stringify(present(entry.properties));
      entry.earlier = same ? was.earlier : [was.properties, ...(was.earlier ?? [])];
    }
  }

  /**
   * Releases the run could not record (its state failed: the departed record's result is
   * `failed:state_unwritable`, not `skipped:rekeyed`): the sync's state still tracks them as
   * before the run (`before`), so the next run decides them again — a departure then deleted
   * when the row that resembled it has left too.
   */
  keepTracking(ids: readonly string[], before: RecordsCheckpoint): void {
    for (const id of ids) {
      const entry = before.entries.get(id);
      if (!this.released.has(id) || entry === undefined) continue;
      this.entries.set(id, copyEntry(entry));
      this.released.delete(id);
    }
  }

  /**
   * Records written in a run whose state failed before their group changes were sent
   * (`groups_pending`): the destination record keeps the groups it had before the run
   * (`before`; none, for one the run created), and the sync's state the groups it managed, so the next run sends them again.
   */
  groupsUnsent(ids: readonly string[], before: RecordsCheckpoint): void {
    for (const id of ids) {
      const entry = this.entries.get(id);
      if (!entry) continue;
      const record = this.records.find((p) => p.pid === entry.pid);
      const was = before.records.find((p) => p.pid === entry.pid);
      // A record this run created has none yet (a sample of the state-fault histories, seed 61000 #925, tiny/additive).
      if (record) record.groups = new Set(was?.groups ?? []);
      entry.groups = new Set(before.entries.get(id)?.groups ?? []);
      // Still pending in the sync's state: the next run sends the record again, its group changes with it.
      entry.hash = '';
    }
  }

  /**
   * Departures the kit released in a run with faults although this model found their key on
   * several records or on none: their lookup failed, and a release needs none (the kit's
   * `lookup_failed`, released by `claimRecords` when a new row with their values was written
   * in that run). Kept as they are and no longer tracked, as a release.
   */
  releasedUnlooked(ids: readonly string[]): void {
    for (const id of ids) this.entries.delete(id);
  }

  /** Marks records (by pid) whose outcome the checks leave out: see `ModelRecord.uncertain`. */
  markUncertain(pids: readonly number[]): void {
    for (const p of this.records) if (pids.includes(p.pid)) p.uncertain = true;
  }

  /** The records the destination must hold now. */
  expected(): ModelRecord[] {
    return this.records.filter((p) => p.alive);
  }
}
