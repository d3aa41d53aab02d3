import { StateIndex } from '../../state/state-index';
import type { StateIndexEntry } from '../../state/state-store';

/**
 * Ids read so far. Ids that have a state entry are kept as one bit per entry of the
 * {@link StateIndex} (no second copy of a million ids); others in a set.
 */
export class SeenIds {
  private readonly bits: Uint8Array | undefined;
  private readonly others = new Set<string>();

  constructor(private readonly index: ReadonlyMap<string, StateIndexEntry>) {
    this.bits = index instanceof StateIndex ? new Uint8Array(Math.ceil(index.size / 8)) : undefined;
  }

  /** Records `id` (whose index slot is `slot` when the caller knows it); false when it was already seen. */
  add(id: string, slot = this.bits ? (this.index as StateIndex).slot(id) : undefined): boolean {
    if (slot === undefined || !this.bits) {
      if (this.others.has(id)) return false;
      this.others.add(id);
      return true;
    }
    const mask = 1 << (slot & 7);
    const byte = this.bits[slot >> 3] as number;
    if ((byte & mask) !== 0) return false;
    this.bits[slot >> 3] = byte | mask;
    return true;
  }

  has(id: string): boolean {
    const slot = this.bits ? (this.index as StateIndex).slot(id) : undefined;
    if (slot === undefined || !this.bits) return this.others.has(id);
    return ((this.bits[slot >> 3] as number) & (1 << (slot & 7))) !== 0;
  }
}
