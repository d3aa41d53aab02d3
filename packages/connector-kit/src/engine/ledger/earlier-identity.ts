import type { RecordResult } from '../../records/outcome';
import { snapshotHash } from '../../records/snapshot-hash';
import type { Properties } from '../../records/types';
import type { StateEntry } from '../../state/state-store';
import { linkedOf, linksAfter, withLinks } from './identity-links';
import type { LedgerRecord } from './ledger-record';

/**
 * Audiences: the identifiers a record had before they changed, while their removal from
 * its audiences is refused for now (a deferral, e.g. Meta's "audience size too low").
 *
 * The record's own state entry moves on to its new identifiers; the earlier ones are kept
 * as an entry of their own, under an id no source record can have (the record's id, a unit
 * separator, the identifiers' hash: source ids never hold control characters). That entry
 * is a departure on every later run, removed from its audiences as soon as the destination
 * allows — so two or more changes in a row each leave their earlier identity behind to be
 * removed, not only the first. A current record holding those identifiers claims it (it
 * then leaves only the audiences that record is not in).
 */
const SEPARATOR = '\u001f';

/** The state id of a record's earlier identifiers. */
export function earlierIdentityId(recordId: string, identity: Properties): string {
  return `${recordId}${SEPARATOR}${snapshotHash({ properties: identity, groups: [] }).slice(0, 16)}`;
}

/** The source id an earlier identity belongs to, or `undefined` for a source record's own id. */
export function earlierIdentityOf(stateId: string): string | undefined {
  const at = stateId.indexOf(SEPARATOR);
  return at < 0 ? undefined : stateId.slice(0, at);
}

/**
 * The entry keeping a record's earlier identifiers in the audiences whose removal was
 * refused (`groups`), owned (this sync added them), to be removed by a later run.
 */
export function earlierIdentityEntry(record: LedgerRecord, identity: Properties, groups: readonly string[]): StateEntry {
  // The member those identifiers name still holds every identity linked to it before (`StateSnapshot.linked`).
  const snapshot = withLinks({ properties: identity, groups: [...new Set(groups)].sort() }, linkedOf(record.entry));
  return {
    recordId: earlierIdentityId(record.recordId, identity),
    destinationId: null,
    matchKey: record.previousMatchKey ?? record.entry?.matchKey ?? null,
    snapshot,
    hash: snapshotHash(snapshot),
    owned: true,
    departed: false,
    pending: false,
  };
}

/** True when the record's plan changes its identifiers (it removes another identity than its new one). */
export function changesIdentity(record: LedgerRecord): boolean {
  const earlier = record.plan?.removeIdentity;
  return earlier !== undefined && record.next !== null && earlier !== record.next.properties;
}

/**
 * The write-ahead mark of an audience record whose identifiers change (`base`: the usual
 * mark): its own entry already under the new identifiers, holding the audiences they join,
 * and — when the old ones leave audiences, or stay where a sharer is — those as an entry of
 * their own, to be removed (once nobody shares them). A
 * run that dies, or whose state fails, after sending leaves both to the next run: the joins
 * are sent again and the old identifiers removed as a departure; if the person then leaves
 * the source, the new identifiers go too (under the old mark they stayed in the audiences,
 * tracked by nobody).
 */
export function identityChangeMark(record: LedgerRecord, base: StateEntry): StateEntry[] {
  const plan = record.plan;
  const next = record.next;
  if (!plan || next === null || !changesIdentity(record)) return [base];
  const snapshot = withLinks({ properties: next.properties, groups: [...new Set(plan.addGroups)].sort() }, linksAfter(record, false));
  const own: StateEntry = { ...base, matchKey: record.matchKey ?? base.matchKey, snapshot };
  // The audiences the old ones stay in because a sharer is there (`keepIdentityIn`) are theirs too.
  const groups = [...plan.removeGroups, ...(plan.keepIdentityIn ?? [])];
  return groups.length > 0 ? [own, earlierIdentityEntry(record, plan.removeIdentity as Properties, groups)] : [own];
}

/** A result as reported: an earlier identity's result names its record's source id and says what it is about. */
export function reportedResult(result: RecordResult): RecordResult {
  const id = earlierIdentityOf(result.id);
  return id === undefined ? result : { ...result, id, row: undefined, message: `Its earlier identifiers (before they changed): ${result.message}` };
}
