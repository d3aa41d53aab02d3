import { permits, type DeletePolicy } from '../../modes/permits';
import { SYNC_MODE_TABLE, type SyncMode } from '../../modes/sync-modes';
import { groupChanges, presentProperties, propertyChanges } from '../../records/property-diff';
import type { Properties, PropertyValue } from '../../records/types';
import { foundOf } from '../ledger/found-groups';
import type { FoundRecord } from '../../destination/verbs';
import type { Plan, RecordView } from '../ledger/ledger-record';
import type { StateEntry } from '../../state/state-store';
import { listIds } from './match-decision';

/** What {@link classify} needs besides the record. */
export interface ClassifyContext {
  readonly mode: SyncMode;
  /** `owned` (default): only records this sync created; `matched`: any record the sync matched. */
  readonly deletePolicy: DeletePolicy;
  /** Whether the destination manages group membership. */
  readonly groupsEnabled: boolean;
  /** The destination's key of a group name (default: lowercased); names with one key are one membership. */
  readonly groupKey?: ((name: string) => string) | undefined;
  /** Destination name for messages (e.g. "Salesforce"). */
  readonly destinationName: string;
  /** Match key name for messages (e.g. "Email"). */
  readonly matchKeyLabel: string;
  /** The destination's `unwrittenProperties`: not counted as changes on a first match, nor in "Updated N field(s)". */
  readonly unwritten?: ReadonlySet<string> | undefined;
}

const NONE: readonly string[] = Object.freeze([]);
const NO_PROPERTIES: Readonly<Record<string, PropertyValue>> = Object.freeze({});
const NO_GROUPS = { add: NONE, remove: NONE };

/**
 * The non-empty properties of a snapshot (see `presentProperties`): the snapshot's own
 * object when none is empty, so a create's plan holds no second copy of the record.
 */
function sendable(properties: Properties): Readonly<Record<string, PropertyValue>> {
  for (const key in properties) {
    const v = properties[key];
    if (v === undefined || v === null || v === '') return presentProperties(properties);
  }
  return properties;
}

/** Messages that are the same for every record of a run, made once per classify context (not once per record). */
const messages = new WeakMap<ClassifyContext, Map<string, string>>();
function message(ctx: ClassifyContext, key: string, make: () => string): string {
  let known = messages.get(ctx);
  if (!known) messages.set(ctx, (known = new Map()));
  let text = known.get(key);
  if (text === undefined) known.set(key, (text = make()));
  return text;
}

/**
 * For a pending entry: every non-empty property again, and `null` (clear) for the ones
 * now empty that this sync may have set (held in the pending snapshot). Fields it never
 * set are left alone, as on a first match.
 */
function resendProperties(held: Readonly<Record<string, PropertyValue>>, next: Readonly<Record<string, PropertyValue>>): Record<string, PropertyValue> {
  const out: Record<string, PropertyValue> = {};
  const empty = (v: PropertyValue | undefined) => v === undefined || v === null || v === '';
  for (const [k, v] of Object.entries(next)) {
    if (!empty(v)) out[k] = v;
    else if (!empty(held[k])) out[k] = null;
  }
  return out;
}

type PlanFields = Partial<Plan> & Pick<Plan, 'action' | 'outcome' | 'message'>;

/** A plan, every field written out (one hidden class for every plan; shared empty lists and properties). */
function plan(p: PlanFields): Plan {
  return {
    action: p.action,
    outcome: p.outcome,
    code: p.code,
    message: p.message,
    write: p.action === 'create' || p.action === 'update' || p.action === 'delete',
    properties: p.properties ?? NO_PROPERTIES,
    restore: p.restore ?? false,
    addGroups: p.addGroups ?? NONE,
    removeGroups: p.removeGroups ?? NONE,
    depart: p.depart ?? false,
    removeIdentity: p.removeIdentity,
    linkIdentity: p.linkIdentity,
    keepIdentityIn: p.keepIdentityIn,
  };
}

