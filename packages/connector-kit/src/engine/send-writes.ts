import type { GroupChanges, ItemResult, TargetItem, UpdateItem, WriteItem } from '../destination/verbs';
import { isRunStopping, NotFoundError, SyncError } from '../errors/sync-error';
import { toSyncError } from '../errors/to-sync-error';
import type { CallKind } from './caller';
import { chunk } from './chunk';
import { decideMatch, listIds } from './match-decision';
import { forget, persist } from './persist';
import { planItem } from './plan-item';
import type { RunContext } from './run-context';
import { sendBatch, type SendBatchOptions } from './send-batch';
import type { WorkItem } from './work-item';

function fail(item: WorkItem, error: { code: string; message: string; retryable: boolean }, what: string): void {
  item.result = {
    id: item.recordId,
    row: item.row,
    outcome: 'failed',
    code: error.code,
    message: `${what} failed: ${error.message}`,
    retryable: error.retryable,
    destinationId: item.destinationId,
  };
}

async function sendKind<P>(
  ctx: RunContext,
  kind: CallKind,
  items: readonly WorkItem[],
  toPayload: (item: WorkItem) => P,
  send: (payload: readonly P[]) => Promise<ItemResult[]>,
  onOk: (item: WorkItem, result: ItemResult & { ok: true }) => void,
  afterChunk: (items: WorkItem[]) => Promise<void>,
  options: SendBatchOptions<P> & { readonly onMissing?: (item: WorkItem) => void } = {},
): Promise<void> {
  const what = kind.charAt(0).toUpperCase() + kind.slice(1).replace(/_/g, ' ');
  await Promise.all(
    chunk(items, ctx.limits.writeBatchSize).map(async (batch) => {
      let results: ItemResult[];
      try {
        results = await sendBatch(ctx.caller, kind, batch.map(toPayload), send, options);
      } catch (thrown) {
        if (isRunStopping(toSyncError(thrown))) return; // unsent: reported as not_sent
        throw thrown;
      }
      const acknowledged: WorkItem[] = [];
      batch.forEach((item, j) => {
        const r = results[j];
        if (r?.ok) {
          onOk(item, r);
          acknowledged.push(item);
        } else if (r && r.error instanceof NotFoundError && options.onMissing) {
          options.onMissing(item);
        } else if (r && r.error.code !== 'not_sent') {
          fail(item, r.error, what);
        }
      });
      await afterChunk(acknowledged);
    }),
  );
}

/**
 * A record the update found missing (`NotFoundError`): it is planned again as not found,
 * so the mode decides (enrich skips it as `not_found`; sync and additive create it, in
 * this same pass, since creates are sent after updates).
 */
function replanAsMissing(ctx: RunContext, item: WorkItem): void {
  ctx.logger.debug('record missing at write time', { recordId: item.recordId });
  item.found = undefined;
  item.destinationId = undefined;
  item.owned = false;
  planItem(ctx, item);
}

const toTarget = (item: WorkItem): TargetItem => ({
  ref: item.ref,
  recordId: item.recordId,
  destinationId: item.destinationId as string,
});

/**
 * Sends the planned record writes, in order: deletes, restores, updates, creates; each in
 * chunks of the destination's write batch size, with bounded concurrency. State is written
 * after every acknowledged chunk. Creates reconcile after ambiguous failures (look the
 * records up again) so a retry never creates a duplicate. An update answered with
 * `NotFoundError` is planned again as not found before the creates are chosen. For
 * destinations keeping membership in the record, group changes ride in the same write.
 */
