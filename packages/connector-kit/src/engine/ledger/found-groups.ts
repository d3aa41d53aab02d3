import type { StateEntry, StateSnapshot } from '../../state/state-store';
import type { LedgerRecord } from './ledger-record';

const NONE: ReadonlySet<string> = new Set();

/**
 * The groups a record was already in when this sync added it (`StateSnapshot.found`): this
 * sync never removes those memberships (a campaign member a person made, a tag the app set);
 * it forgets them when the record leaves the group.
 */
export function foundOf(entry: StateEntry | undefined): ReadonlySet<string> {
  const found = entry?.snapshot.found;
  return found === undefined || found.length === 0 ? NONE : new Set(found);
}

/**
 * The record's found groups after this run: the state's, and the adds the destination
 * answered "already a member", kept where they are in `groups`. An add answered so for a
 * group the state already lists as this sync's (resent after a run that died with it in
 * flight: the write-ahead mark counts it) stays this sync's — the first add may have been
 * its own — unless the destination proved another user made it (`others:`). The state of
 * another destination record (the one found replaced it) says nothing.
 */
export function foundAfter(record: LedgerRecord, groups: readonly string[]): readonly string[] {
  const entry = record.entry;
  const same = entry !== undefined && (entry.destinationId === null || entry.destinationId === (record.destinationId ?? null));
  const found = new Set(same ? foundOf(entry) : NONE);
  const ours = same ? entry.snapshot.groups.filter((g) => !found.has(g)) : [];
  for (const op of record.acked) {
    if (op.startsWith('found:') && !ours.includes(op.slice(6))) found.add(op.slice(6));
    else if (op.startsWith('others:')) found.add(op.slice(7)); // proven another user's: found whatever the state planned
  }
  return found.size === 0 ? [] : groups.filter((g) => found.has(g));
}

/** `groups` less the found groups the record no longer has (or all of them, once it left the source): forgotten, never removed. */
export function withoutLeftFound(record: LedgerRecord, groups: readonly string[]): readonly string[] {
  const found = foundOf(record.entry);
  if (found.size === 0) return groups;
  const wanted = record.next?.groups ?? [];
  return groups.filter((g) => !found.has(g) || wanted.includes(g));
}

/** `snapshot` with its found groups (the field absent when there are none). */
export function withFound(snapshot: StateSnapshot, found: readonly string[]): StateSnapshot {
  return found.length === 0 ? snapshot : { ...snapshot, found };
}
