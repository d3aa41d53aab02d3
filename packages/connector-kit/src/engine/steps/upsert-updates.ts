import type { ItemResult } from '../../destination/verbs';
import { permits } from '../../modes/permits';
import type { RecordEvent } from '../ledger/events';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordRunContext } from '../run/run-context';

/**
 * True when a planned update goes out with the creates, through the destination's upserting
 * `create` (`createUpserts`), instead of as an update by destination id: the lookup found the
 * record by its current match key as the only destination record holding it, the sync has no
 * state for it (so the update carries every non-empty property, the key among them) and its
 * key did not move, it is not archived (no restore), the mode may create, and group
 * membership is not kept in the record. The upsert then writes the record the lookup found
 * (Salesforce: one Bulk API 2.0 `upsert` job for found and new records, not an `update` job
 * beside it). The lookup and every check after it (identities, claims, other syncs) ran as
 * for any update; only the call differs.
 */
export function updatesByUpsert(ctx: RecordRunContext, record: RecordView): boolean {
  return (
    ctx.createIsUpsert &&
    permits(ctx.mode, 'create') &&
    ctx.destination.groupMembership !== 'record' &&
    record.plan?.action === 'update' &&
    !record.plan.restore &&
    record.foundOnlyHolder &&
    record.found?.archived !== true &&
    record.found?.presumed !== true &&
    record.entry === undefined &&
    record.previousMatchKey === undefined &&
    record.next !== null
  );
}

/**
 * What an acknowledged upsert means for a record planned as an update ({@link updatesByUpsert}):
 *
 * - answered as existing, with the id found (or none): the update, acknowledged;
 * - answered as existing with another id: between the lookup and the write another record took
 *   the key, and the upsert wrote that one — state names the record written, not the one found
 *   (still not owned);
 * - answered as created: the record found was gone (deleted, or its key changed) when the
 *   upsert arrived, so the destination created one — reported `created` and owned by this sync,
 *   as an update answered "not found" and then created would be (the mode may create).
 */
export function upsertedUpdate(ctx: RecordRunContext, record: RecordView, result: ItemResult & { ok: true }): RecordEvent[] {
  const ack: RecordEvent = { type: 'acknowledged', ref: record.ref, op: 'write' };
  if (result.existing === true) {
    if (result.id === undefined || result.id === record.destinationId) return [ack];
    return [{ type: 'found', ref: record.ref, match: { id: result.id } }, ack];
  }
  const plan = record.plan as NonNullable<RecordView['plan']>;
  const message = `The ${ctx.destinationName} record found by its ${ctx.matchKeyLabel} (${record.destinationId ?? 'unknown'}) was gone when written; created.`;
  return [
    { type: 'missing', ref: record.ref },
    { type: 'planned', ref: record.ref, plan: { ...plan, action: 'create', outcome: 'created', message } },
    { type: 'acknowledged', ref: record.ref, op: 'write', id: result.id, existing: false },
  ];
}
