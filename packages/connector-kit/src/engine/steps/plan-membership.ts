import { permits } from '../../modes/permits';
import { SYNC_MODE_TABLE, type SyncMode } from '../../modes/sync-modes';
import { snapshotHash } from '../../records/snapshot-hash';
import type { Properties } from '../../records/types';
import type { Plan, RecordView } from '../ledger/ledger-record';
import { earlierIdentityOf } from '../ledger/earlier-identity';
import { namedIds } from './named-ids';

/** A plan for an audience record: audiences to join (current identity) and to leave. */
export type MembershipPlan = Plan;

/** Every membership change is a group operation: an audience plan has no record write. */
const base = { properties: {}, restore: false, depart: false, write: false } as const;

const identityHash = (properties: Properties) => snapshotHash({ properties, groups: [] });

/** The records sharing an identifier with this one, for messages. */
function sharers(item: RecordView): string {
  const ids = item.sharedWith ?? [];
  return `${ids.length === 1 ? 'record' : 'records'} ${namedIds(ids)}`;
}

/** Whether the record is kept in `group` for someone else: a current record sharing an identifier, or another sync's member. */
function keptFor(item: RecordView, group: string): boolean {
  return item.sharedGroups?.includes(group) === true || item.elsewhereGroups?.includes(group) === true;
}

/** Why a record is kept in audiences it leaves (see {@link keptFor}), and the code saying so: other records first. */
function keptBecause(item: RecordView): { readonly code: string; readonly why: string } {
  const parts: string[] = [];
  if (item.sharedWith?.length) parts.push(`${sharers(item)} in the source ${item.sharedWith.length === 1 ? 'shares' : 'share'} one of its identifiers (the destination may see one member)`);
  const syncs = item.elsewhereGroups?.length ? (item.trackedElsewhere ?? []) : [];
  if (syncs.length > 0) {
    const named = syncs.slice(0, 3).map((n) => `"${n}"`).join(', ') + (syncs.length > 3 ? ` and ${syncs.length - 3} more` : '');
    parts.push(`${syncs.length === 1 ? 'sync' : 'syncs'} ${named} sharing this state ${syncs.length === 1 ? 'has' : 'have'} its member there from ${syncs.length === 1 ? 'its' : 'their'} source`);
  }
  return { code: item.sharedWith?.length ? 'identity_shared' : 'tracked_elsewhere', why: parts.join(', and ') };
}

/**
 * A record that left the source while other current records share one of its identifiers
 * (see `findSharedIdentities`), or other syncs have its member (`findOtherSyncMembers`):
 * removed (sync) only from the audiences none of them is in; kept, and still tracked, in the
 * others until nobody there has it.
 */
function planShared(item: RecordView, previousGroups: readonly string[], kept: readonly string[], previousIdentity: Properties | undefined): MembershipPlan {
  const removeGroups = previousGroups.filter((g) => !kept.includes(g));
  const { code, why } = keptBecause(item);
  return {
    ...base,
    action: removeGroups.length > 0 ? 'update' : 'skip',
    outcome: 'skipped',
    code,
    message: `Left the source, but ${why}: kept in ${kept.length} audience(s) until nobody there has it${removeGroups.length > 0 ? `; removed from ${removeGroups.length}` : ''}.`,
    addGroups: [],
    removeGroups,
    removeIdentity: removeGroups.length > 0 ? previousIdentity : undefined,
    depart: true,
  };
}

/**
 * Why a departed record is claimed by a source record: another record with its identifiers, or
 * — for a record's earlier identifiers (`earlierIdentityOf`) — the record itself, whose current
 * identifiers share one with them (fresh trial 153, F4: "record X … now tracked under X").
 */
function claimedHow(item: RecordView): string {
  if (earlierIdentityOf(item.recordId) === item.claimedBy) return `The record's current identifiers share one with these (the same person)`;
  return `Left the source under this id, but record "${item.claimedBy}" in the source has the same identifiers`;
}

