import type { StateStore } from '../../state/state-store';
import { keyHeldBySeveral, mayBeSamePerson } from '../steps/key-holder';
import { departuresUncertain } from './read-windows';
import type { SourceScan } from './scan-source';

const CHUNK = 5_000;

/**
 * The deletes a run will really plan, for the deletion guard: the scan's deletable
 * departures, less those whose match key a record in the source now has and that may be the
 * same person (a re-key: the person is still in the source under a new id, and is never
 * deleted; see `claimRecords`, `mayBeSamePerson` and `keyHeldBySeveral`);
 * none when some rows could not be read or share an id (departures are then `source_incomplete`).
 * Reads the state entries of the deletable departures only.
 */
export async function plannedDeletes(state: StateStore, syncId: string, scan: SourceScan): Promise<number> {
  // Rows that could not be read, or that share an id, might be any of the departures: nothing is deleted this run.
  if (departuresUncertain(scan) !== undefined) return 0;
  let count = 0;
  for (let i = 0; i < scan.deletable.length; i += CHUNK) {
    const ids = scan.deletable.slice(i, i + CHUNK);
    const entries = await state.get(syncId, ids);
    const holderOf = (id: string): string | undefined => {
      const key = entries.get(id)?.matchKey;
      const holder = key ? scan.keyHolder(key) : undefined;
      return holder === id ? undefined : holder;
    };
    const holders = await state.get(syncId, [...new Set(ids.map(holderOf).filter((h): h is string => h !== undefined))]);
    for (const id of ids) {
      const holder = holderOf(id);
      if (holder === undefined) count++;
      else if (!keyHeldBySeveral(entries.get(id)?.matchKey, (key) => scan.duplicateKeys.has(key)) && !mayBeSamePerson(holders.get(holder), entries.get(id)?.destinationId, (key) => scan.keyHolder(key))) count++;
    }
  }
  return count;
}
