import type { StateIndex } from '../../state/state-index';
import type { StringTable } from '../../state/string-table';

/** What the first pass decided for a source item, by position. */
export const enum Seen {
  /** Not decided by the first pass (an unusable row, a duplicate, no key): the second pass decides. */
  Other = 0,
  /** Same snapshot as the sync's state: nothing to send. */
  Unchanged = 1,
  /** Remembered as not found, unchanged, inside the recheck window: skipped without a lookup. */
  NotFoundFresh = 2,
  /** Changed or new: looked up and planned in a window (its key is kept). */
  Window = 3,
}

/** FNV-1a of an id, to check that the second pass reads the same record at a position. */
function idHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * What the first pass learned per source position, so the second pass computes no match key
 * and no snapshot hash again: a decision byte per item; for unchanged items the state-index
 * slot (trusted only while the id there still has that slot); for items to send, their key
 * (its entry in the first pass's key table) and an id fingerprint (trusted only while the
 * id at that position matches). A source that changed between the passes is simply
 * evaluated again, never misread. An item to send needs no hash: the first pass compared it
 * with state already (the same index, at the same time). When every item was unchanged, the
 * second pass need not read the source at all: the memo keeps each unchanged item's row
 * number, and {@link replayUnchanged} gives their results (ids from the state index). Memory,
 * all outside the JavaScript heap: 13 bytes an item.
 */
export class ScanMemo {
  private decisions = new Uint8Array(1024);
  /** By position: the state-index slot (`Unchanged`, `NotFoundFresh`) or the key's entry in the key table (`Window`). */
  private values = new Int32Array(1024);
  /** By position, for `Window` items: the id's fingerprint. */
  private idHashes = new Uint32Array(1024);
  /** By position, for `Unchanged` items: the source row number (-1: none). */
  private rows = new Int32Array(1024);
  /** How many items were unchanged. */
  private unchangedCount = 0;

  constructor(
    readonly index: StateIndex | undefined,
    /** The first pass's match keys (entries of `toSend`). */
    private readonly keyTable: StringTable,
  ) {}

  private ensure(position: number): void {
    if (position < this.decisions.length) return;
    const size = Math.max(position + 1, this.decisions.length * 2);
    const decisions = new Uint8Array(size);
    decisions.set(this.decisions);
    this.decisions = decisions;
    const values = new Int32Array(size);
    values.set(this.values);
    this.values = values;
    const idHashes = new Uint32Array(size);
    idHashes.set(this.idHashes);
    this.idHashes = idHashes;
    const rows = new Int32Array(size);
    rows.set(this.rows);
    this.rows = rows;
  }

  /** Item `position` (source row `row`) is unchanged, with state-index entry `slot`. */
  unchanged(position: number, slot: number, row: number | undefined): void {
    this.ensure(position);
    this.decisions[position] = Seen.Unchanged;
    this.values[position] = slot;
    this.rows[position] = row ?? -1;
    this.unchangedCount++;
  }

  /** True when each of the first `items` items was unchanged (and the state index is at hand to name them). */
  allUnchanged(items: number): boolean {
    return this.index !== undefined && this.unchangedCount === items;
  }

  /** The result of each of the first `items` items, all unchanged (see {@link allUnchanged}), in source order. */
  *replayUnchanged(items: number): Generator<{ id: string; row: number | undefined }> {
    const index = this.index as StateIndex;
    for (let position = 0; position < items; position++) {
      const row = this.rows[position] as number;
      yield { id: index.idAt(this.values[position] as number), row: row < 0 ? undefined : row };
    }
  }

  /** Item `position` is remembered as not found and still fresh, with state-index entry `slot`. */
  notFoundFresh(position: number, slot: number): void {
    this.ensure(position);
    this.decisions[position] = Seen.NotFoundFresh;
    this.values[position] = slot;
  }

  /** Item `position` (record `id`) is to be sent, with its normalised key (entry `keyEntry` of the key table). */
  toSend(position: number, id: string, keyEntry: number): void {
    this.ensure(position);
    this.decisions[position] = Seen.Window;
    this.values[position] = keyEntry;
    this.idHashes[position] = idHash(id);
  }

  /** The first pass's decision for item `position` with this id (`Other` when it cannot be trusted). */
  decision(position: number, id: string): Seen {
    if (position >= this.decisions.length) return Seen.Other;
    const d = this.decisions[position] as Seen;
    if (d === Seen.Unchanged || d === Seen.NotFoundFresh) return this.index?.slot(id) === this.values[position] ? d : Seen.Other;
    if (d === Seen.Window) return this.idHashes[position] === idHash(id) ? d : Seen.Other;
    return d;
  }

  /** For a `Window` item: its match key from the first pass. */
  sendKey(position: number): string {
    return this.keyTable.at(this.values[position] as number);
  }
}
