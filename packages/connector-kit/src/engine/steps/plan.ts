import type { RecordEvent } from '../ledger/events';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordLedger } from '../ledger/record-ledger';
import type { AudienceRunContext, RecordRunContext } from '../run/run-context';
import { classify } from './classify';
import { planMembership } from './plan-membership';

/**
 * Plans records of a record destination under the run's mode ({@link classify}), then lets
 * the destination check a planned create or update (`validate`): a problem fails the
 * record alone, before anything is sent. Used after the lookup, and again for records
 * whose write found them missing (`NotFoundError`).
 */
export function planRecords(ctx: RecordRunContext, ledger: RecordLedger, records: readonly RecordView[] = ledger.open()): void {
  const unwritten = ctx.destination.unwrittenProperties;
  const classifyContext = { mode: ctx.mode, deletePolicy: ctx.deletePolicy, groupsEnabled: ctx.groupsEnabled, groupKey: ctx.groupKey, destinationName: ctx.destinationName, matchKeyLabel: ctx.matchKeyLabel, unwritten: unwritten && unwritten.length > 0 ? new Set(unwritten) : undefined };
  const events: RecordEvent[] = [];
  for (const record of records) {
    const plan = classify(record, classifyContext);
    events.push({ type: 'planned', ref: record.ref, plan });
    if ((plan.action !== 'create' && plan.action !== 'update') || !record.next || !ctx.destination.validate) continue;
    const problem = ctx.destination.validate(ctx.verbs, { ref: record.ref, recordId: record.recordId, snapshot: record.next, properties: plan.properties, action: plan.action });
    if (problem) {
      events.push({
        type: 'settled',
        ref: record.ref,
        result: { outcome: 'failed', code: problem.code, message: problem.message, retryable: problem.retryable, destinationId: record.destinationId, action: plan.action },
      });
    }
  }
  ledger.report(events);
}

/** Plans the membership changes of an audience window's records under the run's mode. */
export function planAudienceRecords(ctx: AudienceRunContext, ledger: RecordLedger): void {
  ledger.report(ledger.open().map((record) => ({ type: 'planned', ref: record.ref, plan: planMembership(record, ctx.mode, ctx.destinationName) })));
}
