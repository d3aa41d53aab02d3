import { ABSENT, StringTable } from '../../state/string-table';
import { setOwner } from './owner-refs';
import type { SeenIds } from './seen-ids';

/**
 * Every identifier of every source record, for audience destinations whose vendor matches a
 * person by any one of several identifiers (Meta matches a Custom Audience row by email,
 * phone, mobile advertiser id or external id:
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences#hash ).
 * Two source records sharing one of them (a household's phone number) may be one member of
 * the audience: removing one would remove the other. Identifiers are kept in a
 * {@link StringTable} (off the JavaScript heap) with the reference of their first record;
 * the rare identifiers several records share keep every record's reference.
 */
export class IdentityOwners {
  private readonly keys = new StringTable();
  private owners = new Int32Array(1024);
  /** Entry → the references of every record with it, for identifiers several records have. */
  private readonly shared = new Map<number, number[]>();

  constructor(private readonly seen: SeenIds) {}

  /** Distinct identifiers noted. */
  get size(): number {
    return this.keys.size;
  }

  /** Notes that the record with reference `ref` (see {@link SeenIds}) has identifier `key`. */
  add(key: string, ref: number): void {
    const before = this.keys.size;
    const entry = this.keys.add(key);
    if (entry === before) {
      this.owners = setOwner(this.owners, entry, ref);
      return;
    }
    const first = this.owners[entry] as number;
    if (first === ref) return;
    const refs = this.shared.get(entry) ?? [first];
    if (!refs.includes(ref)) refs.push(ref);
    this.shared.set(entry, refs);
  }

  /** The ids of the source records other than `except` that have any of `keys`, in source order of first sight. */
  holders(keys: readonly string[], except: string): string[] {
    const out = new Set<string>();
    for (const key of keys) {
      const entry = this.keys.find(key);
      if (entry === ABSENT) continue;
      for (const ref of this.shared.get(entry) ?? [this.owners[entry] as number]) {
        const id = this.seen.idOf(ref);
        if (id !== except) out.add(id);
      }
    }
    return [...out];
  }
}
