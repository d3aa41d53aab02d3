import { StateIndex } from '../../state/state-index';
import type { StateIndexEntry } from '../../state/state-store';
import { ABSENT, StringTable } from '../../state/string-table';

/**
 * Ids read so far. Ids that have a state entry are kept as one bit per entry of the
 * {@link StateIndex} (no second copy of a million ids); others in a {@link StringTable},
 * outside the JavaScript heap.
 *
 * Every id read has a reference, a number that names it for the rest of the run (see
 * {@link SeenIds.idOf}): its slot in the state index (≥ 0), or -1 - its entry in the table.
 */
export class SeenIds {
  private readonly bits: Uint8Array | undefined;
  private readonly others = new StringTable();
  /** The reference of the id the last {@link SeenIds.add} recorded. */
  lastRef = 0;

  constructor(private readonly index: ReadonlyMap<string, StateIndexEntry>) {
    this.bits = index instanceof StateIndex ? new Uint8Array(Math.ceil(index.size / 8)) : undefined;
  }

  /** Records `id` (whose index slot is `slot` when the caller knows it); false when it was already seen. Sets {@link SeenIds.lastRef}. */
  add(id: string, slot = this.bits ? (this.index as StateIndex).slot(id) : undefined): boolean {
    if (slot === undefined || !this.bits) {
      const before = this.others.size;
      const entry = this.others.add(id);
      this.lastRef = -1 - entry;
      return entry === before;
    }
    this.lastRef = slot;
    const mask = 1 << (slot & 7);
    const byte = this.bits[slot >> 3] as number;
    if ((byte & mask) !== 0) return false;
    this.bits[slot >> 3] = byte | mask;
    return true;
  }

  has(id: string): boolean {
    const slot = this.bits ? (this.index as StateIndex).slot(id) : undefined;
    if (slot === undefined || !this.bits) return this.others.find(id) !== ABSENT;
    return ((this.bits[slot >> 3] as number) & (1 << (slot & 7))) !== 0;
  }

  /** The entries of `index` whose ids were not seen, in slot order (`index` must be the one this was made with). */
  *unseenEntries(index: StateIndex): Generator<[string, StateIndexEntry]> {
    for (let slot = 0; slot < index.size; slot++) {
      if (this.bits && ((this.bits[slot >> 3] as number) & (1 << (slot & 7))) !== 0) continue;
      yield [index.idAt(slot), index.entryAt(slot)];
    }
  }

  /** The id a reference names (a new string for an id not in state). */
  idOf(ref: number): string {
    return ref >= 0 ? (this.index as StateIndex).idAt(ref) : this.others.at(-1 - ref);
  }
}
