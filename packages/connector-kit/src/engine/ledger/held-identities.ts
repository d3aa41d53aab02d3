import type { Properties } from '../../records/types';
import type { StateEntry } from '../../state/state-store';
import { distinctLinks, linkedOf } from './identity-links';
import type { LedgerRecord } from './ledger-record';
import type { StateWriter } from './state-writer';

/**
 * Audiences whose vendor matches by any of several identifiers: a record whose identifiers
 * changed while another current record took its previous ones (`claimedBy`) leaves its old
 * identity in the audiences that record is in — the member there is now that record's, and
 * it still holds every old identifier (a phone the record took with it, say). So the old
 * identity, and the identities linked to it, become linked to that record
 * (`StateSnapshot.linked`): when it leaves later, the search for sharers follows them
 * (trial of stop 25: a newcomer with that phone was removed with it). A holder in this window
 * gets them through the returned map (by holder id); another's state entry is updated here.
 */
export async function linkHeldIdentities(
  records: readonly LedgerRecord[],
  writer: StateWriter,
  readEntries: (recordIds: readonly string[]) => Promise<Map<string, StateEntry>>,
  inWindow: ReadonlySet<string>,
): Promise<Map<string, Properties[]>> {
  const gained = new Map<string, Properties[]>();
  for (const record of records) {
    const old = record.entry;
    const holder = record.claimedBy;
    if (holder === undefined || record.next === null || !old || old.snapshot.groups.length === 0) continue;
    if (record.plan?.removeIdentity === undefined || record.plan.removeIdentity === record.next.properties) continue;
    gained.set(holder, [...(gained.get(holder) ?? []), old.snapshot.properties, ...linkedOf(old)]);
  }
  const outside = [...gained.keys()].filter((id) => !inWindow.has(id));
  if (outside.length > 0) {
    const entries = await readEntries(outside);
    const updated: StateEntry[] = [];
    for (const [id, entry] of entries) {
      const links = distinctLinks([...linkedOf(entry), ...(gained.get(id) ?? [])], entry.snapshot.properties);
      if (links.length > linkedOf(entry).length && entry.snapshot.groups.length > 0) updated.push({ ...entry, snapshot: { ...entry.snapshot, linked: links } });
    }
    await writer.put(updated);
  }
  return new Map([...gained].filter(([id]) => inWindow.has(id)));
}
