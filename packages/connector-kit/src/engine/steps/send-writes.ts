import type { GroupChanges, ItemResult, TargetItem, UpdateItem, WriteItem } from '../../destination/verbs';
import { isRunStopping, NotFoundError, SyncError } from '../../errors/sync-error';
import { toSyncError } from '../../errors/to-sync-error';
import type { CallKind } from '../calls/caller';
import { chunk } from '../calls/chunk';
import { sendBatch, type SendBatchOptions } from '../calls/send-batch';
import type { RecordEvent } from '../ledger/events';
import type { OpKey, RecordView } from '../ledger/ledger-record';
import type { RecordLedger } from '../ledger/record-ledger';
import type { RecordRunContext } from '../run/run-context';
import { decideMatch, listIds } from './match-decision';
import { planRecords } from './plan';

type Ok = ItemResult & { ok: true };

interface KindOptions<P> extends SendBatchOptions<P> {
  /** Events for an acknowledged item. */
  readonly onOk: (record: RecordView, result: Ok) => RecordEvent[];
  /** An item answered `NotFoundError` (the destination record is gone). */
  readonly onMissing?: ((record: RecordView) => void) | undefined;
  /**
   * Write the batch's write-ahead marks when its call is made, not before the window: a run
   * killed (`kill -9`) leaves marked, so owned, only what a call may have carried (a fresh
   * trial on #17: a whole window's creates were kept as owned, and the next run could delete
   * a record someone else had made with one's key). A mark state cannot write stops the run
   * before the call.
   */
  readonly markOnDispatch?: boolean | undefined;
}

/** Sends one kind of write for `records`, in chunks of the write batch size, reporting each chunk to the ledger as it is acknowledged. */
async function sendKind<P>(
  ctx: RecordRunContext,
  ledger: RecordLedger,
  kind: CallKind,
  records: readonly RecordView[],
  toPayload: (record: RecordView) => P,
  send: (payload: readonly P[]) => Promise<ItemResult[]>,
  options: KindOptions<P>,
): Promise<void> {
  const what = kind.charAt(0).toUpperCase() + kind.slice(1).replace(/_/g, ' ');
  await Promise.all(
    chunk(records, ctx.limits.writeBatchSize).map(async (batch) => {
      let results: ItemResult[];
      // Reported when the call is made (the caller may stop the run before): a write never made is not sent, and its mark is taken back.
      let told = false;
      const dispatch = async (payload: readonly P[]) => {
        if (!told) {
          told = true;
          if (options.markOnDispatch && !(await ledger.mark(batch))) throw ctx.writer.failed ?? new SyncError('state_unwritable', 'The write-ahead mark could not be written.');
          ledger.report(batch.map((r) => ({ type: 'dispatched', ref: r.ref })));
        }
        return send(payload);
      };
      try {
        results = await sendBatch(ctx.caller, kind, batch.map(toPayload), dispatch, options);
      } catch (thrown) {
        if (isRunStopping(toSyncError(thrown))) return; // unsent: reported as not_sent
        throw thrown;
      }
      const events: RecordEvent[] = [];
      batch.forEach((record, j) => {
        const r = results[j];
        if (r?.ok) events.push(...options.onOk(record, r));
        else if (r && r.error instanceof NotFoundError && options.onMissing) options.onMissing(record);
        else if (r && r.error.code !== 'not_sent') {
          const e = r.error;
          events.push({ type: 'settled', ref: record.ref, result: { outcome: 'failed', code: e.code, message: `${what} failed: ${e.message}`, retryable: e.retryable, destinationId: record.destinationId } });
        }
      });
      await ledger.acknowledge(events);
    }),
  );
}

const toTarget = (record: RecordView): TargetItem => ({ ref: record.ref, recordId: record.recordId, destinationId: record.destinationId as string });

