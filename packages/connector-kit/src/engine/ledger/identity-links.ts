import { snapshotHash } from '../../records/snapshot-hash';
import type { Properties } from '../../records/types';
import type { StateEntry, StateSnapshot } from '../../state/state-store';
import type { LedgerRecord } from './ledger-record';

/**
 * Audiences whose vendor matches a person by any of several identifiers: the earlier
 * identities still linked to a member (`StateSnapshot.linked`). Meta keeps a member matched
 * by every identifier ever sent for it, so identifiers a record had before and that stayed
 * in an audience (another record shared them), and the identities of records re-keyed to
 * it, still name this member: removing any of them would remove it.
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences#hash
 */
const identityHash = (properties: Properties): string => snapshotHash({ properties, groups: [] });

/** The earlier identities linked to an entry's member (none for most). */
export function linkedOf(entry: StateEntry | undefined): readonly Properties[] {
  return entry?.snapshot.linked ?? [];
}

/** `identities` without repeats and without `current`. */
export function distinctLinks(identities: readonly Properties[], current: Properties): Properties[] {
  const seen = new Set([identityHash(current)]);
  const out: Properties[] = [];
  for (const identity of identities) {
    const hash = identityHash(identity);
    if (seen.has(hash)) continue;
    seen.add(hash);
    out.push(identity);
  }
  return out;
}

/** A snapshot with its linked identities (the field left out when there are none). */
export function withLinks(snapshot: StateSnapshot, linked: readonly Properties[]): StateSnapshot {
  const links = linked.length === 0 || snapshot.groups.length === 0 ? [] : distinctLinks(linked, snapshot.properties);
  return links.length === 0 ? { properties: snapshot.properties, groups: snapshot.groups } : { properties: snapshot.properties, groups: snapshot.groups, linked: links };
}

/**
 * The earlier identities linked to a record's member after this run: its state's (none when
 * its identity changed and every removal of the old one was acknowledged — `acknowledged`:
 * every operation of its plan was; that member is gone, and its links with it), its previous
 * identity when the plan keeps that linked (`Plan.linkIdentity`: the new identifiers name the
 * same member, and the old ones stayed in an audience), and the identities of records
 * re-keyed to it in this run (`LedgerRecord.inheritedLinks`).
 */
export function linksAfter(record: LedgerRecord, acknowledged: boolean): readonly Properties[] {
  const plan = record.plan;
  const replaced = plan?.removeIdentity !== undefined && record.next !== null && plan.removeIdentity !== record.next.properties;
  const gone = replaced && acknowledged && plan.removeGroups.length >= (record.entry?.snapshot.groups.length ?? 0);
  const prior = gone ? [] : linkedOf(record.entry);
  const link = plan?.linkIdentity;
  const inherited = record.inheritedLinks ?? [];
  return link === undefined && inherited.length === 0 ? prior : [...prior, ...(link ? [link] : []), ...inherited];
}
