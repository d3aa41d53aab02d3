import type { StateEntry } from '../../state/state-store';
import type { BaseRunContext } from '../run/run-context';

/**
 * State entries of records by id for a step that follows records outside its window: the
 * window's own entries as the ledger has them, any other read once from the sync's state
 * (one query per record asked for). Used by key moves, identity moves and shared identities.
 */
export class EntriesById {
  private readonly entries = new Map<string, Promise<StateEntry | undefined>>();

  constructor(
    private readonly ctx: Pick<BaseRunContext, 'state' | 'syncId'>,
    records: readonly { readonly recordId: string; readonly entry?: StateEntry | undefined }[],
  ) {
    for (const r of records) this.entries.set(r.recordId, Promise.resolve(r.entry));
  }

  /** The record's state entry as stored (one remembered as not found included), undefined when it has none. */
  stored(id: string): Promise<StateEntry | undefined> {
    let entry = this.entries.get(id);
    if (!entry) {
      entry = this.ctx.state.get(this.ctx.syncId, [id]).then((m) => m.get(id));
      this.entries.set(id, entry);
    }
    return entry;
  }

  /** The record's state entry, undefined when it has none or was remembered as not found. */
  async get(id: string): Promise<StateEntry | undefined> {
    const found = await this.stored(id);
    return found && !found.notFound ? found : undefined;
  }
}
