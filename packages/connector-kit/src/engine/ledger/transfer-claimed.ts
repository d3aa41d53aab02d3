import { complete } from './state-entries';
import type { StateEntry } from '../../state/state-store';
import type { StateWriter } from './state-writer';
import type { LedgerRecord } from './ledger-record';

/**
 * Records re-keys in state: a record that left the source while a current record holds its
 * destination record (`claimedBy`, planned `rekeyed`, its group removals acknowledged) is
 * forgotten, and the holder inherits its ownership (so `sync` mode deletes the destination
 * record when the holder leaves). When the holder has no state yet (its own write failed),
 * nothing changes: the next run decides again — likewise when the holder's state names
 * another destination record or none (its row failed, or it was not found when last
 * looked up): it has not taken this record over.
 */
export async function transferClaimed(
  records: readonly LedgerRecord[],
  writer: StateWriter,
  readEntries: (recordIds: readonly string[]) => Promise<Map<string, StateEntry>>,
): Promise<void> {
  const claimed = records.filter((r) => r.claimedBy !== undefined && r.plan?.code === 'rekeyed' && !r.result && r.entry && complete(r) && !r.groupError);
  if (claimed.length === 0) return;
  const holders = await readEntries(claimed.map((r) => r.claimedBy as string));
  const updated = new Map<string, StateEntry>();
  const forgotten: string[] = [];
  for (const record of claimed) {
    const holder = updated.get(record.claimedBy as string) ?? holders.get(record.claimedBy as string);
    const old = record.entry as StateEntry;
    if (!holder || (old.destinationId !== null && holder.destinationId !== old.destinationId)) continue;
    if (!holder.owned && old.owned) updated.set(holder.recordId, { ...holder, owned: true });
    forgotten.push(record.recordId);
  }
  if (await writer.put([...updated.values()])) await writer.remove(forgotten);
}
