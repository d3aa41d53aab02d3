import { snapshotHash } from '../../records/snapshot-hash';
import type { Properties, PropertyValue, RecordSnapshot } from '../../records/types';
import type { StateEntry } from '../../state/state-store';
import { foundAfter, withFound, withoutLeftFound } from './found-groups';
import { linkedOf, linksAfter, withLinks } from './identity-links';
import type { LedgerRecord } from './ledger-record';
import { clearedFields, replacedValues, withBefore, withCleared } from './pending-before';

const EMPTY: RecordSnapshot = { properties: {}, groups: [] };

/** True when every operation of the record's plan (the record write, each group change) was acknowledged in this run. */
export function complete(record: LedgerRecord): boolean {
  const plan = record.plan;
  if (!plan) return true;
  const acked = record.acked;
  if (plan.write && !acked.has('write')) return false;
  for (const g of plan.removeGroups) if (!acked.has(`remove:${g}`)) return false;
  for (const g of plan.addGroups) if (!acked.has(`add:${g}`)) return false;
  return true;
}

/** No groups: shared by every entry without any (most records of most destinations). */
const NO_GROUPS: readonly string[] = Object.freeze([]);

/** True when the record has, and had, no managed group: its state's groups, its plan's and its acknowledgements are all empty of groups. */
function groupless(record: LedgerRecord): boolean {
  const plan = record.plan;
  if ((record.entry?.snapshot.groups.length ?? 0) > 0 || (plan && plan.addGroups.length + plan.removeGroups.length > 0)) return false;
  for (const op of record.acked) if (op !== 'write') return false;
  return true;
}

/** Group names as a state entry holds them: distinct and sorted. */
function sortedGroups(groups: Iterable<string>): readonly string[] {
  const list = [...new Set(groups)];
  return list.length === 0 ? NO_GROUPS : list.length === 1 ? list : list.sort();
}

/** The managed groups the destination holds for the record as far as this run knows: state's, less acknowledged removals, plus acknowledged additions. */
function appliedGroups(record: LedgerRecord): Set<string> {
  const groups = new Set(record.entry?.snapshot.groups ?? []);
  for (const op of record.acked) {
    if (op.startsWith('remove:')) groups.delete(op.slice(7));
    else if (op.startsWith('add:')) groups.add(op.slice(4));
  }
  return groups;
}

/** The properties the destination holds as far as this run knows. */
function appliedProperties(record: LedgerRecord, identityApplied: boolean): Properties {
  const plan = record.plan;
  const written = plan !== undefined && (plan.write ? record.acked.has('write') : plan.action === 'none' || plan.action === 'groups');
  return record.next !== null && (written || identityApplied) ? record.next.properties : (record.entry?.snapshot.properties ?? {});
}

/**
 * The match key the destination record is sure to be found by while a write to it is not
 * acknowledged: the key it had before the run (a re-key sent but not acknowledged may not
 * have happened). The next run finds the record by this key first, then by the source's
 * (see `lookupMoved`), so an unacknowledged re-key is retried in place, never created anew.
 */
function heldKey(record: LedgerRecord): string | null {
  return record.previousMatchKey ?? record.matchKey ?? record.entry?.matchKey ?? null;
}

/** How {@link entryFor} records a record. */
export interface EntryOptions {
  /** Audiences: the record's identity is now the source's (every change acknowledged, or recorded exactly). */
  readonly identityApplied?: boolean | undefined;
  /** Record what was acknowledged exactly, even with operations outstanding (a deferral the run knows about). */
  readonly exact?: boolean | undefined;
  /** The groups the source has, for a record whose plan changed nothing (`none`). */
  readonly settledGroups?: readonly string[] | undefined;
}

/**
 * The state entry describing what the destination holds for a record as far as the run
 * knows. While some planned operations are outstanding (and the run does not know exactly
 * why), the entry stays pending — the groups being added counted as held, the hash empty —
 * and, for a record that left the source, not yet departed, so the next run sends what is
 * outstanding. Additions known never sent (`unsentAdds`) are not counted held.
 */
