import type { StateIndexEntry } from './state-store';

const HASH_BYTES = 32;
const HEX_HASH = /^[0-9a-f]{64}$/;
const OWNED = 1;
const DEPARTED = 2;
const NOT_FOUND = 4;

/**
 * Every entry's hash and flags by record id, stored by column — SHA-256 hashes as 32
 * bytes, flags as one byte, times as doubles — instead of one object and one 64-character
 * string per record: about 100 bytes a record instead of about 200, so the index of a
 * million-record sync fits in memory alongside the run. Reads as a `ReadonlyMap` (an entry
 * object is made on each `get`); `slot` gives each id a dense number, for callers that
 * keep a bit per record.
 */
export class StateIndex implements ReadonlyMap<string, StateIndexEntry> {
  private readonly slots = new Map<string, number>();
  private ids: string[] = [];
  private hashes = Buffer.alloc(0);
  private flags = new Uint8Array(0);
  private updated = new Float64Array(0);
  /** Hashes that are not 64 lowercase hex characters (kept as they are). */
  private readonly odd = new Map<number, string>();

  /** @param capacity - expected number of entries (the columns grow as needed). */
  constructor(capacity = 0) {
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

  /** Adds (or replaces) the entry of `id`. */
  set(id: string, entry: StateIndexEntry): this {
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.ids.length;
      if (slot >= this.flags.length) this.grow(this.flags.length * 2);
      this.slots.set(id, slot);
      this.ids.push(id);
    }
    // A SHA-256 hex digest (what the kit writes) is kept as its 32 bytes; anything else as it is.
    if (entry.hash.length === 2 * HASH_BYTES && this.hashes.write(entry.hash, slot * HASH_BYTES, HASH_BYTES, 'hex') === HASH_BYTES && HEX_HASH.test(entry.hash)) {
      this.odd.delete(slot);
    } else this.odd.set(slot, entry.hash);
    this.flags[slot] = (entry.owned ? OWNED : 0) | (entry.departed ? DEPARTED : 0) | (entry.notFound ? NOT_FOUND : 0);
    this.updated[slot] = entry.updatedAt ?? Number.NaN;
    return this;
  }

  get size(): number {
    return this.ids.length;
  }

  /** The dense number of `id` (0 … size - 1), or `undefined` when it has no entry. */
  slot(id: string): number | undefined {
    return this.slots.get(id);
  }

  /** The id with this slot (see {@link StateIndex.slot}). */
  idAt(slot: number): string {
    return this.ids[slot] as string;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  get(id: string): StateIndexEntry | undefined {
    const slot = this.slots.get(id);
    return slot === undefined ? undefined : this.entryAt(slot);
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
    for (let slot = 0; slot < this.ids.length; slot++) callback(this.entryAt(slot), this.ids[slot] as string, this);
  }

  *entries(): MapIterator<[string, StateIndexEntry]> {
    for (let slot = 0; slot < this.ids.length; slot++) yield [this.ids[slot] as string, this.entryAt(slot)];
  }

  keys(): MapIterator<string> {
    return this.slots.keys();
  }

  *values(): MapIterator<StateIndexEntry> {
    for (let slot = 0; slot < this.ids.length; slot++) yield this.entryAt(slot);
  }

  [Symbol.iterator](): MapIterator<[string, StateIndexEntry]> {
    return this.entries();
  }
}
