import { isRunStopping, type SyncError } from '../../errors/sync-error';
import { toSyncError } from '../../errors/to-sync-error';
import type { RunContext } from '../run/run-context';

/**
 * The destination ids of group names (campaigns, tags, audiences), through the run's
 * cache: each group is found (or, when `create`, created) once per run. A failure that does
 * not stop the run is handed to `fail` (the records involved fail) and yields `undefined`.
 */
export async function resolveGroups(ctx: RunContext, names: readonly string[], create: boolean, fail: (error: SyncError) => void): Promise<Map<string, string> | undefined> {
  if (names.length === 0) return new Map();
  const ensure = (missing: string[]) =>
    ctx.caller.call('ensure_groups', () => {
      if (ctx.kind === 'audience') return ctx.destination.verbs.ensureAudiences(ctx.verbs, missing, { create });
      const groups = ctx.destination.verbs.groups;
      return groups ? groups.ensure(ctx.verbs, missing, { create }) : Promise.resolve(new Map<string, string>());
    });
  try {
    return await ctx.groupIds.resolve(names, ensure);
  } catch (thrown) {
    const error = toSyncError(thrown);
    if (!isRunStopping(error)) fail(error);
    return undefined;
  }
}