/** A record that left the source: deleted, kept (leaving its managed groups), re-keyed or forgotten. */
function classifyDeparted(record: RecordView, ctx: ClassifyContext): Plan {
  const found = record.found;
  // A record the destination refuses to change (a converted Salesforce Lead: the sales team's now) is neither deleted nor
  // taken out of its groups: its campaign history went with the conversion (reviewer 88, F5: sync mode deleted the Lead).
  if (found?.blocked) {
    return plan({ action: 'skip', outcome: 'skipped', code: found.blocked.code, message: `Left the source; kept in ${ctx.destinationName} as it is (groups too) and no longer tracked: ${found.blocked.message}` });
  }
  if (record.claimedBy !== undefined && found && !found.archived) return departedClaimed(record, record.claimedBy, found, ctx);
  if (!found || found.archived) return departedGone(record, found, ctx);
  return departedKeptOrDeleted(record, found, ctx);
}

/** A departure whose record (or key) a record still in the source has: never deleted; it leaves only the managed groups the holder is not in. */
function departedClaimed(record: RecordView, claimedBy: string, found: FoundRecord, ctx: ClassifyContext): Plan {
  const held = record.holderGroups;
  const kept = foundOf(record.entry);
  // Names compared by the destination's key (case-insensitively for Salesforce and Intercom; by tag for OneSignal): the holder
  // in `vip` is in the record's `VIP` (fresh reviewer 93, F8: the departure untagged the contact the holder had just kept
  // tagged; fresh reviewer 105, F4: the same for OneSignal's `VIP Customers` and `vip-customers`).
  const key = ctx.groupKey ?? ((g: string) => g.toLowerCase());
  const heldNames = new Set(held?.map(key));
  const removeGroups = ctx.groupsEnabled && permits(ctx.mode, 'update') && held ? (record.entry?.snapshot.groups ?? []).filter((g) => !heldNames.has(key(g)) && !kept.has(g)) : [];
  const { destinationName: dest, matchKeyLabel: keyLabel } = ctx;
  return plan({
    action: removeGroups.length > 0 ? 'groups' : 'skip',
    outcome: 'skipped',
    code: 'rekeyed',
    message: record.released
      ? `Left the source under this id, while new record "${claimedBy}" carries its values under another ${keyLabel} and was written to a record of its own in ${dest}: kept as it is (${dest} record ${found.id}, groups too) and no longer tracked by this sync, since it may be this person under a new id. If it is someone else who left, delete ${found.id} in ${dest}.`
      : record.claimedByValues
      ? `Left the source under this id, but record "${claimedBy}", which is in the source, carries its values (or found this record) under another ${keyLabel}: kept as it is (${dest} record ${found.id}, groups too) and still tracked under this id, since it may be this person under a new id. The next run decides again.`
      : held
      ? `Left the source under this id, but its ${dest} record (${found.id}) belongs to record "${claimedBy}", which is in the source: kept, and now tracked under "${claimedBy}"${removeGroups.length > 0 ? `; removed from ${removeGroups.length} managed group(s) "${claimedBy}" is not in` : ''}.`
      : `Left the source under this id, but record "${claimedBy}", which is in the source, has its ${keyLabel} (${dest} record ${found.id}) and this sync has not written that record for it: kept as it is (groups too) and still tracked under this id, since that record may be this person under a new id. If "${record.recordId}" really left, delete or merge ${found.id} in ${dest}; the next run decides again.`,
    removeGroups,
  });
}

/**
 * A departure its key finds no record for, only an archived one, or only records other than
 * its own (someone else's: its own was deleted or merged away, or given another key, read by
 * id where the destination can: `LookupRequest.confirmKnown`): forgotten, nothing changed.
 */
