import { isRunStopping, SyncError } from '../../errors/sync-error';
import { toSyncError } from '../../errors/to-sync-error';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordLedger } from '../ledger/record-ledger';
import type { RunContext } from '../run/run-context';

/** Finds (or, when `create`, creates) the groups `missing` through the destination's verb, as one call. */
function ensurer(ctx: RunContext, create: boolean): (missing: string[]) => Promise<ReadonlyMap<string, string>> {
  return (missing) =>
    ctx.caller.call('ensure_groups', () => {
      if (ctx.kind === 'audience') return ctx.destination.verbs.ensureAudiences(ctx.verbs, missing, { create });
      const groups = ctx.destination.verbs.groups;
      return groups ? groups.ensure(ctx.verbs, missing, { create }) : Promise.resolve(new Map<string, string>());
    });
}

/**
 * The error of a record naming group `name`, which the destination could not find or
 * create (`error`): the destination's code, status and fields kept, the message naming the
 * group and saying what to fix. `stays` says the record stays in the group (a removal looked
 * it up to tell whether it is the group removed), rather than joining or leaving it.
 */
export function groupNameError(ctx: RunContext, name: string, error: SyncError, create: boolean, stays: boolean): SyncError {
  const what = create ? 'found or created' : 'found';
  const role = stays ? `The record stays in group "${name}", so its other group removals were not sent (the group removed may be that one). ` : '';
  const message =
    `${ctx.destinationName} group "${name}" could not be ${what}: ${error.message} ${role}` +
    `Fix the group's name in the source, or what ${ctx.destinationName} objected to (a permission the integration user lacks, say), or create the group in ${ctx.destinationName} yourself; the next run sends this record's group changes again. Records in other groups are not affected.`;
  return new SyncError(error.code, message, {
    retryable: error.retryable,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.fields === undefined ? {} : { fields: error.fields }),
    ...(error.vendorCode === undefined ? {} : { vendorCode: error.vendorCode }),
    cause: error,
  });
}

/** What {@link resolveGroupsOf} resolved: the ids found, and the records failed because a group they name was not. */
export interface ResolvedGroups {
  /** Group name → destination id, for every name that resolved (a name with no group is left out). */
  readonly ids: Map<string, string>;
  /** The refs of the records reported `group_failed` because a group they name could not be resolved. */
  readonly failed: ReadonlySet<number>;
  /** The names that could not be resolved (each failed the records naming it): nothing is sent, or acknowledged, for them. */
  readonly unresolved: ReadonlySet<string>;
}

/**
 * The ids of the groups `records` name (`namesOf`: the groups they join or leave; `staysIn`:
 * groups they stay in, looked up only), in one call for all of them, through the run's cache.
 * When that call fails with an error that does not stop the run, each name is resolved on its
 * own (names that resolved stay cached, so only the ones left cost a call; when only one was
 * looked up, the failure was its own), and a name that
 * still fails fails only the records naming it (`group_failed`, see {@link groupNameError});
 * a group they joined is recorded as never sent (`unsent`), so state does not count them its
 * members. One bad name failed every record with a group change, and the run never settled
 * (reviewer 88, F3). Yields `undefined` when the run stops.
 */
export async function resolveGroupsOf(
  ctx: RunContext,
  ledger: RecordLedger,
  records: readonly RecordView[],
  namesOf: (r: RecordView) => readonly string[],
  create: boolean,
  staysIn: (r: RecordView) => readonly string[] = () => [],
): Promise<ResolvedGroups | undefined> {
  const names = [...new Set(records.flatMap((r) => [...namesOf(r), ...staysIn(r)]))];
  const ensure = ensurer(ctx, create);
  if (names.length === 0) return { ids: new Map(), failed: new Set(), unresolved: new Set() };
  const uncached = names.filter((n) => !ctx.groupIds.has(n));
  let whole: SyncError;
  try {
    return { ids: await ctx.groupIds.resolve(names, ensure), failed: new Set(), unresolved: new Set() };
  } catch (thrown) {
    whole = toSyncError(thrown);
    if (isRunStopping(whole)) return undefined;
  }
  const ids = new Map<string, string>();
  const errors = new Map<string, SyncError>();
  for (const name of names) {
    // One name looked up, and it failed: its error is known, no second call (a rerun asked twice to create the bad campaign).
    if (uncached.length === 1 && uncached[0] === name) {
      errors.set(name, whole);
      continue;
    }
    try {
      for (const [n, id] of await ctx.groupIds.resolve([name], ensure)) ids.set(n, id);
    } catch (thrown) {
      const error = toSyncError(thrown);
      if (isRunStopping(error)) return undefined;
      errors.set(name, error);
    }
  }
  return { ids, failed: failNamers(ctx, ledger, records, errors, namesOf, staysIn, create), unresolved: new Set(errors.keys()) };
}

/** Reports `group_failed` for each record naming a group that failed (`errors`), with the first such group's error; the refs failed. */
function failNamers(
  ctx: RunContext,
  ledger: RecordLedger,
  records: readonly RecordView[],
  errors: ReadonlyMap<string, SyncError>,
  namesOf: (r: RecordView) => readonly string[],
  staysIn: (r: RecordView) => readonly string[],
  create: boolean,
): Set<number> {
  const failed = new Set<number>();
  for (const r of records) {
    const bad = namesOf(r).filter((n) => errors.has(n));
    const stay = staysIn(r).find((n) => errors.has(n) && !bad.includes(n));
    const first = bad[0] ?? stay;
    if (first === undefined) continue;
    failed.add(r.ref);
    const error = groupNameError(ctx, first, errors.get(first) as SyncError, create, bad.length === 0);
    ledger.report([{ type: 'group_failed', ref: r.ref, error, ...(create && bad.length > 0 ? { unsent: bad } : {}) }]);
  }
  return failed;
}
