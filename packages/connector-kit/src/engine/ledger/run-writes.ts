import { snapshotHash } from '../../records/snapshot-hash';
import type { StateStore } from '../../state/state-store';
import type { StateWriter } from './state-writer';

/** Forgets records remembered as not found that left the source (nothing of them is in the destination). */
export async function forgetNotFound(writer: StateWriter, recordIds: readonly string[]): Promise<void> {
  await writer.remove(recordIds);
}

const PAGE = 5_000;

/**
 * Forgets that the sync's records are in `group` (deleted or emptied in the vendor's UI):
 * every entry holding it loses it, with its hash recomputed, so the next pass sees those
 * records as changed and adds them again (the group is created again on the way).
 *
 * @returns how many entries held the group; 0 when nothing was written (a dry run, or state
 *   could not be read or written: the run then stops, `state_unwritable`).
 */
export async function forgetGroup(state: StateStore, writer: StateWriter, syncId: string, group: string): Promise<number> {
  let after: string | undefined;
  let count = 0;
  for (;;) {
    // A store that cannot be read stops the run as a failed write does (fresh reviewer 146, M2: it threw out of runSync after everything was sent).
    const page = await writer.read(() => state.entriesInGroup(syncId, group, { after, limit: PAGE }));
    if (page === undefined) return 0;
    if (page.length === 0) return count;
    const rewritten = page.map((e) => {
      const found = e.snapshot.found?.filter((g) => g !== group);
      const snapshot = { properties: e.snapshot.properties, groups: e.snapshot.groups.filter((g) => g !== group), ...(found && found.length > 0 ? { found } : {}) };
      return { ...e, snapshot, hash: e.pending ? e.hash : snapshotHash(snapshot) };
    });
    if (!(await writer.put(rewritten))) return 0;
    count += page.length;
    after = page[page.length - 1]?.recordId;
  }
}
