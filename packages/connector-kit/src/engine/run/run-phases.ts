import { ConfigError, type SyncError } from '../../errors/sync-error';
import { toSyncError } from '../../errors/to-sync-error';
import { StateIndex } from '../../state/state-index';
import type { StateIndexEntry } from '../../state/state-store';
import { checkGroups } from '../groups/check-groups';
import { forgetDeletedGroups } from '../groups/deleted-groups';
import { keptByValues } from '../scan/kept-by-values';
import { forgetNotFound } from '../ledger/run-writes';
import { checkDeletionGuard } from '../scan/deletion-guard';
import { plannedDeletes } from '../scan/planned-deletes';
import { readDepartures, readWindows } from '../scan/read-windows';
import { scanSource, type SourceScan } from '../scan/scan-source';
import { processWindow } from '../steps/process-window';
import { readGivers } from '../scan/givers';
import type { RecordSnapshot } from '../../records/types';
import type { RunContext } from './run-context';
import type { RunSession } from './run-session';
import type { RunSetup } from './run-setup';

/** The sync's state index and the first pass over the source; the run's limits follow its volume. */
export async function scanPhase(session: RunSession): Promise<{ scan: SourceScan; index: ReadonlyMap<string, StateIndexEntry> }> {
  const { setup } = session;
  session.results.progress('scanning');
  const index = await setup.options.state.index(setup.syncId);
  const scan = await scanSource(setup.source, {
    keyOf: setup.keyOf,
    keyRefused: keyRefuser(setup),
    identityKeysOf: setup.identityKeysOf,
    index,
    mode: setup.mode,
    deletePolicy: setup.deletePolicy,
    recheckNotFoundAfterMs: setup.recheckNotFoundAfterMs,
    recheck: setup.recheck,
    now: setup.started,
    stopped: () => session.caller.stopped !== undefined,
  });
  session.results.total = scan.items + scan.departing.length;
  session.results.departing = scan.departing.length;
  setup.logger.info('source scanned', { records: scan.records, changed: scan.changed, departing: scan.departing.length });
  session.useVolume({ changed: scan.changed, departing: scan.departing.length });
  const keyFields = setup.destination.matchKeyFields?.(setup.config);
  // Decided from the mapping when the destination names its key's fields: a mapped column whose values are all unusable fails each row alone.
  // Records whose key the destination refused (`refuseKey`) have a value: each fails alone, saying why.
  const notMapped = keyFields ? scan.records > 0 && !keyFields.some((f) => scan.propertyNames.has(f)) : scan.records > 0 && scan.keyed === 0 && scan.refusedKeys === 0;
  if (notMapped) {
    // A misspelt target (`email` for `EMAIL`) is refused as such by prepareFields, not as an unmapped key.
    if (keyFields && setup.destination.prepareFields) await session.client(scan);
    const label = setup.destination.matchKeyLabel(setup.config);
    const names = [...scan.propertyNames];
    const have = names.length === 0 ? 'no mapped fields' : `${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}`;
    const lead = keyFields ? `No source column is mapped to ${keyFields.join(', ')} (the ${label})` : `None of the ${scan.records} records has a value for ${label}`;
    throw new ConfigError(
      `${lead}, and ${setup.destination.displayName} matches records by it: map a source column to it (an entry of the mapping's fields, or a property of each record). The records have: ${have}.`,
      'match_key_not_mapped',
    );
  }
  return { scan, index };
}

/** Checks the groups the run will touch against the destination (see `checkGroups`; `index`: the state index the scan compared with, for when entries were last written); true when state changed and the source must be compared again. */
export async function groupPhase(session: RunSession, scan: SourceScan, index: ReadonlyMap<string, StateIndexEntry>): Promise<boolean> {
  const { setup } = session;
  // Pinned ids hold even when no row names a group any more: the records leaving those groups are removed from them
  // (looked up by name instead, a name that is no audience's was acknowledged "removed" with nothing sent: fresh helper 69).
  for (const [name, id] of Object.entries(setup.options.groupIds ?? {})) session.groupIds.pin(name, id);
  const names = [...scan.groupNames];
  if (names.length === 0) return false;
  const probe = session.context(scan, undefined);
  if (probe.kind === 'records' && !probe.groupsEnabled) {
    throw new ConfigError(`${setup.destination.displayName} has no groups with this configuration; remove the groups column from the mapping.`, 'groups_unsupported');
  }
  const hasFinder = probe.kind === 'audience' ? probe.destination.verbs.findAudiences !== undefined : probe.destination.verbs.groups?.find !== undefined;
  const pinned = setup.options.groupIds ?? {};
  if (!hasFinder && Object.keys(pinned).length === 0) return false;
  const client = hasFinder ? await session.client(scan) : undefined;
  if (session.caller.stopped) return false;
  let check;
  try {
    check = await checkGroups(session.context(scan, client), names, pinned, (recordId) => index.get(recordId)?.updatedAt);
  } catch (thrown) {
    // Credentials refused, a quota spent, no answer after every retry…: the run stops; it ends with a summary like any stop.
    if (session.stopOn(toSyncError(thrown), 'when the run checked its groups')) return false;
    throw thrown;
  }
  for (const notice of check.notices) setup.logger.warn(notice.message, { code: notice.code });
  session.results.notices.push(...check.notices);
  return check.stateChanged;
}

