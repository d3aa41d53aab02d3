import type { StateEntry, StateStore } from '../../state/state-store';
import { linkedOf } from '../ledger/identity-links';

/** State entries read at a time while indexing an audience. */
const PAGE = 5_000;

/**
 * Audiences whose vendor matches by any of several identifiers: per audience, the state
 * entries a current record's identifiers alone do not reveal — entries with earlier
 * identities linked to them (`StateSnapshot.linked`) and entries of records no longer in
 * the source that are still in it (kept, or leaving), and entries whose record now has other
 * identifiers than the entry holds (its old ones are still the member there until removed) —
 * indexed by every identifier of their
 * member. Read per audience when a record may leave it, and again only when the run wrote
 * state since (a window before kept an old identity as an entry of its own, or changed a
 * record's identifiers: trial of stop 26 — a departure in a later window was removed through
 * a member that such an entry, unseen, tied to someone staying); only those entries are kept
 * (few), the rest of the audience is only read.
 */
export class GroupLinks {
  private readonly byGroup = new Map<string, { readonly generation: number; readonly index: Promise<Map<string, StateEntry[]>> }>();

  constructor(
    private readonly state: StateStore,
    private readonly syncId: string,
    /** True when the entry's record is in the source with every identifier the entry holds (the first pass's index finds it). */
    private readonly current: (entry: StateEntry) => boolean,
    private readonly memberKeys: (entry: StateEntry) => readonly string[],
    /** The run's state generation (`StateWriter.generation`): an index read before a later write is read again. */
    private readonly generation: () => number,
  ) {}

  /** The indexed entries of `group` whose member has identifier `key`. */
  async holders(group: string, key: string): Promise<readonly StateEntry[]> {
    let cached = this.byGroup.get(group);
    if (!cached || cached.generation !== this.generation()) {
      cached = { generation: this.generation(), index: this.read(group) };
      this.byGroup.set(group, cached);
    }
    return (await cached.index).get(key) ?? [];
  }

  private async read(group: string): Promise<Map<string, StateEntry[]>> {
    const index = new Map<string, StateEntry[]>();
    let after: string | undefined;
    for (;;) {
      const page = await this.state.entriesInGroup(this.syncId, group, { after, limit: PAGE });
      for (const entry of page) {
        if (linkedOf(entry).length === 0 && this.current(entry)) continue;
        for (const key of new Set(this.memberKeys(entry))) index.set(key, [...(index.get(key) ?? []), entry]);
      }
      if (page.length < PAGE) return index;
      after = (page[page.length - 1] as StateEntry).recordId;
    }
  }
}