/** A record that left the source: removed from its audiences (sync), kept (additive), re-keyed, or forgotten. */
function planDeparted(item: RecordView, mayRemove: boolean, modeName: string, previousGroups: readonly string[], previousIdentity: Properties | undefined): MembershipPlan {
  // Audiences the holder is not in but a record sharing another identifier is: kept there, and still tracked under this id (not re-keyed).
  const sharedOnly = mayRemove ? previousGroups.filter((g) => keptFor(item, g) && item.holderGroups?.includes(g) !== true) : [];
  if (item.claimedBy !== undefined && previousGroups.length > 0 && sharedOnly.length === 0) {
    // The same person, still in the source: kept in the holder's audiences; removed (sync) from the ones the holder is not in.
    const held = item.holderGroups;
    const removeGroups = mayRemove && held ? previousGroups.filter((g) => !held.includes(g)) : [];
    return {
      ...base,
      action: removeGroups.length > 0 ? 'update' : 'skip',
      outcome: 'skipped',
      code: 'rekeyed',
      message: `${claimedHow(item)}: kept in its audiences, now tracked under "${item.claimedBy}"${removeGroups.length > 0 ? `; removed from ${removeGroups.length} audience(s) it is not in` : ''}.`,
      addGroups: [],
      removeGroups,
      removeIdentity: removeGroups.length > 0 ? previousIdentity : undefined,
    };
  }
  const shared = mayRemove ? previousGroups.filter((g) => keptFor(item, g) || (item.claimedBy !== undefined && item.holderGroups?.includes(g) === true)) : [];
  if (shared.length > 0) return planShared(item, previousGroups, shared, previousIdentity);
  if (previousGroups.length === 0) {
    return { ...base, action: 'skip', outcome: 'skipped', code: 'not_found', message: 'Left the source; this sync has it in no audience it manages (never added, or its audiences were deleted in the destination): nothing to remove.', addGroups: [], removeGroups: [], removeIdentity: undefined };
  }
  if (mayRemove) {
    return {
      ...base,
      action: 'delete',
      outcome: 'deleted',
      message: `Left the source; removed from ${previousGroups.length} audience(s).`,
      addGroups: [],
      removeGroups: [...previousGroups],
      removeIdentity: previousIdentity,
    };
  }
  return {
    ...base,
    action: 'skip',
    outcome: 'skipped',
    code: 'delete_not_allowed',
    message: `Left the source; kept in ${previousGroups.length} audience(s) because ${modeName} mode never removes anyone.`,
    addGroups: [],
    removeGroups: [],
    removeIdentity: undefined,
    depart: true,
  };
}

/** What an audience record still in the source was left: shared (another record sharing an identifier is there), kept (the mode never removes). */
interface Unsent {
  readonly shared: readonly string[];
  readonly kept: readonly string[];
  readonly nextGroups: readonly string[];
  readonly modeName: string;
  readonly destinationName: string;
}

/** The plan of a record in the source with nothing to join or leave: why (identity_shared, delete_not_allowed, no_audience), or unchanged. */
function planNothingToSend(item: RecordView, u: Unsent): MembershipPlan {
  const skip = (code: string, message: string): MembershipPlan => ({ ...base, action: 'skip', outcome: 'skipped', code, message, addGroups: [], removeGroups: [], removeIdentity: undefined });
  if (u.shared.length > 0) {
    const { code, why } = keptBecause(item);
    return skip(code, `Left ${u.shared.length} audience(s) in the source, but ${why}: kept there until nobody there has it.`);
  }
  if (u.kept.length > 0) return skip('delete_not_allowed', `Left ${u.kept.length} audience(s) in the source; kept there because ${u.modeName} mode never removes anyone.`);
  if (u.nextGroups.length === 0) return skip('no_audience', 'In no audience: give it a group, or configure an audience.');
  return { ...base, action: 'none', outcome: 'unchanged', message: `Already in its audiences in ${u.destinationName}.`, addGroups: [], removeGroups: [], removeIdentity: undefined };
}

/**
 * What becomes of a record's old identifiers (its state's properties) in this run: removed
 * (`removeIdentity`: the new identifiers when nothing changed), linked to the record where
 * they stay in an audience its new ones are in and name the same member (`linkIdentity`), or
 * kept as an entry of their own in the audiences a sharer keeps them in (`keepIdentityIn`).
 * Where the new identifiers are not, the record's own entry no longer lists the audience
 * (#17, trial fz8021: a leaver's search in the departures window, after this record's state
 * moved on, found nobody there), so they are tracked on their own until nobody shares them.
 */
function planOldIdentity(
  item: RecordView,
  nextIdentity: Properties,
  identityChanged: boolean,
  groups: { readonly shared: readonly string[]; readonly heldByOther: readonly string[]; readonly nextGroups: readonly string[] },
): Pick<MembershipPlan, 'removeIdentity' | 'linkIdentity' | 'keepIdentityIn'> {
  const previousIdentity = item.entry?.snapshot.properties;
  const linkedIn = identityChanged && item.identityOverlaps ? groups.shared.filter((g) => groups.nextGroups.includes(g)) : [];
  const keptAlone = identityChanged ? groups.shared.filter((g) => !linkedIn.includes(g)) : [];
  return {
    removeIdentity: identityChanged ? previousIdentity : nextIdentity,
    linkIdentity: identityChanged && item.identityOverlaps && groups.heldByOther.length + linkedIn.length > 0 ? previousIdentity : undefined,
    keepIdentityIn: keptAlone.length > 0 ? keptAlone : undefined,
  };
}

