import { complete } from './state-entries';
import type { StateEntry } from '../../state/state-store';
import type { StateWriter } from './state-writer';
import type { LedgerRecord } from './ledger-record';
import { distinctLinks, linkedOf } from './identity-links';
import type { Properties } from '../../records/types';

/**
 * Records re-keys in state: a record that left the source while a current record holds its
 * destination record (`claimedBy`, planned `rekeyed`, its group removals acknowledged) is
 * forgotten, and the holder inherits its ownership (so `sync` mode deletes the destination
 * record when the holder leaves). When the holder has no state yet (its own write failed),
 * nothing changes: the next run decides again — likewise when the holder's state names
 * another destination record or none (its row failed, or it was not found when last
 * looked up): it has not taken this record over.
 *
 * Audiences (`linkIdentities`): the holder's member is the departed record's member (they
 * share the identifiers the claim was made by), so the departed record's identity, and the
 * identities linked to it, become linked to the holder (`StateSnapshot.linked`). Returns
 * the identities gained by holder id, for a holder in this window to keep in its final entry.
 */
export async function transferClaimed(
  records: readonly LedgerRecord[],
  writer: StateWriter,
  readEntries: (recordIds: readonly string[]) => Promise<Map<string, StateEntry>>,
  linkIdentities = false,
): Promise<Map<string, Properties[]>> {
  const inherited = new Map<string, Properties[]>();
  const claimed = records.filter((r) => r.claimedBy !== undefined && !r.released && r.plan?.code === 'rekeyed' && !r.result && r.entry && complete(r) && !r.groupError);
  if (claimed.length === 0) return inherited;
  const holders = await readEntries(claimed.map((r) => r.claimedBy as string));
  const updated = new Map<string, StateEntry>();
  const forgotten: string[] = [];
  for (const record of claimed) {
    const holder = updated.get(record.claimedBy as string) ?? holders.get(record.claimedBy as string);
    const old = record.entry as StateEntry;
    if (!holder || (old.destinationId !== null && holder.destinationId !== old.destinationId)) continue;
    let next = !holder.owned && old.owned ? { ...holder, owned: true } : holder;
    // A holder whose own row is refused in this run took nothing: linked only when its state already has the key it was claimed by (see `linkHeldIdentities`).
    if (linkIdentities && old.snapshot.groups.length > 0 && (!record.holderRefused || (next.matchKey !== null && next.matchKey === record.matchKey))) {
      const gained = distinctLinks([old.snapshot.properties, ...linkedOf(old)], next.snapshot.properties);
      const links = distinctLinks([...linkedOf(next), ...gained], next.snapshot.properties);
      if (links.length > linkedOf(next).length) {
        next = { ...next, snapshot: { ...next.snapshot, linked: links } };
        inherited.set(holder.recordId, [...(inherited.get(holder.recordId) ?? []), ...gained]);
      }
    }
    if (next !== holder) updated.set(holder.recordId, next);
    forgotten.push(record.recordId);
  }
  if (await writer.put([...updated.values()])) await writer.remove(forgotten);
  return inherited;
}
