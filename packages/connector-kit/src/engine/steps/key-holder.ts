import type { StateEntry } from '../../state/state-store';
import { isEmpty } from '../../records/property-diff';
import type { PropertyValue, RecordSnapshot } from '../../records/types';

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
 *   and the holder's new key waits for it (`match_key_taken`) — unless the holder's row
 *   took any of the departed person's other values ({@link takesValuesWith}): then the holder claims the
 *   departed record in its window (see `settleTaken`), so it is kept.
 */
export function mayBeSamePerson(holder: StateEntry | undefined, departedDestinationId: string | null | undefined, keyHolder: (key: string) => string | undefined): boolean {
  if (holder === undefined || holder.destinationId === null || holder.notFound === true) return true;
  if (departedDestinationId == null || holder.destinationId === departedDestinationId) return true;
  return previousKeyTaken(holder, keyHolder);
}

/**
 * Whether a departed record's match key is held by several current records (the scan's
 * `duplicateKeys`): each of them fails `duplicate_match_key`, and any of them may be the
 * departed person under a new id — unsure, so the departed record is kept, never deleted,
 * until the source says who has that key (`keyShared`: the scan's shared keys) (verify seed 868883117: `r0` and a new `r4` both
 * took the key of the departed `r2`, and `r2` was deleted).
 */
export function keyHeldBySeveral(key: string | null | undefined, keyShared: (key: string) => boolean): boolean {
  return key != null && keyShared(key);
}

/** Whether another current record has the match key `entry` (a record's state) was written with. */
export function previousKeyTaken(entry: StateEntry, keyHolder: (key: string) => string | undefined): boolean {
  if (entry.matchKey === null) return false;
  const other = keyHolder(entry.matchKey);
  return other !== undefined && other !== entry.recordId;
}

/**
 * Two property values are the same, every empty value ({@link isEmpty}) equal to every other,
 * and two texts equal but for case and surrounding spaces (a city moved as `WILMSLOW`, a name
 * as `ada`, still moved: fifteenth trial of #17).
 */
export function same(a: PropertyValue | undefined, b: PropertyValue | undefined): boolean {
  if (isEmpty(a)) return isEmpty(b);
  if (typeof a === 'string' && typeof b === 'string') return a.trim().toLowerCase() === b.trim().toLowerCase();
  return a === b;
}

/**
 * Whether a record whose new match key is a departed record's looks like that departed
 * person rather than like itself: of the properties (other than those making up the match
 * key) on which its own last exported values and the departed record's differ, at least as
 * many now hold the departed record's values as its own. That is what ids reused or shifted
 * look like (the row now describes the departed person: trial of stop 26 — a row took both
 * the Email and the name of a departed record, which was deleted); a key handed on to
 * someone else keeps the holder's own values. A tie (nothing else to tell them apart
 * included) counts as looking like it: unsure, so the departed record is not deleted.
 *
 * @param next the holder's row now; @param own the holder's state snapshot; @param departed
 *   the departed record's state snapshot; @param keyOf the destination's match key of a snapshot.
 */
export function looksLikeDeparted(next: RecordSnapshot, own: RecordSnapshot, departed: RecordSnapshot, keyOf: (s: RecordSnapshot) => string | undefined): boolean {
  const { forDeparted, forOwn } = valueVotes(next, own, departed, keyOf);
  return forDeparted >= forOwn;
}

/**
 * Whether a row that took a match key (or an identifier) another record gave up keeps its
 * own values only: true unless, of the properties telling the two apart (outside the match
 * key), none holds the other's value and at least one holds its own. A key handed on keeps
 * every value of the new holder's; one that moved with any of the giver's values (its name,
 * say, while the phone and city stayed) may mean the ids moved (fourteenth trial of #17:
 * Intercom by email archived a contact whose email and name a remaining row had, then
 * rewrote that row's contact into her; a swap of email, phone and city with both names kept
 * rewrote two Salesforce Contacts). Unsure, so the giver's record is kept and the row refused.
 */
export function takesValuesWith(next: RecordSnapshot, own: RecordSnapshot, giver: RecordSnapshot, keyOf: (s: RecordSnapshot) => string | undefined): boolean {
  const { forDeparted, forOwn } = valueVotes(next, own, giver, keyOf);
  return forDeparted > 0 || forOwn === 0;
}

/** Of the properties (outside the match key) on which `own` and `departed` differ: how many `next` holds as `departed`'s, and how many as its own. */
function valueVotes(next: RecordSnapshot, own: RecordSnapshot, departed: RecordSnapshot, keyOf: (s: RecordSnapshot) => string | undefined): { forDeparted: number; forOwn: number } {
  const key = keyOf(next);
  let forDeparted = 0;
  let forOwn = 0;
  for (const name of new Set([...Object.keys(own.properties), ...Object.keys(departed.properties)])) {
    const mine = own.properties[name];
    const theirs = departed.properties[name];
    if (same(mine, theirs)) continue;
    // Part of the match key: putting the holder's own value back, or the other's in, changes the key (a key kept tells nothing either).
    const keyWith = (v: PropertyValue | undefined) => keyOf({ ...next, properties: { ...next.properties, [name]: v ?? null } });
    if (keyWith(mine) !== key || keyWith(theirs) !== key) continue;
    const now = next.properties[name];
    if (same(now, theirs)) forDeparted++;
    else if (same(now, mine)) forOwn++;
  }
  return { forDeparted, forOwn };
}
