import { forgetGroup } from '../ledger/run-writes';
import type { RunContext } from '../run/run-context';
import type { RunNotice } from '../run-types';

/**
 * At the end of a run, the groups found by name that the destination confirmed deleted during
 * it (a `GroupGoneError`: `GroupIdCache.markDeleted`) are forgotten in state — every entry
 * leaves them, as the start-of-run group check does for a group deleted between runs — so the
 * next run trusts no group of that name to hold this sync's members, and adds every current
 * member to it: the group it creates again, or one a person created by hand under that name
 * meanwhile (fresh helper 76, finding 1: a hand-made replacement got only the newcomers, and
 * the others were reported unchanged run after run). Pinned groups are never recreated, and
 * are left as they are.
 *
 * @returns the notices to show (`group_deleted`), one per group.
 */
export async function forgetDeletedGroups(ctx: RunContext): Promise<RunNotice[]> {
  const notices: RunNotice[] = [];
  for (const name of ctx.groupIds.deletedByName()) {
    const forgotten = await forgetGroup(ctx.state, ctx.writer, ctx.syncId, name);
    notices.push({
      code: 'group_deleted',
      message: `${ctx.destinationName} group "${name}" was deleted during the run: this sync forgot its ${forgotten} member(s), and the next run adds every current member to the group of that name (created again when none exists).`,
    });
  }
  return notices;
}
