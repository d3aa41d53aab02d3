import type { RecordSnapshot } from '../../records/types';
import type { StateEntry, StateStore } from '../../state/state-store';
import { keyHeldBySeveral, mayBeSamePerson } from '../steps/key-holder';
import { departuresUncertain } from './read-windows';
import type { SourceScan } from './scan-source';

const CHUNK = 5_000;

/**
 * The deletes a run will really plan, for the deletion guard (their record ids): the scan's deletable
 * departures, less those whose match key a record in the source now has and that may be the
 * same person (a re-key: the person is still in the source under a new id, and is never
 * deleted; see `claimRecords`, `mayBeSamePerson` and `keyHeldBySeveral`);
 * none when some rows could not be read or share an id (departures are then `source_incomplete`);
 * nor those whose identifier besides the key (an Email where the key is an id) a new id of the
 * source has, or, for an audience, any record of it (`identities`: kept for that row, see
 * `refuseIdentityMoves` and `claimAudienceRecords`; first trial of stop 31: a renumbered id
 * was refused as a mass deletion, and `--allow-deletes` would then have allowed real ones).
 * Reads the state entries of the deletable departures only.
 */
export async function plannedDeletes(state: StateStore, syncId: string, scan: SourceScan, identities?: KeptByIdentity): Promise<string[]> {
  // Rows that could not be read, or that share an id, might be any of the departures: nothing is deleted this run.
  if (departuresUncertain(scan) !== undefined) return [];
  const planned: string[] = [];
  for (let i = 0; i < scan.deletable.length; i += CHUNK) {
    const ids = scan.deletable.slice(i, i + CHUNK);
    const entries = await state.get(syncId, ids);
    const holderOf = (id: string): string | undefined => {
      const key = entries.get(id)?.matchKey;
      const holder = key ? scan.keyHolder(key) : undefined;
      return holder === id ? undefined : holder;
    };
    const holders = await state.get(syncId, [...new Set(ids.map(holderOf).filter((h): h is string => h !== undefined))]);
    const keptFor = identities ? await keptByIdentity(state, syncId, scan, entries, identities) : new Set<string>();
    for (const id of ids) {
      const holder = holderOf(id);
      if (keptFor.has(id)) continue;
      if (holder === undefined) planned.push(id);
      else if (!keyHeldBySeveral(entries.get(id)?.matchKey, (key) => scan.duplicateKeys.has(key)) && !mayBeSamePerson(holders.get(holder), entries.get(id)?.destinationId, (key) => scan.keyHolder(key))) planned.push(id);
    }
  }
  return planned;
}

/** How departures kept for a row having their identifiers are told (see {@link plannedDeletes}). */
export interface KeptByIdentity {
  /** A record's identifiers besides its match key (the destination's `identityKeys`). */
  readonly idsOf: (snapshot: RecordSnapshot) => readonly string[];
  /** True for an audience: any record with the identifier keeps the member; for records only a new id does. */
  readonly anyHolder: boolean;
}

/** The departures among `entries` whose identifier a source row has that keeps them (a new id; for an audience, any row). */
async function keptByIdentity(state: StateStore, syncId: string, scan: SourceScan, entries: ReadonlyMap<string, StateEntry>, k: KeptByIdentity): Promise<Set<string>> {
  const holdersOf = new Map<string, string[]>();
  for (const [id, e] of entries) {
    const holders = scan.identityHolders(k.idsOf(e.snapshot).filter((x) => x !== e.matchKey), id);
    if (holders.length > 0) holdersOf.set(id, holders);
  }
  if (k.anyHolder) return new Set(holdersOf.keys());
  const withState = await state.get(syncId, [...new Set([...holdersOf.values()].flat())]);
  return new Set([...holdersOf].filter(([, holders]) => holders.some((h) => !withState.has(h))).map(([id]) => id));
}
