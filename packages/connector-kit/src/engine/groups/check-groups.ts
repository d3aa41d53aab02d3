import { groupName } from '../../records/group-name';
import { ConfigError } from '../../errors/sync-error';
import { permits } from '../../modes/permits';
import type { FoundGroup } from '../../destination/verbs';
import { forgetGroup } from '../ledger/run-writes';
import type { RunContext } from '../run/run-context';
import type { RunNotice } from '../run-types';
import { listIds } from '../steps/match-decision';

const NAMES_PER_CALL = 100;

/** The destination's verb finding groups by name, when it has one. */
function finder(ctx: RunContext): ((names: readonly string[]) => Promise<Map<string, readonly FoundGroup[]>>) | undefined {
  if (ctx.kind === 'audience') {
    const find = ctx.destination.verbs.findAudiences;
    return find ? (names) => find.call(ctx.destination.verbs, ctx.verbs, names) : undefined;
  }
  const groups = ctx.destination.verbs.groups;
  return groups?.find ? (names) => (groups.find as NonNullable<typeof groups.find>).call(groups, ctx.verbs, names) : undefined;
}

/** Every group found with each name, in calls of at most 100 names. */
async function findGroups(ctx: RunContext, find: NonNullable<ReturnType<typeof finder>>, names: readonly string[]): Promise<Map<string, readonly FoundGroup[]>> {
  const found = new Map<string, readonly FoundGroup[]>();
  for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
    const part = names.slice(i, i + NAMES_PER_CALL);
    for (const [name, groups] of await ctx.caller.call('find_groups', () => find(part))) found.set(name, groups);
  }
  return found;
}

/**
 * An audience (vendor matching by any of several identifiers) that exists while this sync's
 * state has no member in it, in a mode that removes people: others may upload to it, and
 * the vendor merges their uploads into this sync's members by any shared identifier, so a
 * removal can take them too — which nobody can see, as members cannot be listed (trial of
 * stop 26: a member seeded by hand was removed with a departed person, and a person still in
 * the source with it).
 */
function sharedAudience(ctx: RunContext, name: string, byId = false): RunNotice[] {
  if (ctx.kind !== 'audience' || ctx.destination.identityKeys === undefined || !permits(ctx.mode, 'delete', { owned: true, deletePolicy: 'owned' })) return [];
  return [
    {
      code: 'audience_shared',
      message:
        `${ctx.destinationName} audience "${name}" ${byId ? 'is given by id (an audience made elsewhere)' : 'already exists'} and this sync has no member in it yet: if people or other tools upload to it too, removing someone who left the source also removes what ${ctx.destinationName} merged into their member from those uploads (it matches a person by any shared identifier, and members cannot be listed). ` +
        'Let this sync write to an audience of its own, or use additive mode.',
    },
  ];
}

/**
 * {@link sharedAudience} for audiences given by id, which exist whatever their name, where this
 * sync's state has no member yet (fresh reviewer 97, F4: pinning an audience by id, the case
 * where it is most likely someone else's, gave no warning).
 */
async function sharedById(ctx: RunContext, names: readonly string[]): Promise<RunNotice[]> {
  if (names.length === 0 || sharedAudience(ctx, '').length === 0) return [];
  const held = await ctx.state.groupCounts(ctx.syncId, names);
  return names.filter((n) => (held.get(n) ?? 0) === 0).flatMap((n) => sharedAudience(ctx, n, true));
}

/** How far apart the destination's clock and this machine's may be, ms: a group created within it of a member's last write is not taken for a replacement. */
const CLOCK_MARGIN_MS = 60_000;

/** When a record's state entry was last written, epoch ms (`undefined` when unknown). */
export type LastWritten = (recordId: string) => number | undefined;

/**
 * Whether `group` was created after this sync last wrote a record it counts as a member of
 * `name` (one member's entry, and when it was last written: `lastWritten`): that membership
 * was in another group of the same name, deleted since — a person recreated it by hand, or
 * another tool did (fresh helper 76, finding 1: the replacement got only newcomers, and the
 * others were reported unchanged run after run). Unknown times say nothing.
 */
async function createdAfterMembers(ctx: RunContext, name: string, group: FoundGroup, lastWritten: LastWritten): Promise<boolean> {
  if (group.createdAt === undefined) return false;
  const [member] = await ctx.state.entriesInGroup(ctx.syncId, name, { limit: 1 });
  const written = member === undefined ? undefined : lastWritten(member.recordId);
  return written !== undefined && written < group.createdAt - CLOCK_MARGIN_MS;
}