export async function sendWrites(ctx: RunContext, items: readonly WorkItem[]): Promise<void> {
  const verbs = ctx.destination.verbs;
  const open = (pred: (i: WorkItem) => boolean) => items.filter((i) => !i.result && i.plan !== undefined && pred(i));

  const deletes = open((i) => i.plan?.action === 'delete');
  if (deletes.length > 0 && verbs.delete) {
    const del = verbs.delete.bind(verbs);
    await sendKind(
      ctx,
      'delete',
      deletes,
      toTarget,
      (batch) => del(ctx.verbs, batch),
      (item) => (item.written = true),
      (done) => forget(ctx, done),
    );
  }

  const restores = open((i) => i.plan?.restore === true);
  if (restores.length > 0) {
    if (!verbs.restore) {
      for (const item of restores) {
        fail(item, { code: 'restore_unsupported', message: 'the destination cannot restore archived records', retryable: false }, 'Restore');
      }
    } else {
      const restore = verbs.restore.bind(verbs);
      await sendKind(
        ctx,
        'restore',
        restores,
        toTarget,
        (batch) => restore(ctx.verbs, batch),
        () => undefined,
        async () => undefined,
      );
    }
  }

  // Membership kept in the record travels with the record write (see `groupMembership`).
  const inRecord = ctx.destination.groupMembership === 'record';
  const groupChanges = (item: WorkItem): GroupChanges => ({ add: item.plan?.addGroups ?? [], remove: item.plan?.removeGroups ?? [] });
  const changesGroups = (item: WorkItem) => inRecord && (item.plan?.addGroups.length ?? 0) + (item.plan?.removeGroups.length ?? 0) > 0;
  const updates = open((i) => i.plan?.action === 'update' || (inRecord && i.plan?.action === 'groups'));
  const toSend = updates.filter((i) => Object.keys(i.plan?.properties ?? {}).length > 0 || changesGroups(i));
  for (const item of updates) {
    if (!toSend.includes(item)) {
      item.written = true;
      item.appliedProperties = item.next?.properties ?? item.appliedProperties;
    }
  }
  await sendKind<UpdateItem>(
    ctx,
    'update',
    toSend,
    (item) => ({
      ref: item.ref,
      recordId: item.recordId,
      destinationId: item.destinationId as string,
      snapshot: item.next ?? { properties: {}, groups: [] },
      properties: item.plan?.properties ?? {},
      ...(inRecord ? { groups: groupChanges(item) } : {}),
    }),
    (batch) => verbs.update(ctx.verbs, batch),
    (item) => {
      item.written = true;
      item.appliedProperties = item.next?.properties ?? item.appliedProperties;
      if (inRecord) {
        for (const name of item.plan?.removeGroups ?? []) {
          item.appliedGroups.delete(name);
          item.groupOps.add(`remove:${name}`);
        }
        for (const name of item.plan?.addGroups ?? []) {
          item.appliedGroups.add(name);
          item.groupOps.add(`add:${name}`);
        }
      }
    },
    (done) => persist(ctx, done),
    { onMissing: (item) => replanAsMissing(ctx, item) },
  );

  const creates = open((i) => i.plan?.action === 'create');
  await sendKind<WriteItem>(
    ctx,
    'create',
    creates,
    (item) => ({
      ref: item.ref,
      recordId: item.recordId,
      snapshot: item.next ?? { properties: {}, groups: [] },
      properties: item.plan?.properties ?? {},
      ...(inRecord ? { groups: { add: item.plan?.addGroups ?? [], remove: [] } } : {}),
    }),
    (batch) => verbs.create(ctx.verbs, batch),
    (item, result) => {
      item.written = true;
      item.owned = result.existing !== true;
      item.destinationId = result.id;
      item.appliedProperties = item.next?.properties ?? {};
      if (inRecord) {
        item.appliedGroups = new Set(item.plan?.addGroups ?? []);
        for (const name of item.plan?.addGroups ?? []) item.groupOps.add(`add:${name}`);
      }
      if (result.existing === true && item.plan) {
        const name = ctx.destination.displayName;
        item.plan = { ...item.plan, outcome: 'updated', message: `Already in ${name} (it answered the create with the existing record); updated that record instead.` };
      }
    },
    (done) => persist(ctx, done),
    {
      reconcile: async (batch) => {
        const found = await ctx.caller.call('find', () =>
          verbs.find(
            ctx.verbs,
            batch.map((w) => ({
              ref: w.ref,
              snapshot: w.snapshot,
              matchKey: ctx.destination.matchKey(w.snapshot, ctx.config) ?? '',
            })),
          ),
        );
        // A presumed record was not checked, so it proves nothing: the create is resent. Several
        // records with the key: which one (if any) the lost create made cannot be told, so
        // nothing more is sent for the record.
        return batch.map((w) => {
          const decision = decideMatch(found.get(w.ref), undefined);
          if (decision.kind === 'ambiguous') {
            return new SyncError(
              'ambiguous_match',
              `After a create whose answer was lost, ${decision.ids.length} ${ctx.destination.displayName} records have this ${ctx.classify.matchKeyLabel} (${listIds(decision.ids)}); merge the duplicates. Not sent again.`,
            );
          }
          return decision.kind === 'one' && !decision.record.presumed ? decision.record.id : undefined;
        });
      },
    },
  );
}