/** Membership kept in the record: the group operations an acknowledged write carried. */
function groupAcks(ctx: RecordRunContext, record: RecordView): RecordEvent[] {
  if (ctx.destination.groupMembership !== 'record') return [];
  const plan = record.plan;
  const ops: OpKey[] = [...(plan?.removeGroups ?? []).map((g): OpKey => `remove:${g}`), ...(plan?.addGroups ?? []).map((g): OpKey => `add:${g}`)];
  return ops.map((op) => ({ type: 'acknowledged', ref: record.ref, op }));
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

/** Updates found records (with the group changes that ride in the record, for destinations keeping membership there). */
async function sendUpdates(ctx: RecordRunContext, ledger: RecordLedger): Promise<void> {
  const inRecord = ctx.destination.groupMembership === 'record';
  const updates = ledger.open().filter((r) => !r.acked.has('write') && (r.plan?.action === 'update' || (inRecord && r.plan?.action === 'groups')));
  const quiet = updates.filter((r) => nothingToSend(ctx, r) && r.plan?.write);
  ledger.report(quiet.map((r) => ({ type: 'acknowledged', ref: r.ref, op: 'write' })));
  const missing: RecordView[] = [];
  const changes = (r: RecordView): GroupChanges => ({ add: r.plan?.addGroups ?? [], remove: r.plan?.removeGroups ?? [] });
  await sendKind<UpdateItem>(
    ctx,
    ledger,
    'update',
    updates.filter((r) => !nothingToSend(ctx, r)),
    (r) => ({
      ref: r.ref,
      recordId: r.recordId,
      destinationId: r.destinationId as string,
      snapshot: r.next ?? { properties: {}, groups: [] },
      properties: r.plan?.properties ?? {},
      ...(inRecord ? { groups: changes(r) } : {}),
    }),
    (batch) => ctx.destination.verbs.update(ctx.verbs, batch),
    { onOk: (r) => [...(r.plan?.write ? [{ type: 'acknowledged' as const, ref: r.ref, op: 'write' as const }] : []), ...groupAcks(ctx, r)], onMissing: (r) => missing.push(r) },
  );
  if (missing.length === 0) return;
  // Gone at write time: planned again as not found, so the mode decides (created below, or skipped).
  ctx.logger.debug('records missing at write time', { records: missing.length });
  ledger.report(missing.map((r) => ({ type: 'missing', ref: r.ref })));
  const refs = new Set(missing.map((r) => r.ref));
  planRecords(ctx, ledger, ledger.open().filter((r) => refs.has(r.ref)));
}

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

/** Creates the records the mode lets it create (with their groups, for destinations keeping membership in the record). */
async function sendCreates(ctx: RecordRunContext, ledger: RecordLedger): Promise<void> {
  const inRecord = ctx.destination.groupMembership === 'record';
  const creates = ledger.open().filter((r) => r.plan?.action === 'create');
  await sendKind<WriteItem>(
    ctx,
    ledger,
    'create',
    creates,
    (r) => ({
      ref: r.ref,
      recordId: r.recordId,
      snapshot: r.next ?? { properties: {}, groups: [] },
      properties: r.plan?.properties ?? {},
      ...(r.entry && !r.entry.notFound ? { previous: r.entry.snapshot.properties } : {}),
      ...(inRecord ? { groups: { add: r.plan?.addGroups ?? [], remove: [] } } : {}),
    }),
    (batch) => ctx.destination.verbs.create(ctx.verbs, batch),
    {
      onOk: (r, result) => [{ type: 'acknowledged', ref: r.ref, op: 'write', id: result.id, existing: result.existing }, ...groupAcks(ctx, r)],
      markOnDispatch: true,
      // An upsert by match key never duplicates: resent as it is (a lookup could not tell a record it created from one it matched).
      ...(ctx.createIsUpsert ? {} : { reconcile: reconcile(ctx) }),
    },
  );
}

/**
 * Sends a window's planned record writes, in order: deletes, restores, updates, creates;
 * each in chunks of the destination's write batch size, with bounded concurrency, every
 * chunk reported to the ledger (which records it in state) as it is acknowledged. Creates
 * reconcile after ambiguous failures (look the records up again) so a retry never creates
 * a duplicate — except where `create` upserts by match key (`createUpserts`): a resend
 * cannot duplicate, and is retried as it is (a record the lost attempt created is then
 * answered as existing: kept, never owned, so never deleted). An update answered with `NotFoundError` is planned again as not found before
 * the creates are chosen.
 */
export async function sendWrites(ctx: RecordRunContext, ledger: RecordLedger): Promise<void> {
  await sendDeletes(ctx, ledger);
  await sendRestores(ctx, ledger);
  await sendUpdates(ctx, ledger);
  await sendCreates(ctx, ledger);
}
