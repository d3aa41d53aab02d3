import type { PropertyValue, RecordSnapshot, SyncMode } from '@syncmodes/connector-kit';
import type { ConformanceRecord } from '@syncmodes/connector-kit/testing';

/** A destination record in the model. */
export interface ModelRecord {
  readonly pid: number;
  key: string;
  properties: Record<string, PropertyValue>;
  groups: Set<string>;
  alive: boolean;
  /** Seeded (made by people or other tools), as opposed to created by the sync. */
  readonly foreign: boolean;
}

interface Entry {
  pid: number;
  key: string;
  properties: Record<string, PropertyValue>;
  groups: Set<string>;
  hash: string;
  owned: boolean;
  departed: boolean;
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

/**
 * The sync-mode contract as an executable model: what a destination must hold after a run
 * in which every record succeeded. It is written from the contract (the notes' rules), not
 * from the engine, so the two can disagree:
 *
 * - found by the previous key first, then the current one; updated in place;
 * - a first match sends only present properties; later runs send changes, empties clear;
 * - not found → created where the mode may create, else skipped `not_found`;
 * - left the source → deleted only in sync and only if the sync created it, else kept and
 *   taken out of its managed groups (`delete_not_allowed` / `not_owned`) — unless a record
 *   still in the source has its key or its destination record (a re-key, `rekeyed`: never
 *   deleted, it leaves the managed groups that record is not in, and that record inherits
 *   its ownership);
 * - duplicate match keys fail all their rows; managed groups follow the source.
 */
export class RecordsModel {
  readonly records: ModelRecord[] = [];
  private readonly entries = new Map<string, Entry>();
  private nextPid = 1;

  constructor(
    private readonly mode: SyncMode,
    private readonly keyOf: (r: ConformanceRecord) => string | undefined,
  ) {}

  /** Adds a record made by people or other tools. */
  seed(r: ConformanceRecord): void {
    const key = this.keyOf(r);
    if (key === undefined) throw new Error('seed record without key');
    this.records.push({ pid: this.nextPid++, key, properties: present(r.snapshot.properties), groups: new Set(r.snapshot.groups), alive: true, foreign: true });
  }

  private alive(key: string): ModelRecord | undefined {
    return this.records.find((p) => p.alive && p.key === key);
  }

  /** Applies one fully successful run; returns the outcome expected for each record. */
  apply(source: readonly ConformanceRecord[]): ExpectedOutcomes {
    const ops = MODE_OPERATIONS[this.mode];
    const out: ExpectedOutcomes = new Map();
    const keyCount = new Map<string, number>();
    for (const r of source) {
      const k = this.keyOf(r);
      if (k !== undefined) keyCount.set(k, (keyCount.get(k) ?? 0) + 1);
    }
    const seen = new Set(source.map((r) => r.id));

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
      let found: ModelRecord | undefined;
      if (entry && entry.key !== key) {
        found = this.alive(entry.key);
        const taken = this.alive(key);
        if (found && taken && taken !== found) {
          // Its new key belongs to another record: updating in place would duplicate the key.
          out.set(r.id, 'failed:match_key_taken');
          continue;
        }
      }
      found ??= this.alive(key);
      if (found) {
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
        this.entries.set(r.id, { pid: found.pid, key, properties: { ...r.snapshot.properties }, groups: after, hash, owned, departed: false });
      } else if (ops.create) {
        const created: ModelRecord = {
          pid: this.nextPid++,
          key,
          properties: present(r.snapshot.properties),
          groups: new Set(r.snapshot.groups),
          alive: true,
          foreign: false,
        };
        this.records.push(created);
        out.set(r.id, 'created');
        this.entries.set(r.id, { pid: created.pid, key, properties: { ...r.snapshot.properties }, groups: new Set(r.snapshot.groups), hash, owned: true, departed: false });
      } else {
        out.set(r.id, 'skipped:not_found');
      }
    }

    for (const [id, entry] of [...this.entries]) {
      if (seen.has(id)) continue;
      const deletable = ops.delete && entry.owned;
      if (entry.departed && !deletable) continue;
      const found = this.alive(entry.key);
      if (!found) {
        out.set(id, 'skipped:not_found');
        this.entries.delete(id);
        continue;
      }
      const holder = this.holderOf(id, entry, source, seen);
      if (holder !== undefined) {
        // The same person under another id: never deleted; it leaves the managed groups the holder is not in.
        out.set(id, 'skipped:rekeyed');
        const inheritor = this.entries.get(holder);
        if (inheritor) {
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
    return out;
  }

  /** The record in the source (other than `id`) that has this departing entry's key or destination record. */
  private holderOf(id: string, entry: Entry, source: readonly ConformanceRecord[], seen: ReadonlySet<string>): string | undefined {
    const byKey = source.find((r) => r.id !== id && this.keyOf(r) === entry.key);
    if (byKey) return byKey.id;
    for (const [other, e] of this.entries) if (other !== id && seen.has(other) && e.pid === entry.pid) return other;
    return undefined;
  }

  /** The records the destination must hold now. */
  expected(): ModelRecord[] {
    return this.records.filter((p) => p.alive);
  }
}