function departedGone(record: RecordView, found: FoundRecord | undefined, ctx: ClassifyContext): Plan {
  const own = record.entry?.destinationId;
  const message =
    own == null || found?.archived
      ? `Left the source and is no longer in ${ctx.destinationName}; forgotten.`
      : `Left the source, and its ${ctx.matchKeyLabel} no longer finds the ${ctx.destinationName} record this sync wrote (${own}: deleted or merged away there, or given another ${ctx.matchKeyLabel}); any other record with it is someone else's. Forgotten; nothing was changed.`;
  return plan({ action: 'skip', outcome: 'skipped', code: 'not_found', message });
}

/** A departure found as its own: deleted where the mode and the delete policy allow, else kept and taken out of its managed groups. */
function departedKeptOrDeleted(record: RecordView, found: FoundRecord, ctx: ClassifyContext): Plan {
  const elsewhere = record.trackedElsewhere;
  if (permits(ctx.mode, 'delete', { owned: record.owned, deletePolicy: ctx.deletePolicy }) && elsewhere === undefined) {
    return plan({ action: 'delete', outcome: 'deleted', message: 'Left the source; deleted.' });
  }
  // Memberships the record had before this sync added them (found) are left as they are.
  const kept = foundOf(record.entry);
  const removeGroups = ctx.groupsEnabled && permits(ctx.mode, 'update') ? (record.entry?.snapshot.groups ?? []).filter((g) => !kept.has(g)) : [];
  const why = elsewhere !== undefined
    ? { code: 'tracked_elsewhere', text: `${elsewhere.length === 1 ? 'sync' : 'syncs'} ${elsewhere.slice(0, 3).map((s) => `"${s}"`).join(', ')}${elsewhere.length > 3 ? ` and ${elsewhere.length - 3} more` : ''} sharing this state ${elsewhere.length === 1 ? 'has' : 'have'} record ${found.id} in ${elsewhere.length === 1 ? 'its' : 'their'} source (if that person left every source, delete ${found.id} in ${ctx.destinationName})` }
    : !permits(ctx.mode, 'delete', { owned: true, deletePolicy: ctx.deletePolicy })
    ? { code: 'delete_not_allowed', text: `${SYNC_MODE_TABLE[ctx.mode].displayName} mode never deletes` }
    : { code: 'not_owned', text: "this sync did not create it (deletePolicy: 'matched' widens deletes)" };
  return plan({
    action: removeGroups.length > 0 ? 'groups' : 'skip',
    outcome: 'skipped',
    code: why.code,
    message: `Left the source; kept in ${ctx.destinationName} because ${why.text}` + (removeGroups.length > 0 ? `; removed from ${removeGroups.length} managed group(s).` : '.'),
    removeGroups,
    depart: true,
  });
}

/**
 * The destination record this sync last wrote for the row, when the record found is another
 * one (that one was deleted or merged away, and another record has the row's key): what the
 * state holds says nothing about the record found, so it is written whole, as a first match
 * writes it. Diffing against the state wrote only the changed fields onto it, leaving the
 * other person's values beside them, and every later run called it unchanged (fresh
 * reviewer 88, F4).
 */
function replacedRecord(record: RecordView): string | undefined {
  const was = record.entry?.destinationId;
  return was !== undefined && was !== null && record.found !== undefined && record.found.id !== was ? was : undefined;
}

/** Group changes less the removals of memberships the record had before this sync added them (`StateSnapshot.found`): those are only forgotten. */
function ownRemovals(found: ReadonlySet<string>, changes: { readonly add: readonly string[]; readonly remove: readonly string[] }): { readonly add: readonly string[]; readonly remove: readonly string[] } {
  if (found.size === 0 || changes.remove.length === 0) return changes;
  return { add: changes.add, remove: changes.remove.filter((g) => !found.has(g)) };
}

/**
 * How many of the planned properties the destination writes, for the result's "Updated N
 * field(s)": the destination's `unwrittenProperties` (OneSignal's external_id, the path of
 * the request, never a tag) are not counted. Every property for destinations without them.
 */
