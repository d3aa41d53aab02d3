import { classify } from './classify';
import type { RunContext } from './run-context';
import type { WorkItem } from './work-item';

/**
 * Plans one looked-up record under the run's mode ({@link classify}), then lets the
 * destination check a planned create or update (`validate`): a problem fails the record
 * alone, before anything is sent. Used after the lookup, and again for a record whose
 * write found it missing (`NotFoundError`).
 */
export function planItem(ctx: RunContext, item: WorkItem): void {
  item.plan = classify(item, ctx.classify);
  const plan = item.plan;
  if ((plan.action === 'create' || plan.action === 'update') && item.next && ctx.destination.validate) {
    const problem = ctx.destination.validate(ctx.verbs, {
      ref: item.ref,
      recordId: item.recordId,
      snapshot: item.next,
      properties: plan.properties,
      action: plan.action,
    });
    if (problem) {
      item.result = {
        id: item.recordId,
        row: item.row,
        outcome: 'failed',
        code: problem.code,
        message: problem.message,
        retryable: problem.retryable,
        destinationId: item.destinationId,
        action: plan.action,
      };
    }
  }
}
