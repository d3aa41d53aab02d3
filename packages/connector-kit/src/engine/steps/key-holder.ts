import type { StateEntry } from '../../state/state-store';

/**
 * Whether a current source record that now has a departed record's match key may be the
 * same person under a new id (so the departed record's destination record is kept for it,
 * `rekeyed`), given the holder's own state entry and the departed record's destination id.
 *
 * It may when this sync never wrote a destination record for the holder, or wrote that same
 * one. It may not when the holder's state names a *different* destination record: the
 * holder is someone this sync already tracks under its own record, whose key changed to one
 * the departed record had — the departed record is then a real departure (deleted, or kept
 * as the mode says), and the holder's new key waits for it (`match_key_taken`).
 */
export function mayBeSamePerson(holder: StateEntry | undefined, departedDestinationId: string | null | undefined): boolean {
  if (holder === undefined || holder.destinationId === null || holder.notFound === true) return true;
  return departedDestinationId == null || holder.destinationId === departedDestinationId;
}