function writtenCount(properties: Readonly<Record<string, PropertyValue>>, ctx: ClassifyContext): number {
  const keys = Object.keys(properties);
  return ctx.unwritten === undefined ? keys.length : keys.filter((k) => !ctx.unwritten?.has(k)).length;
}

/** A record in the source with a usable destination record: updated (restored first when archived). */
function classifyFound(record: RecordView, ctx: ClassifyContext): Plan {
  const next = record.next as NonNullable<RecordView['next']>;
  const replaced = replacedRecord(record);
  const entry = replaced === undefined ? record.entry : undefined;
  const previousGroups = entry?.snapshot.groups ?? [];
  if (!permits(ctx.mode, 'update')) {
    return plan({ action: 'skip', outcome: 'skipped', code: 'update_not_allowed', message: `${SYNC_MODE_TABLE[ctx.mode].displayName} mode never updates.` });
  }
  // A pending entry (writes were in flight when a run died) proves nothing about the
  // destination: send every property (empties clear) and every group again.
  const properties = entry?.pending ? resendProperties(entry.snapshot.properties, next.properties) : entry ? propertyChanges(entry.snapshot.properties, next.properties) : sendable(next.properties);
  const groups = ownRemovals(
    foundOf(entry),
    !ctx.groupsEnabled
      ? NO_GROUPS
      : entry?.pending
        ? { add: [...new Set(next.groups)], remove: previousGroups.filter((g) => !next.groups.includes(g)) }
        : next.groups.length === 0 && (!entry || previousGroups.length === 0)
          ? NO_GROUPS
          : groupChanges(entry ? previousGroups : [], next.groups),
  );
  const restore = record.found?.archived === true;
  const changedProperties = Object.keys(properties).length;
  const written = writtenCount(properties, ctx);
  const keptFound = keptFoundNote(entry, next.groups, ctx);
  // A first match whose only properties are never written (OneSignal's external_id) has nothing to send.
  const nothingWritten = changedProperties === 0 || (entry === undefined && ctx.unwritten !== undefined && Object.keys(properties).every((k) => ctx.unwritten?.has(k)));
  if (nothingWritten && groups.add.length + groups.remove.length === 0 && !restore) {
    return plan({ action: 'none', outcome: 'unchanged', message: keptFound ? `Already up to date in ${ctx.destinationName}. ${keptFound}` : message(ctx, 'none', () => `Already up to date in ${ctx.destinationName}.`) });
  }
  const updated =
    replaced !== undefined
      ? `The ${ctx.destinationName} record this sync wrote for it (${replaced}) no longer has this ${ctx.matchKeyLabel} or is gone; ${record.found?.id} has it and was written whole, as on a first match${restore ? ' (restored first: it was archived)' : ''}.`
      : restore
      ? `Archived in ${ctx.destinationName}; restored and updated.`
      : written > 0
        ? message(ctx, `updated ${written}`, () => `Updated ${written} field(s).`)
        : 'Group membership changed.';
  return plan({
    action: changedProperties > 0 || restore ? 'update' : 'groups',
    outcome: 'updated',
    message: keptFound ? `${updated} ${keptFound}` : updated,
    properties,
    restore,
    addGroups: groups.add,
    removeGroups: groups.remove,
  });
}

/**
 * What the result says of the groups the row left that the record was already in when this
 * sync added it (`StateSnapshot.found`): kept, no longer tracked (fresh reviewer 95, F7: the
 * row was reported "Already up to date", saying nothing of them). Undefined when there are none.
 */
function keptFoundNote(entry: StateEntry | undefined, groups: readonly string[], ctx: ClassifyContext): string | undefined {
  const found = foundOf(entry);
  const left = (entry?.snapshot.groups ?? []).filter((g) => found.has(g) && !groups.includes(g));
  if (left.length === 0 || !ctx.groupsEnabled) return undefined;
  const names = left.map((g) => `"${g}"`).join(', ');
  return `Left ${left.length === 1 ? 'group' : 'groups'} ${names}, where the ${ctx.destinationName} record already was when this sync added it (someone else's membership): kept there, no longer tracked.`;
}