/** The deletion guard, before anything is sent: the refusal, if the run would delete too much. `index` is the state index the scan compared with (nothing was written since). */
export async function guardPhase(session: RunSession, scan: SourceScan, index: ReadonlyMap<string, StateIndexEntry>): Promise<SyncError | undefined> {
  const { setup } = session;
  const state = setup.options.state;
  let stateRecords = 0;
  if (index instanceof StateIndex) stateRecords = index.activeCount();
  else for (const e of index.values()) if (!e.departed && !e.notFound) stateRecords++;
  const identities = setup.identityKeysOf ? { idsOf: setup.identityKeysOf, anyHolder: setup.destination.kind === 'audience' } : undefined;
  const planned = await plannedDeletes(state, setup.syncId, scan, identities);
  // Owned records are counted (a pass over the sync's rows: 0.4 s at a million) only when there is something to delete: the guard reads them for nothing else.
  const ownedRecords = planned.length > 0 ? await state.count(setup.syncId, 'owned') : 0;
  const facts = { plannedDeletes: planned.length, ownedRecords, sourceRecords: scan.records, sourceRows: scan.items, stateRecords };
  const refusal = checkDeletionGuard(facts, setup.options.guard);
  // Refused while new rows may carry the values of records it counts (kept, `rekeyed`): counted again without those.
  if (!refusal || setup.destination.kind !== 'records' || scan.changed === scan.changedWithState || planned.length === 0) return refusal;
  const kept = await keptByValues({ source: setup.source, index, state, syncId: setup.syncId, keyOf: setup.keyOf, identityKeysOf: setup.identityKeysOf }, planned);
  return kept.size === 0 ? refusal : checkDeletionGuard({ ...facts, plannedDeletes: planned.length - kept.size }, setup.options.guard);
}

/**
 * A record destination's run whose changed records fill several windows: the context with the
 * records that gave keys and identifiers up (`readGivers`, one more pass over the source);
 * otherwise the context as it is.
 */
async function withGivers(ctx: RunContext, setup: RunSetup, scan: SourceScan, index: ReadonlyMap<string, StateIndexEntry>, windowSize: number): Promise<RunContext> {
  if (ctx.kind !== 'records' || scan.changedWithState === 0 || scan.changed <= windowSize) return ctx;
  const declared = setup.identityKeysOf;
  const idsOf = (snapshot: RecordSnapshot) => (declared ? declared(snapshot).filter((k) => k !== setup.keyOf(snapshot)) : []);
  const givers = await readGivers({ source: setup.source, index, state: ctx.state, syncId: ctx.syncId, keyOf: setup.keyOf, idsOf });
  return { ...ctx, identityGivers: givers.identities, keyGivers: givers.keys };
}

/** The second pass: windows of changed records, then the records that left the source. */

/** The destination's explanation of a record without a usable match key (audience or record destinations), bound to the run's config. */
function missingKeyExplainer(setup: RunSetup): ((snapshot: RecordSnapshot) => SyncError | undefined) | undefined {
  type Explains = { explainMissingKey?(snapshot: RecordSnapshot, config: never): SyncError | undefined; refuseKey?(snapshot: RecordSnapshot, config: never): SyncError | undefined };
  const destination: Explains | undefined = setup.audience ?? setup.records;
  if (destination?.explainMissingKey === undefined && destination?.refuseKey === undefined) return undefined;
  return (snapshot) => destination.refuseKey?.(snapshot, setup.config as never) ?? destination.explainMissingKey?.(snapshot, setup.config as never);
}

export async function sendPhase(session: RunSession, scan: SourceScan, index: ReadonlyMap<string, StateIndexEntry>): Promise<void> {
  const { setup } = session;
  session.results.progress('syncing');
  const work = scan.changed > 0 || scan.departing.length > 0;
  const client = work ? await session.client(scan) : undefined;
  const ctx = session.context(scan, client);
  const limits = session.currentLimits;
  const windowSize = setup.options.windowSize ?? ('windowSize' in limits ? limits.windowSize : undefined) ?? 10_000;
  const keys = { keyOf: setup.keyOf, recheckNotFoundAfterMs: setup.recheckNotFoundAfterMs, recheck: setup.recheck, now: setup.started, explainMissingKey: missingKeyExplainer(setup) };
  const windowCtx = await withGivers(ctx, setup, scan, index, windowSize);
  const process = (records: Parameters<typeof processWindow>[1]) => processWindow(windowCtx, records);
  await readWindows(windowCtx, setup.source, scan, index, keys, windowSize, process);
  if (scan.complete) await readDepartures(ctx, scan, windowSize, process);
  await forgetNotFound(session.writer, scan.forgottenNotFound);
  const notices = await forgetDeletedGroups(ctx);
  for (const notice of notices) setup.logger.warn(notice.message, { code: notice.code });
  session.results.notices.push(...notices);
}

/** Whether the destination refuses a source record's key (`refuseKey`), bound to the run's config; undefined when it never does. */
function keyRefuser(setup: RunSetup): ((snapshot: RecordSnapshot) => boolean) | undefined {
  const destination: { refuseKey?(snapshot: RecordSnapshot, config: never): SyncError | undefined } = setup.destination as never;
  if (destination.refuseKey === undefined) return undefined;
  return (snapshot) => destination.refuseKey?.(snapshot, setup.config as never) !== undefined;
}