export function entryFor(record: LedgerRecord, options: EntryOptions = {}): StateEntry {
  const outstanding = !options.exact && !complete(record);
  let groups: readonly string[];
  if (options.settledGroups) groups = sortedGroups(options.settledGroups);
  else if (groupless(record)) groups = NO_GROUPS;
  else {
    const held = appliedGroups(record);
    // An addition never sent (its group could not be found or created) is not held: counted, the next run's group check
    // warned that the group was deleted, or emptied, "although this sync added" the record (reviewer 88, F3).
    if (outstanding) for (const g of record.plan?.addGroups ?? []) if (!record.unsentAdds.has(g)) held.add(g);
    groups = sortedGroups(held);
  }
  groups = withoutLeftFound(record, groups);
  const properties = appliedProperties(record, options.identityApplied === true);
  // A write-ahead mark no run confirmed, of a record that left the source (nothing was sent for
  // it): its values are still unconfirmed. It stays pending — its hash set, so the departure is
  // not looked at again — and a return re-sends everything (crash verify, onesignal/enrich:
  // killed after the marks, the record left, came back and was reported unchanged). It keeps
  // the mark's earlier versions and cleared fields (fresh reviewer 135: without them a row
  // taking the values the record really holds was written, and a return resent as it was
  // counted as a change, refused on every run).
  const unconfirmed = record.next === null && record.entry?.pending === true;
  const made = withFound(withLinks({ properties, groups }, linksAfter(record, !outstanding)), foundAfter(record, groups));
  const mark = record.entry?.snapshot;
  const snapshot = unconfirmed && mark !== undefined ? withCleared(withBefore(made, mark.before), mark.cleared) : made;
  return {
    recordId: record.recordId,
    destinationId: record.destinationId ?? null,
    matchKey: (properties === record.next?.properties ? record.matchKey : undefined) ?? heldKey(record),
    snapshot,
    hash: outstanding ? '' : snapshotHash(snapshot),
    owned: record.owned,
    departed: record.next === null && !outstanding,
    pending: outstanding || unconfirmed,
  };
}

/**
 * The write-ahead mark of a record about to be written: pending, with the properties and
 * groups being set counted as held (so a later empty value or group removal covers them).
 * A record about to be created is marked as this sync's own, with no destination id yet:
 * the next run looks it up and, if the create went through, keeps ownership of it.
 * An audience member's first joins (`kind` `audience`, no entry yet) are marked with its
 * identity and the audiences it joins, not owned: the next run resends them as first joins
 * (`created`), or, if the person left the source, removes them (sync) — a join sent but
 * never recorded is not orphaned.
 */
export function pendingEntry(record: LedgerRecord, kind: 'records' | 'audience' = 'records', options: { readonly withAdds?: boolean } = {}): StateEntry {
  const plan = record.plan;
  const firstJoin = kind === 'audience' && record.entry === undefined;
  const base = record.entry?.snapshot ?? (firstJoin && record.next ? { properties: record.next.properties, groups: [] } : EMPTY);
  // The state's properties, then the ones being set (non-empty), in that key order (the plan's own object when that is all it is).
  const setting = plan?.properties ?? {};
  let properties: Readonly<Record<string, PropertyValue>> = setting;
  if (!isEmptyObject(base.properties) || !allSet(setting)) {
    const merged: Record<string, PropertyValue> = {};
    for (const key in base.properties) merged[key] = base.properties[key] as PropertyValue;
    for (const key in setting) {
      const value = setting[key] as PropertyValue;
      if (value !== null && value !== '') merged[key] = value;
    }
    properties = merged;
  }
  const adding = options.withAdds === false ? NO_GROUPS : (plan?.addGroups ?? NO_GROUPS);
  const groups = base.groups.length + adding.length === 0 ? NO_GROUPS : sortedGroups([...base.groups, ...adding]);
  // A create makes a new record: also for a record whose state names one that is gone (deleted or archived in the
  // destination) — marked with that one's id and ownership, a run killed mid-create left the new record someone else's
  // (fresh reviewer 100, F3: found by key on the next run, it was written whole and never deleted).
  const creating = plan?.action === 'create' && !firstJoin;
  return {
    recordId: record.recordId,
    destinationId: creating ? null : (record.destinationId ?? null),
    matchKey: heldKey(record),
    snapshot: withCleared(
      withBefore(withFound(withLinks({ properties, groups }, linkedOf(record.entry)), foundAfter(record, groups)), kind === 'records' && record.entry !== undefined ? replacedValues(base, properties, setting) : undefined),
      kind === 'records' && record.entry !== undefined ? clearedFields(properties, setting) : undefined,
    ),
    hash: '',
    owned: record.owned || creating,
    departed: record.entry?.departed ?? false,
    pending: true,
  };
}

function isEmptyObject(object: object): boolean {
  for (const _ in object) return false;
  return true;
}

/** True when no value is `null` or `''` (a pending entry keeps every value as it is). */
function allSet(properties: Readonly<Record<string, PropertyValue>>): boolean {
  for (const key in properties) {
    const value = properties[key];
    if (value === null || value === '') return false;
  }
  return true;
}

/**
 * A record looked up and not found (a mode that cannot create skipped it): nothing of it
 * is in the destination; the hash is its source snapshot's, so an unchanged record is not
 * looked up again before the recheck window.
 */
export function notFoundEntry(record: LedgerRecord): StateEntry {
  return {
    recordId: record.recordId,
    destinationId: null,
    matchKey: record.matchKey ?? null,
    snapshot: EMPTY,
    hash: snapshotHash(record.next ?? EMPTY),
    owned: false,
    departed: false,
    notFound: true,
  };
}
