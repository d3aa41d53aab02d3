import type { StateEntry } from '../../state/state-store';

/**
 * Whether a current source record that now has a departed record's match key may be the
 * same person under a new id (so the departed record's destination record is kept for it,
 * `rekeyed`, never deleted), given the holder's own state entry, the departed record's
 * destination id, and who has the holder's previous key now (`keyHolder`, from the scan).
 *
 * It may when this sync never wrote a destination record for the holder, or wrote that same
 * one. When the holder's state names a *different* destination record, the holder is
 * someone this sync already tracks under its own record, whose key changed to one the
 * departed record had:
 *
 * - if another current record now has the holder's previous key, the source's ids were
 *   most likely renumbered or reused (the person of the departed record is still in the
 *   source, under the holder's id): it may be the same person — the departed record is kept,
 *   and the holder refused (`match_key_taken`) until the source says who is who;
 * - otherwise the departed record is a real departure (deleted, or kept as the mode says),
 *   and the holder's new key waits for it (`match_key_taken`).
 */
export function mayBeSamePerson(holder: StateEntry | undefined, departedDestinationId: string | null | undefined, keyHolder: (key: string) => string | undefined): boolean {
  if (holder === undefined || holder.destinationId === null || holder.notFound === true) return true;
  if (departedDestinationId == null || holder.destinationId === departedDestinationId) return true;
  return previousKeyTaken(holder, keyHolder);
}

/** Whether another current record has the match key `entry` (a record's state) was written with. */
export function previousKeyTaken(entry: StateEntry, keyHolder: (key: string) => string | undefined): boolean {
  if (entry.matchKey === null) return false;
  const other = keyHolder(entry.matchKey);
  return other !== undefined && other !== entry.recordId;
}