/**
 * Decides an audience record's membership changes under the mode. On an audience
 * destination, joining an audience is a create and leaving one is a delete:
 *
 * - joins are sent when the mode may create (sync, additive);
 * - leaves — a group left, the source left, or the old identity after its identifiers
 *   changed — are sent only when the mode may delete (sync); otherwise the person stays in
 *   the audience (`delete_not_allowed`);
 * - only memberships this sync added (its state) are ever removed.
 */
export function planMembership(item: RecordView, mode: SyncMode, destinationName: string): MembershipPlan {
  const ops = { create: permits(mode, 'create'), delete: permits(mode, 'delete', { owned: true, deletePolicy: 'owned' }) };
  const modeName = SYNC_MODE_TABLE[mode].displayName;
  const previousGroups = item.entry?.snapshot.groups ?? [];
  const previousIdentity = item.entry?.snapshot.properties;

  if (item.next === null) return planDeparted(item, ops.delete, modeName, previousGroups, previousIdentity);

  const nextGroups = [...new Set(item.next.groups)];
  const identityChanged = previousIdentity !== undefined && identityHash(previousIdentity) !== identityHash(item.next.properties);
  // A pending entry (writes were in flight when a run died): re-send every join. Likewise a
  // record back in the source after it left while the mode removes: what it was kept in (for
  // a sharer) may have left since with another record's removal, as the destination sees one
  // member (#17, trial fz8021: reported unchanged on every rerun, never re-added). A join of
  // someone already there changes nothing.
  const returning = ops.delete && item.entry?.departed === true;
  const resend = identityChanged || returning || item.entry?.pending === true;
  const joins = ops.create ? (resend ? nextGroups : nextGroups.filter((g) => !previousGroups.includes(g))) : [];
  // After an identity change, the old identity leaves its audiences — except those a current
  // record that now has the old identifiers is in (removing it there would remove that person).
  const heldByOther = identityChanged && item.claimedBy !== undefined ? previousGroups.filter((g) => item.holderGroups?.includes(g) === true) : [];
  const leaving = identityChanged ? previousGroups.filter((g) => !heldByOther.includes(g)) : previousGroups.filter((g) => !nextGroups.includes(g));
  // Audiences another current record sharing an identifier is in: not left (that would remove it); still tracked, left once it goes.
  const shared = ops.delete ? leaving.filter((g) => keptFor(item, g)) : [];
  const removes = ops.delete ? leaving.filter((g) => !shared.includes(g)) : [];
  const kept = ops.delete ? [] : leaving;
  const oldIdentity = planOldIdentity(item, item.next.properties, identityChanged, { shared, heldByOther, nextGroups });

  if (joins.length === 0 && removes.length === 0) {
    const plan = planNothingToSend(item, { shared, kept, nextGroups, modeName, destinationName });
    // New identifiers in no audience while the old ones stay where sharers are: those are still tracked (as above).
    return identityChanged ? { ...plan, ...oldIdentity } : plan;
  }
  // A first join marked but never acknowledged (its entry pending and not yet owned) is still a first join.
  const first = item.entry === undefined || previousGroups.length === 0 || (item.entry.pending === true && !item.entry.owned);
  return {
    ...base,
    action: first ? 'create' : 'update',
    outcome: first ? 'created' : 'updated',
    message:
      (identityChanged ? 'Identifiers changed: ' : returning ? 'Back in the source: ' : '') +
      [
        joins.length > 0 ? `added to ${joins.length} audience(s)` : '',
        removes.length > 0 ? `removed from ${removes.length}` : '',
        kept.length > 0 ? `kept in ${kept.length} it left (${modeName} never removes)` : '',
        shared.length > 0 ? `kept in ${shared.length} it left, as ${keptBecause(item).why}` : '',
        heldByOther.length > 0 ? `its previous identifiers stay in ${heldByOther.length} audience(s) record "${item.claimedBy}", which now has them, is in` : '',
      ]
        .filter(Boolean)
        .join('; ') +
      '.',
    addGroups: joins,
    removeGroups: removes,
    ...oldIdentity,
  };
}
