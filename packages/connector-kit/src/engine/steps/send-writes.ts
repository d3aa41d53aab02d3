import type { TargetItem, UpdateItem, CreateOrUpdateItem, WriteItem } from '../../destination/verbs';
import { SyncError } from '../../errors/sync-error';
import type { SendBatchOptions } from '../calls/send-batch';
import type { RecordEvent } from '../ledger/events';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordLedger } from '../ledger/record-ledger';
import type { RecordRunContext } from '../run/run-context';
import { decideMatch, listIds } from './match-decision';
import { recordMemberships, type RecordMemberships } from './record-memberships';
import { planRecords } from './plan';
import { failedEvent, sendKind, type Ok } from './send-kind';

const toTarget = (record: RecordView): TargetItem => ({ ref: record.ref, recordId: record.recordId, destinationId: record.destinationId as string });

/**
 * Membership kept in the record: the group operations an acknowledged write carried; an add of
 * a group the destination says the record was already in (`ItemResult.alreadyIn`) is
 * acknowledged as existing (someone else's membership: see `foundAfter`) — unless a sync holds
 * that membership as its own (an add the destination did not find made is the sync's own, even
 * under a group's name the record's state has as someone else's: fresh reviewer 106, F2); a
 * removal not sent because other syncs keep the membership says so (`keptFor`). See
 * `recordMemberships`.
 */
function groupAcks(ctx: RecordRunContext, record: RecordView, result?: Ok, memberships?: RecordMemberships): RecordEvent[] {
  if (ctx.destination.groupMembership !== 'record') return [];
  const plan = record.plan;
  const held = memberships?.held.get(record.ref);
  const kept = memberships?.keptFor.get(record.ref);
  const already = new Set((result?.alreadyIn ?? []).filter((g) => !held?.has(g)));
  const removes = (plan?.removeGroups ?? []).map((g): RecordEvent => {
    const keptFor = kept?.get(g);
    return { type: 'acknowledged', ref: record.ref, op: `remove:${g}`, ...(keptFor ? { keptFor } : {}) };
  });
  const adds = (plan?.addGroups ?? []).map((g): RecordEvent => ({ type: 'acknowledged', ref: record.ref, op: `add:${g}`, ...(already.has(g) ? { existing: true } : {}) }));
  return [...removes, ...adds];
}

/** Deletes records that left the source (only ever planned in `sync` mode, for records this sync may delete). */
async function sendDeletes(ctx: RecordRunContext, ledger: RecordLedger): Promise<void> {
  const verb = ctx.destination.verbs.delete;
  const deletes = ledger.open().filter((r) => r.plan?.action === 'delete');
  if (deletes.length === 0 || !verb) return;
  await sendKind(ctx, ledger, 'delete', deletes, toTarget, (batch) => verb.call(ctx.destination.verbs, ctx.verbs, batch), {
    onOk: (r) => [{ type: 'acknowledged', ref: r.ref, op: 'write' }],
  });
}

/** True when a write has nothing to send besides what a restore did. */
function nothingToSend(ctx: RecordRunContext, record: RecordView): boolean {
  const plan = record.plan;
  const groups = ctx.destination.groupMembership === 'record' ? (plan?.addGroups.length ?? 0) + (plan?.removeGroups.length ?? 0) : 0;
  return Object.keys(plan?.properties ?? {}).length === 0 && groups === 0;
}

/** Brings archived records back before they are updated. */
async function sendRestores(ctx: RecordRunContext, ledger: RecordLedger): Promise<void> {
  const restores = ledger.open().filter((r) => r.plan?.restore === true);
  if (restores.length === 0) return;
  const verb = ctx.destination.verbs.restore;
  if (!verb) {
    const result = { outcome: 'failed' as const, code: 'restore_unsupported', message: 'Restore failed: the destination cannot restore archived records', retryable: false };
    ledger.report(restores.map((r) => ({ type: 'settled', ref: r.ref, result: { ...result, destinationId: r.destinationId } })));
    return;
  }
  await sendKind(ctx, ledger, 'restore', restores, toTarget, (batch) => verb.call(ctx.destination.verbs, ctx.verbs, batch), {
    onOk: (r) => (nothingToSend(ctx, r) ? [{ type: 'acknowledged', ref: r.ref, op: 'write' }] : []),
  });
}

