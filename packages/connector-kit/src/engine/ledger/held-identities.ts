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
 *
 * A holder whose own row is refused in this run (`holderRefused`: several rows took the old
 * identifiers and all fail `duplicate_match_key`) took nothing: its member is still the one
 * its state names, so it is linked only when that state already has the match key the claim
 * was made by (verify seed 187361820 #5: the holder's member was linked to identifiers it
 * never had, and when it left it was kept, `identity_shared`, for the other row that had them).
 */
export async function linkHeldIdentities(
  records: readonly LedgerRecord[],
  writer: StateWriter,
  readEntries: (recordIds: readonly string[]) => Promise<Map<string, StateEntry>>,
  inWindow: ReadonlySet<string>,
): Promise<Map<string, Properties[]>> {
  const gained = new Map<string, Properties[]>();
  /** Holder id → the match keys its state must have for what it gains from refused claims. */
  const onlyIfHeld = new Map<string, Map<string, Properties[]>>();
  for (const record of records) {
    const old = record.entry;
    const holder = record.claimedBy;
    if (holder === undefined || record.next === null || !old || old.snapshot.groups.length === 0) continue;
    if (record.plan?.removeIdentity === undefined || record.plan.removeIdentity === record.next.properties) continue;
    const identities = [old.snapshot.properties, ...linkedOf(old)];
    if (record.holderRefused) {
      const byKey = onlyIfHeld.get(holder) ?? new Map<string, Properties[]>();
      const key = record.previousMatchKey ?? old.matchKey ?? '';
      byKey.set(key, [...(byKey.get(key) ?? []), ...identities]);
      onlyIfHeld.set(holder, byKey);
    } else gained.set(holder, [...(gained.get(holder) ?? []), ...identities]);
  }
  const outside = [...new Set([...gained.keys(), ...onlyIfHeld.keys()])].filter((id) => !inWindow.has(id));
  if (outside.length > 0) {
    const entries = await readEntries(outside);
    const updated: StateEntry[] = [];
    for (const [id, entry] of entries) {
      const held = entry.matchKey === null ? [] : (onlyIfHeld.get(id)?.get(entry.matchKey) ?? []);
      const links = distinctLinks([...linkedOf(entry), ...(gained.get(id) ?? []), ...held], entry.snapshot.properties);
      if (links.length > linkedOf(entry).length && entry.snapshot.groups.length > 0) updated.push({ ...entry, snapshot: { ...entry.snapshot, linked: links } });
    }
    await writer.put(updated);
  }
  return new Map([...gained].filter(([id]) => inWindow.has(id)));
}
