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
 * fourth trial of stop 27: three syncs named alike, none of them mirroring the source).
 *
 * @returns the notice, or `undefined` (no name, the sync exists, or no namesake).
 */
export async function renamedSyncNotice(state: StateStore, sync: SyncInfo, destinationName: string): Promise<RunNotice | undefined> {
  if (sync.name === undefined) return undefined;
  const syncs = await state.listSyncs();
  if (syncs.some((s) => s.syncId === sync.syncId)) return undefined;
  const namesake = syncs.find((s) => s.destination === sync.destination && s.name === sync.name);
  if (!namesake) return undefined;
  const keys = [...new Set([...Object.keys(namesake.identity), ...Object.keys(sync.identity)])].sort();
  const changed = keys.filter((k) => JSON.stringify(namesake.identity[k] ?? null) !== JSON.stringify(sync.identity[k] ?? null));
  const what = changed.map((k) => `${k} ${shown(namesake.identity[k])} → ${shown(sync.identity[k])}`).join(', ');
  // An earlier version kept a URL's spellings apart (a trailing slash, capitals): now read in one spelling, it cannot be given as before.
  const respelled = changed.length > 0 && changed.every((k) => sameUrl(namesake.identity[k], sync.identity[k]));
  return {
    code: 'sync_identity_changed',
    message:
      `A sync named "${sync.name}" of ${destinationName} exists with other settings (${what || 'its identity'}): this run starts a new sync, which owns nothing — sync mode deletes nothing the other created. ` +
      (respelled
        ? `Only the spelling of the URL differs (a trailing slash, capitals, a default port): the connectors' endpoint URLs are now read in one spelling, so if the other sync is from an earlier version, this one goes on from here and the other's state can be dropped (\`syncmodes state forget\`); otherwise give the URL as before.`
        : `If it is the same ${destinationName} account, give the settings exactly as before (the same spelling of the URL).`),
  };
}