/**
 * Decides what to do with one looked-up record under the run's sync mode. This function,
 * with {@link permits}, is where the mode contract is enforced for record destinations:
 * connectors only ever receive the operations it plans.
 *
 * Rules (see the sync-modes notes): enrich never creates (`not_found`); additive and enrich
 * never delete (`delete_not_allowed`); sync deletes only owned records unless the policy is
 * `matched` (`not_owned`), and never one another sync of the same state tracks as in its
 * source (`tracked_elsewhere`); a record that left the source while a current record holds its
 * destination record is kept (`rekeyed`); records kept after leaving the source leave their
 * managed groups; archived records count as absent where the mode cannot create, and are
 * restored where it can; blocked records are skipped with the destination's code.
 */
export function classify(record: RecordView, ctx: ClassifyContext): Plan {
  if (record.next === null) return classifyDeparted(record, ctx);
  const found = record.found;
  if (found?.blocked) return plan({ action: 'skip', outcome: 'skipped', code: found.blocked.code, message: found.blocked.message });
  if (found !== undefined && (!found.archived || permits(ctx.mode, 'create'))) return classifyFound(record, ctx);
  if (permits(ctx.mode, 'create')) {
    return plan({
      action: 'create',
      outcome: 'created',
      message: message(ctx, 'created', () => `No ${ctx.matchKeyLabel} match in ${ctx.destinationName}; created.`) + passedOverNote(record, ctx),
      properties: sendable(record.next.properties),
      addGroups: ctx.groupsEnabled && record.next.groups.length > 0 ? [...new Set(record.next.groups)] : NONE,
      removeGroups: leftBeforeRestore(record, ctx),
    });
  }
  const modeName = SYNC_MODE_TABLE[ctx.mode].displayName;
  return plan({
    action: 'skip',
    outcome: 'skipped',
    code: 'not_found',
    message: found?.archived
      ? `Archived in ${ctx.destinationName}; ${modeName} mode only updates active records.`
      : `No ${ctx.matchKeyLabel} match in ${ctx.destinationName}; ${modeName} mode never creates.` + passedOverNote(record, ctx),
  });
}

/**
 * A create for a record this sync wrote before that its lookup no longer finds (archived in
 * Intercom, whose search and read do not show archived contacts; deleted): the groups its
 * state holds as the sync's own that the row has left. If the create is answered with that
 * same record (restored), they are removed; from a new record nothing is (see `sendGroups`).
 * Without them, a restored contact kept a dropped tag until a second run (reviewer 88, F6).
 */
function leftBeforeRestore(record: RecordView, ctx: ClassifyContext): readonly string[] {
  const entry = record.entry;
  if (!ctx.groupsEnabled || !permits(ctx.mode, 'update') || !entry?.destinationId || entry.notFound || record.next === null) return NONE;
  const next = new Set(record.next.groups);
  const found = foundOf(entry);
  const left = entry.snapshot.groups.filter((g) => !next.has(g) && !found.has(g));
  return left.length > 0 ? left : NONE;
}

/**
 * For a record left unmatched although its lookup found destination records by another
 * identifier (an email) under another key: which, so the result does not read as if nobody
 * had those details (reviewer 88, F7). Empty when there are none.
 */
function passedOverNote(record: RecordView, ctx: ClassifyContext): string {
  const others = [...new Map((record.passedOver ?? []).map((f) => [f.id, f])).values()];
  if (others.length === 0) return '';
  const named = listIds(others.map((f) => (f.otherKey ? `${f.id} (${f.otherKey})` : f.id)), 3);
  const which = others.length === 1 ? `${ctx.destinationName} record ${named} shares one of its identifiers but has another key` : `${ctx.destinationName} records ${named} share one of its identifiers but have other keys`;
  return ` ${which}: someone else's, not written to.`;
}
