import { operationsFor, SYNC_MODE_TABLE, type SyncMode } from '../modes/sync-modes';
import { groupChanges, presentProperties, propertyChanges } from '../records/property-diff';
import type { PropertyValue } from '../records/types';
import type { Plan, WorkItem } from './work-item';

/** Which destination records `sync` mode may delete. */
export type DeletePolicy = 'owned' | 'matched';

/** What {@link classify} needs besides the record. */
export interface ClassifyContext {
  readonly mode: SyncMode;
  /** `owned` (default): only records this sync created; `matched`: any record the sync matched. */
  readonly deletePolicy: DeletePolicy;
  /** Whether the destination manages group membership. */
  readonly groupsEnabled: boolean;
  /** Destination name for messages (e.g. "Salesforce"). */
  readonly destinationName: string;
  /** Match key name for messages (e.g. "Email"). */
  readonly matchKeyLabel: string;
}

const NO_GROUPS = { add: [] as string[], remove: [] as string[] };

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

function plan(partial: Partial<Plan> & Pick<Plan, 'action' | 'outcome' | 'message'>): Plan {
  return { properties: {}, restore: false, addGroups: [], removeGroups: [], depart: false, ...partial };
}

/**
 * Decides what to do with one looked-up record under the run's sync mode. This function
 * (with {@link SYNC_MODE_TABLE}) is where the mode contract is enforced: connectors only
 * ever receive the operations it plans.
 *
 * Rules (see the sync-modes notes): enrich never creates (`not_found`); additive and enrich
 * never delete (`delete_not_allowed`); sync deletes only owned records unless the policy is
 * `matched` (`not_owned`); records kept after leaving the source leave their managed groups;
 * archived records count as absent where the mode cannot create, and are restored where it
 * can; blocked records are skipped with the destination's code.
 */
export function classify(item: WorkItem, ctx: ClassifyContext): Plan {
  const ops = operationsFor(ctx.mode);
  const modeName = SYNC_MODE_TABLE[ctx.mode].displayName;
  const found = item.found;
  const entry = item.entry;
  const previousGroups = entry?.snapshot.groups ?? [];

  if (item.next === null) {
    if (item.claimedBy !== undefined && found && !found.archived) {
      return plan({
        action: 'skip',
        outcome: 'skipped',
        code: 'rekeyed',
        message: `Left the source under this id, but its ${ctx.destinationName} record${found ? ` (${found.id})` : ''} belongs to record "${item.claimedBy}", which is in the source: kept, and now tracked under "${item.claimedBy}".`,
      });
    }
    if (!found || found.archived) {
      return plan({
        action: 'skip',
        outcome: 'skipped',
        code: 'not_found',
        message: `Left the source and is no longer in ${ctx.destinationName}; forgotten.`,
      });
    }
    if (ops.delete && (item.owned || ctx.deletePolicy === 'matched')) {
      return plan({ action: 'delete', outcome: 'deleted', message: 'Left the source; deleted.' });
    }
    const removeGroups = ctx.groupsEnabled && ops.update ? [...previousGroups] : [];
    const why = !ops.delete
      ? { code: 'delete_not_allowed', text: `${modeName} mode never deletes` }
      : { code: 'not_owned', text: 'this sync did not create it (--delete-policy matched widens deletes)' };
    return plan({
      action: removeGroups.length > 0 ? 'groups' : 'skip',
      outcome: 'skipped',
      code: why.code,
      message:
        `Left the source; kept in ${ctx.destinationName} because ${why.text}` +
        (removeGroups.length > 0 ? `; removed from ${removeGroups.length} managed group(s).` : '.'),
      removeGroups,
      depart: true,
    });
  }

  if (found?.blocked) {
    return plan({ action: 'skip', outcome: 'skipped', code: found.blocked.code, message: found.blocked.message });
  }

  const usable = found !== undefined && (!found.archived || ops.create);
  if (usable) {
    if (!ops.update) {
      return plan({ action: 'skip', outcome: 'skipped', code: 'update_not_allowed', message: `${modeName} mode never updates.` });
    }
    // A pending entry (writes were in flight when a run died) proves nothing about the
    // destination: send every property (empties clear) and every group again.
    const properties = entry?.pending
      ? resendProperties(entry.snapshot.properties, item.next.properties)
      : entry
        ? propertyChanges(entry.snapshot.properties, item.next.properties)
        : presentProperties(item.next.properties);
    const groups = !ctx.groupsEnabled
      ? NO_GROUPS
      : entry?.pending
        ? { add: [...new Set(item.next.groups)], remove: previousGroups.filter((g) => !item.next?.groups.includes(g)) }
        : groupChanges(entry ? previousGroups : [], item.next.groups);
    const restore = found.archived === true;
    const hasProperties = Object.keys(properties).length > 0;
    const hasGroups = groups.add.length + groups.remove.length > 0;
    if (!hasProperties && !hasGroups && !restore) {
      return plan({ action: 'none', outcome: 'unchanged', message: `Already up to date in ${ctx.destinationName}.` });
    }
    return plan({
      action: hasProperties || restore ? 'update' : 'groups',
      outcome: 'updated',
      message: restore
        ? `Archived in ${ctx.destinationName}; restored and updated.`
        : hasProperties
          ? `Updated ${Object.keys(properties).length} field(s).`
          : 'Group membership changed.',
      properties,
      restore,
      addGroups: groups.add,
      removeGroups: groups.remove,
    });
  }

  if (ops.create) {
    return plan({
      action: 'create',
      outcome: 'created',
      message: `No ${ctx.matchKeyLabel} match in ${ctx.destinationName}; created.`,
      properties: presentProperties(item.next.properties),
      addGroups: ctx.groupsEnabled ? [...new Set(item.next.groups)] : [],
    });
  }
  return plan({
    action: 'skip',
    outcome: 'skipped',
    code: 'not_found',
    message: found?.archived
      ? `Archived in ${ctx.destinationName}; ${modeName} mode only updates active records.`
      : `No ${ctx.matchKeyLabel} match in ${ctx.destinationName}; ${modeName} mode never creates.`,
  });
}