/**
 * A found record's update, with the group changes that ride in the record for destinations keeping membership there (but
 * the removals other syncs keep: `memberships`).
 */
function updateItem(ctx: RecordRunContext, r: RecordView, memberships?: RecordMemberships): UpdateItem {
  const kept = memberships?.keptFor.get(r.ref);
  const remove = r.plan?.removeGroups ?? [];
  return {
    ref: r.ref,
    recordId: r.recordId,
    destinationId: r.destinationId as string,
    snapshot: r.next ?? { properties: {}, groups: [] },
    properties: r.plan?.properties ?? {},
    ...(ctx.destination.groupMembership === 'record' ? { groups: { add: r.plan?.addGroups ?? [], remove: kept ? remove.filter((g) => !kept.has(g)) : remove } } : {}),
  };
}

/** A new record's create (with its groups, for destinations keeping membership in the record). */
function createItem(ctx: RecordRunContext, r: RecordView): WriteItem {
  return {
    ref: r.ref,
    recordId: r.recordId,
    snapshot: r.next ?? { properties: {}, groups: [] },
    properties: r.plan?.properties ?? {},
    ...(r.entry && !r.entry.notFound ? { previous: r.entry.snapshot.properties } : {}),
    ...(ctx.destination.groupMembership === 'record' ? { groups: { add: r.plan?.addGroups ?? [], remove: r.plan?.removeGroups ?? [] } } : {}),
  };
}

/** What an acknowledged update settles. */
const updateAcks = (ctx: RecordRunContext, r: RecordView, result: Ok, memberships?: RecordMemberships): RecordEvent[] => [
  ...(r.plan?.write ? [{ type: 'acknowledged' as const, ref: r.ref, op: 'write' as const }] : []),
  ...groupAcks(ctx, r, result, memberships),
];

/** What an acknowledged create settles: the new record's id, or the existing record an upsert met. */
const createAcks = (ctx: RecordRunContext, r: RecordView, result: Ok): RecordEvent[] => [{ type: 'acknowledged', ref: r.ref, op: 'write', id: result.id, existing: result.existing }, ...groupAcks(ctx, r, result)];

/** The window's updates still to send; those with nothing to send besides a restore are acknowledged here. */
function updatesToSend(ctx: RecordRunContext, ledger: RecordLedger): RecordView[] {
  const inRecord = ctx.destination.groupMembership === 'record';
  const updates = ledger.open().filter((r) => !r.acked.has('write') && (r.plan?.action === 'update' || (inRecord && r.plan?.action === 'groups')));
  const quiet = updates.filter((r) => nothingToSend(ctx, r) && r.plan?.write);
  ledger.report(quiet.map((r) => ({ type: 'acknowledged', ref: r.ref, op: 'write' })));
  return updates.filter((r) => !nothingToSend(ctx, r));
}

const createsToSend = (ledger: RecordLedger, sent: ReadonlySet<number>): RecordView[] => ledger.open().filter((r) => r.plan?.action === 'create' && !r.acked.has('write') && !sent.has(r.ref));

/** After a create whose answer was lost: which records exist after all (never resent blind). */
function reconcile(ctx: RecordRunContext) {
  return async (batch: readonly WriteItem[]): Promise<(string | SyncError | undefined)[]> => {
    const requests = batch.map((w) => ({ ref: w.ref, snapshot: w.snapshot, matchKey: ctx.destination.matchKey(w.snapshot, ctx.config) ?? '' }));
    const found = await ctx.caller.call('find', () => ctx.destination.verbs.find(ctx.verbs, requests));
    // A presumed record proves nothing (the create is resent); several records with the key: which one
    // the lost create made cannot be told, so nothing more is sent for the record.
    return batch.map((w) => {
      const decision = decideMatch(found.get(w.ref), undefined);
      if (decision.kind === 'ambiguous') {
        return new SyncError(
          'ambiguous_match',
          `After a create whose answer was lost, ${decision.ids.length} ${ctx.destinationName} records have this ${ctx.matchKeyLabel} (${listIds(decision.ids)}); merge the duplicates. Not sent again.`,
        );
      }
      return decision.kind === 'one' && !decision.record.presumed ? decision.record.id : undefined;
    });
  };
}

