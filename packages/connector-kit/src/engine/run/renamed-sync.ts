import { canonicalEndpoint } from '../../config/endpoint-url';
import type { RunNotice } from '../run-types';
import type { StateStore, SyncInfo } from '../../state/state-store';

/** True when both are http(s) URLs of one spelling (`canonicalEndpoint`). */
function sameUrl(a: unknown, b: unknown): boolean {
  return typeof a === 'string' && typeof b === 'string' && /^https?:\/\//i.test(a) && canonicalEndpoint(a) === canonicalEndpoint(b);
}

/** An identity value as the message shows it. */
const shown = (value: unknown): string => (value === null || value === undefined ? '(none)' : JSON.stringify(value));

/**
 * A run that starts a new sync (`sync` has no state yet) while the store holds another
 * sync of the same destination with the same name and other identity settings (an
 * instance URL spelled with a trailing slash, or `localhost` for `127.0.0.1`): each set of
 * identity settings is a sync of its own, so this one owns nothing and `sync` mode deletes
 * nothing the other created. Said once, at the new sync's first run (`sync_identity_changed`;
 * fourth trial of stop 27: three syncs named alike, none of them mirroring the source). The
 * same settings with another id column of the source (`syncIdFor`) make a new sync too. A
 * namesake that holds no record is not one: a run refused before it wrote anything (a
 * misspelt `--id`) left its sync registered, and the corrected run was warned of it.
 *
 * @returns the notice, or `undefined` (no name, the sync exists, or no namesake holding records).
 */
export async function renamedSyncNotice(state: StateStore, sync: SyncInfo, destinationName: string): Promise<RunNotice | undefined> {
  if (sync.name === undefined) return undefined;
  const syncs = await state.listSyncs();
  if (syncs.some((s) => s.syncId === sync.syncId)) return undefined;
  // A namesake that holds no record (its runs were refused, e.g. for a misspelt --id) owns nothing this run could miss.
  const namesake = syncs.find((s) => s.destination === sync.destination && s.name === sync.name && s.records > 0);
  if (!namesake) return undefined;
  const keys = [...new Set([...Object.keys(namesake.identity), ...Object.keys(sync.identity)])].sort();
  const changed = keys.filter((k) => JSON.stringify(namesake.identity[k] ?? null) !== JSON.stringify(sync.identity[k] ?? null));
  // Same identity settings: the sync id differs by the source's id column (`syncIdFor`), which the store does not keep.
  const what = changed.length > 0 ? changed.map((k) => `${k} ${shown(namesake.identity[k])} → ${shown(sync.identity[k])}`).join(', ') : 'another id column of the source';
  // An earlier version kept a URL's spellings apart (a trailing slash, capitals): now read in one spelling, it cannot be given as before.
  const respelled = changed.length > 0 && changed.every((k) => sameUrl(namesake.identity[k], sync.identity[k]));
  return {
    code: 'sync_identity_changed',
    message: `A sync named "${sync.name}" of ${destinationName} exists with other settings (${what}): this run starts a new sync, which owns nothing — sync mode deletes nothing the other created. ${advice(changed.length === 0, respelled, destinationName)}`,
  };
}

/** What to do, by what differs: the id column only, a URL's spelling only, or other settings. */
function advice(idColumnOnly: boolean, respelled: boolean, destinationName: string): string {
  if (idColumnOnly) return "If it is the same source, give the id column it had before; if the sync now keys its records by another column on purpose, the other sync's state can be dropped (`syncmodes state forget`).";
  if (respelled) {
    return "Only the spelling of the URL differs (a trailing slash, capitals, a default port): the connectors' endpoint URLs are now read in one spelling, so if the other sync is from an earlier version, this one goes on from here and the other's state can be dropped (`syncmodes state forget`); otherwise give the URL as before.";
  }
  return `If it is the same ${destinationName} account, give the settings exactly as before (the same spelling of the URL).`;
}