/** What checking the managed groups found. */
export interface GroupCheck {
  /** What the run tells the user (a group recreated or repopulated). */
  readonly notices: RunNotice[];
  /** State was changed (groups forgotten): the source must be compared with state again. */
  readonly stateChanged: boolean;
}

/**
 * At the start of a run with groups, checks the groups the sync manages against the
 * destination instead of trusting state: a name matching several groups refuses the run
 * unless the configuration pins its id; a group state says holds members but that was
 * deleted — or shows no members — in the vendor's UI is forgotten in state, so every
 * current member is added again (the group is created again on the way). Found ids are
 * kept for the run (no second lookup). Destinations without a `find` verb are trusted, and
 * so are names a `find` verb leaves out of its answer. A group created after this sync last
 * wrote one of its members (`FoundGroup.createdAt` against `lastWritten`) is another group
 * of that name, and is repopulated the same way.
 *
 * @throws {@link ConfigError} `ambiguous_group` naming the groups and their ids.
 */
export async function checkGroups(ctx: RunContext, names: readonly string[], pinnedAsGiven: Readonly<Record<string, string>>, lastWritten: LastWritten = () => undefined): Promise<GroupCheck> {
  // Pinned names in the spelling the source's are read in (see `groupName`).
  const pinned: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(pinnedAsGiven).map(([name, id]) => [groupName(name), id]));
  for (const [name, id] of Object.entries(pinned)) ctx.groupIds.pin(name, id);
  const find = finder(ctx);
  const unpinned = names.filter((n) => pinned[n] === undefined);
  const found = find && unpinned.length > 0 ? await findGroups(ctx, find, unpinned) : new Map<string, readonly FoundGroup[]>();
  // Groups given by id (pinned, or a name the verb leaves out of its answer as an id) exist already: the same warning.
  const byId = names.filter((n) => pinned[n] !== undefined || (find !== undefined && !found.has(n)));
  const idNotices = await sharedById(ctx, byId);
  if (!find || unpinned.length === 0) return { notices: idNotices, stateChanged: false };
  const held = await ctx.state.groupCounts(ctx.syncId, unpinned);
  const ambiguous = unpinned.filter((n) => (found.get(n)?.length ?? 0) > 1);
  if (ambiguous.length > 0) {
    const list = ambiguous.map((n) => `"${n}" (${listIds((found.get(n) ?? []).map((g) => g.id))})`).join('; ');
    throw new ConfigError(
      `${ctx.destinationName} has several groups with one name: ${list}. The sync cannot tell which one it manages; rename the others, or pin the id with the groupIds option ({ "<name>": "<id>" }).`,
      'ambiguous_group',
    );
  }
  const notices: RunNotice[] = [...idNotices];
  let changed = false;
  // A name the verb left out of its answer (e.g. an audience given by id) is not checked.
  for (const name of unpinned.filter((n) => found.has(n))) {
    const group = found.get(name)?.[0];
    const members = held.get(name) ?? 0;
    if (group) ctx.groupIds.prime(name, group.id);
    if (group && members === 0) notices.push(...sharedAudience(ctx, name));
    const replaced = group !== undefined && members > 0 && (await createdAfterMembers(ctx, name, group, lastWritten));
    const lost = members > 0 && (group === undefined || group.members === 0 || replaced);
    if (!lost) continue;
    const forgotten = ctx.dryRun ? members : await forgetGroup(ctx.state, ctx.writer, ctx.syncId, name);
    changed = true;
    const what =
      group === undefined
        ? `no longer exists under that name (deleted, or renamed) although this sync added ${members} member(s) (or was adding them when a run stopped)`
        : replaced
          ? `was created ${new Date(group.createdAt as number).toISOString()}, after this sync added its ${members} member(s) to a group of that name (deleted since)`
          : `has no members although this sync added ${members} member(s) (or was adding them when a run stopped)`;
    notices.push({
      code: group === undefined ? 'group_recreated' : 'group_repopulated',
      message: `${ctx.destinationName} group "${name}" ${what}: ${ctx.dryRun ? 'would be ' : ''}${group === undefined ? 'created again and ' : ''}repopulated with every current member (${forgotten} record(s) to add again)${ctx.dryRun ? '; this dry run changes no state, so it shows those records as state has them (unchanged), not as added again' : ''}.${group === undefined ? ` If it was renamed: the sync manages groups by name, so the renamed group is no longer this sync's, and the members it had there stay there.` : ''}`,
    });
  }
  return { notices, stateChanged: changed && !ctx.dryRun };
}