/**
 * The one batch a window's updates and creates share, through the destination's
 * `createAndUpdate` verb: the updates' last, partly filled batch topped up with the first creates. None when
 * the destination has no such verb or turns it off for the run (`limits.sharedBatch`), when
 * the updates fill their batches, when there is no create, or when creates go without a
 * lookup (`upsertCreates`: they keep their own calls).
 */
function sharedBatch(ctx: RecordRunContext, updates: readonly RecordView[], creates: readonly RecordView[]): RecordView[] {
  const size = ctx.limits.writeBatchSize;
  const tail = updates.length % size;
  if (!ctx.destination.verbs.createAndUpdate || ctx.limits.sharedBatch === false || ctx.upsertCreates || tail === 0 || creates.length === 0) return [];
  return [...updates.slice(updates.length - tail), ...creates.slice(0, size - tail)];
}

/** Looks a shared batch's creates up after a call whose answer was lost (see `reconcile`); its updates are sent again. */
function reconcileCreates(ctx: RecordRunContext): NonNullable<SendBatchOptions<CreateOrUpdateItem>['reconcile']> {
  const lookUp = reconcile(ctx);
  return async (items) => {
    const creates = items.filter((i): i is CreateOrUpdateItem & { action: 'create' } => i.action === 'create');
    const found = creates.length > 0 ? await lookUp(creates) : [];
    let k = 0;
    return items.map((i) => (i.action === 'create' ? found[k++] : undefined));
  };
}

/**
 * Sends the shared batch as one `createAndUpdate` call. Its creates are marked as the call goes out
 * and, after a call whose answer was lost, treated as a create batch's are (looked up unless
 * they are upserts by match key); its updates are sent again — also those of a call with no
 * answer in time, which the creates' lookup leaves unsent: they go by `update`. Records of a
 * part refused as a whole (an error with an HTTP 4xx `status`: nothing of it was written) go
 * again by their own verb, whose batch is split to fail only the bad record: updates here,
 * creates (returned) with the other creates. An update whose record is gone joins `missing`.
 */
async function sendShared(ctx: RecordRunContext, ledger: RecordLedger, shared: readonly RecordView[], missing: RecordView[], memberships?: RecordMemberships): Promise<RecordView[]> {
  const verb = ctx.destination.verbs.createAndUpdate as NonNullable<typeof ctx.destination.verbs.createAndUpdate>;
  const isCreate = (r: RecordView) => r.plan?.action === 'create';
  const refusedWhole = (e: SyncError) => e.status !== undefined && e.status >= 400 && e.status < 500;
  const late: RecordView[] = [];
  const alone: RecordView[] = [];
  await sendKind<CreateOrUpdateItem>(
    ctx,
    ledger,
    'create_and_update',
    shared,
    (r) => (isCreate(r) ? { ...createItem(ctx, r), action: 'create' } : { ...updateItem(ctx, r, memberships), action: 'update' }),
    (batch) => verb.call(ctx.destination.verbs, ctx.verbs, batch),
    {
      onOk: (r, result) => (isCreate(r) ? createAcks(ctx, r, result) : updateAcks(ctx, r, result, memberships)),
      onMissing: (r) => (isCreate(r) ? undefined : (missing.push(r), [])),
      // Failures read as the record's own write's; an update left unsent after a call with no answer in time, and the records of a part refused whole, go again by their own verb.
      onFailure: (r, error) => {
        if (!isCreate(r) && error.code === 'timeout' && !ctx.caller.stopped) return (late.push(r), []);
        if (refusedWhole(error) && !ctx.caller.stopped) return (alone.push(r), []);
        return [failedEvent(r, isCreate(r) ? 'Create' : 'Update', error)];
      },
      markOnDispatch: (batch) => batch.filter(isCreate),
      ...(ctx.createIsUpsert ? {} : { reconcile: reconcileCreates(ctx) }),
    },
  );
  await sendUpdateBatches(ctx, ledger, [...late, ...alone.filter((r) => !isCreate(r))], missing, memberships);
  return alone.filter(isCreate);
}

