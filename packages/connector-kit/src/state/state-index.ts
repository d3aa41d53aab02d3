import type { StateIndexEntry } from './state-store';
import { ABSENT, StringTable, type StringTableColumns } from './string-table';

const HASH_BYTES = 32;
const HEX_HASH = /^[0-9a-f]{64}$/;
const OWNED = 1;
const DEPARTED = 2;
const NOT_FOUND = 4;

/** The columns of a {@link StateIndex} (see {@link StateIndex.columns}); each holds `size` entries. */
export interface StateIndexColumns {
  readonly ids: StringTableColumns;
  /** 32 bytes an entry: the SHA-256 hash. */
  readonly hashes: Uint8Array;
  /** One byte an entry: owned 1, departed 2, not found 4. */
  readonly flags: Uint8Array;
  /** Epoch ms (NaN: none). */
  readonly updated: Float64Array;
  /** Hashes that are not 64 lowercase hex characters, by slot. */
  readonly odd: readonly (readonly [number, string])[];
}

/**
 * Every entry's hash and flags by record id, stored by column — the ids in a
 * {@link StringTable} (whose entry numbers are the slots), SHA-256 hashes as 32 bytes,
 * flags as one byte, times as doubles — instead of one object and one 64-character string
 * per record: about 65 bytes a record plus its id, none of it on the V8 heap, so the index
 * of a million-record sync sits beside the run without growing the heap V8 manages. Reads
 * as a `ReadonlyMap` (an entry object is made on each `get`); `slot` gives each id a dense
 * number, for callers that keep a bit per record.
 */
export class StateIndex implements ReadonlyMap<string, StateIndexEntry> {
  private ids: StringTable;
  private hashes: Buffer = Buffer.alloc(0);
  private flags: Uint8Array = new Uint8Array(0);
  private updated: Float64Array = new Float64Array(0);
  /** Hashes that are not 64 lowercase hex characters (kept as they are). */
  private readonly odd = new Map<number, string>();

  /** @param capacity - expected number of entries (the columns grow as needed). */
  constructor(capacity = 0) {
    this.ids = new StringTable(capacity);
    this.grow(Math.max(16, capacity));
  }

  private grow(capacity: number): void {
    const hashes = Buffer.alloc(capacity * HASH_BYTES);
    this.hashes.copy(hashes);
    this.hashes = hashes;
    const flags = new Uint8Array(capacity);
    flags.set(this.flags);
    this.flags = flags;
    const updated = new Float64Array(capacity);
    updated.set(this.updated);
    this.updated = updated;
  }

  /** The index's columns as they are (views, not copies), for {@link StateIndex.fromColumns}. */
  columns(): StateIndexColumns {
    const size = this.ids.size;
    return {
      ids: this.ids.columns(),
      hashes: this.hashes.subarray(0, size * HASH_BYTES),
      flags: this.flags.subarray(0, size),
      updated: this.updated.subarray(0, size),
      odd: [...this.odd],
    };
  }

  /** An index on `columns`, as {@link StateIndex.columns} gave them: adopted, not copied (see {@link StringTable.fromColumns}). */
  static fromColumns(columns: StateIndexColumns): StateIndex {
    const index = new StateIndex(0);
    if (columns.flags.length === 0) return index;
    index.ids = StringTable.fromColumns(columns.ids);
    index.hashes = Buffer.from(columns.hashes.buffer, columns.hashes.byteOffset, columns.hashes.byteLength);
    index.flags = columns.flags;
    index.updated = columns.updated;
    for (const [slot, hash] of columns.odd) index.odd.set(slot, hash);
    return index;
  }

  /** Adds (or replaces) the entry of `id`. */
  set(id: string, entry: StateIndexEntry): this {
    const slot = this.ids.add(id);
    if (slot >= this.flags.length) this.grow(this.flags.length * 2);
    // A SHA-256 hex digest (what the kit writes) is kept as its 32 bytes; anything else as it is.
    if (entry.hash.length === 2 * HASH_BYTES && this.hashes.write(entry.hash, slot * HASH_BYTES, HASH_BYTES, 'hex') === HASH_BYTES && HEX_HASH.test(entry.hash)) {
      this.odd.delete(slot);
    } else this.odd.set(slot, entry.hash);
    this.flags[slot] = (entry.owned ? OWNED : 0) | (entry.departed ? DEPARTED : 0) | (entry.notFound ? NOT_FOUND : 0);
    this.updated[slot] = entry.updatedAt ?? Number.NaN;
    return this;
  }

  get size(): number {
    return this.ids.size;
  }

  /** The dense number of `id` (0 … size - 1), or `undefined` when it has no entry. */
  slot(id: string): number | undefined {
    const slot = this.ids.find(id);
    return slot === ABSENT ? undefined : slot;
  }

  /** The id with this slot (see {@link StateIndex.slot}; a new string each call). */
  idAt(slot: number): string {
    return this.ids.at(slot);
  }

  has(id: string): boolean {
    return this.ids.find(id) !== ABSENT;
  }

  get(id: string): StateIndexEntry | undefined {
    const slot = this.slot(id);
    return slot === undefined ? undefined : this.entryAt(slot);
  }

  /** Entries neither departed nor remembered as not found (the deletion guard's count of tracked records), without reading them. */
  activeCount(): number {
    let count = 0;
    for (let slot = 0; slot < this.ids.size; slot++) if (((this.flags[slot] as number) & (DEPARTED | NOT_FOUND)) === 0) count++;
    return count;
  }

  /** The entry with this slot (see {@link StateIndex.slot}). */
  entryAt(slot: number): StateIndexEntry {
    const flags = this.flags[slot] as number;
    const updatedAt = this.updated[slot] as number;
    return {
      hash: this.odd.get(slot) ?? this.hashes.toString('hex', slot * HASH_BYTES, (slot + 1) * HASH_BYTES),
      owned: (flags & OWNED) !== 0,
      departed: (flags & DEPARTED) !== 0,
      notFound: (flags & NOT_FOUND) !== 0,
      ...(Number.isNaN(updatedAt) ? {} : { updatedAt }),
    };
  }

  forEach(callback: (value: StateIndexEntry, key: string, map: ReadonlyMap<string, StateIndexEntry>) => void): void {
    for (let slot = 0; slot < this.ids.size; slot++) callback(this.entryAt(slot), this.ids.at(slot), this);
  }

  *entries(): MapIterator<[string, StateIndexEntry]> {
    for (let slot = 0; slot < this.ids.size; slot++) yield [this.ids.at(slot), this.entryAt(slot)];
  }

  *keys(): MapIterator<string> {
    for (let slot = 0; slot < this.ids.size; slot++) yield this.ids.at(slot);
  }

  *values(): MapIterator<StateIndexEntry> {
    for (let slot = 0; slot < this.ids.size; slot++) yield this.entryAt(slot);
  }

  [Symbol.iterator](): MapIterator<[string, StateIndexEntry]> {
    return this.entries();
  }
}