/** Sends updates by `update` (with what state says of their record-kept groups: `memberships`); records gone at write time join `missing`. */
async function sendUpdateBatches(ctx: RecordRunContext, ledger: RecordLedger, updates: readonly RecordView[], missing: RecordView[], memberships?: RecordMemberships): Promise<void> {
  await sendKind<UpdateItem>(ctx, ledger, 'update', updates, (r) => updateItem(ctx, r, memberships), (batch) => ctx.destination.verbs.update(ctx.verbs, batch), {
    onOk: (r, result) => updateAcks(ctx, r, result, memberships),
    onMissing: (r) => (missing.push(r), []),
  });
}

/**
 * Updates found records, then sends the batch they share with the first creates (see
 * {@link sharedBatch}); records gone at write time are planned again as not found, so the
 * mode decides (created below, or skipped). Returns the creates the shared batch carried (but
 * those it leaves to the create verb).
 */
async function sendUpdates(ctx: RecordRunContext, ledger: RecordLedger): Promise<Set<number>> {
  const updates = updatesToSend(ctx, ledger);
  const shared = sharedBatch(ctx, updates, createsToSend(ledger, new Set()));
  const inShared = new Set(shared.map((r) => r.ref));
  // Taken now: an update the shared call finds gone is planned again as a create, and is sent below.
  const sharedCreates = new Set(shared.filter((r) => r.plan?.action === 'create').map((r) => r.ref));
  const missing: RecordView[] = [];
  // What state says of the record-kept group changes of every update, the shared batch's too (read once).
  const memberships = ctx.destination.groupMembership === 'record' ? await recordMemberships(ctx, updates) : undefined;
  await sendUpdateBatches(ctx, ledger, updates.filter((r) => !inShared.has(r.ref)), missing, memberships);
  if (shared.length > 0 && !ctx.caller.stopped) for (const r of await sendShared(ctx, ledger, shared, missing, memberships)) sharedCreates.delete(r.ref);
  if (missing.length > 0) {
    ctx.logger.debug('records missing at write time', { records: missing.length });
    ledger.report(missing.map((r) => ({ type: 'missing', ref: r.ref })));
    const refs = new Set(missing.map((r) => r.ref));
    planRecords(ctx, ledger, ledger.open().filter((r) => refs.has(r.ref)));
  }
  return sharedCreates;
}

/** Creates the records the mode lets it create, but those the shared batch carried. */
async function sendCreates(ctx: RecordRunContext, ledger: RecordLedger, sent: ReadonlySet<number>): Promise<void> {
  await sendKind<WriteItem>(ctx, ledger, 'create', createsToSend(ledger, sent), (r) => createItem(ctx, r), (batch) => ctx.destination.verbs.create(ctx.verbs, batch), {
    onOk: (r, result) => createAcks(ctx, r, result),
    markOnDispatch: (batch) => batch,
    // An upsert by match key never duplicates: resent as it is (a lookup could not tell a record it created from one it matched).
    ...(ctx.createIsUpsert ? {} : { reconcile: reconcile(ctx) }),
  });
}

/**
 * Sends a window's planned record writes, in order: deletes, restores, updates, creates;
 * each in chunks of the destination's write batch size, with bounded concurrency, every
 * chunk reported to the ledger (which records it in state) as it is acknowledged. Where the
 * destination has a `createAndUpdate` verb, the updates' last, partly filled chunk and the first
 * creates go in one call (see {@link sharedBatch}). Creates
 * reconcile after ambiguous failures (look the records up again) so a retry never creates
 * a duplicate — except where `create` upserts by match key (`createUpserts`): a resend
 * cannot duplicate, and is retried as it is (a record the lost attempt created is then
 * answered as existing: kept, never owned, so never deleted). An update answered with `NotFoundError` is planned again as not found before
 * the creates are chosen.
 */
export async function sendWrites(ctx: RecordRunContext, ledger: RecordLedger): Promise<void> {
  await sendDeletes(ctx, ledger);
  await sendRestores(ctx, ledger);
  const shared = await sendUpdates(ctx, ledger);
  await sendCreates(ctx, ledger, shared);
}
