import type { SyncError } from '../errors/sync-error';
import type { RecordResult } from '../records/outcome';
import { forget, groupChangesDone, persist, rememberNotFound } from './persist';
import type { RunContext } from './run-context';
import type { WorkItem } from './work-item';

/** The result for a record the run could not send because it stopped. */
export function notSent(item: { recordId: string; row?: number | undefined }, stopped: SyncError): RecordResult {
  return {
    id: item.recordId,
    row: item.row,
    outcome: 'skipped',
    code: 'not_sent',
    message: `Not sent: the run stopped (${stopped.code}). The next run will send it.`,
    retryable: true,
  };
}

function groupsComplete(item: WorkItem): boolean {
  const plan = item.plan;
  if (!plan) return true;
  return groupChangesDone(item);
}

/**
 * Decides each item's final result from its plan and what was acknowledged, writes the
 * state that remains (unchanged records, records kept after leaving the source, records
 * gone from the destination, records not found) and emits the results.
 */
export function finalize(ctx: RunContext, items: readonly WorkItem[]): void {
  const stopped = ctx.caller.stopped;
  const toPersist: WorkItem[] = [];
  const toForget: WorkItem[] = [];
  const toRemember: WorkItem[] = [];

  for (const item of items) {
    if (item.result) {
      ctx.emit(item.result);
      continue;
    }
    const plan = item.plan;
    if (!plan) {
      ctx.emit(stopped ? notSent(item, stopped) : { id: item.recordId, row: item.row, outcome: 'failed', code: 'not_planned', message: 'Not planned (internal error).' });
      continue;
    }
    const base = { id: item.recordId, row: item.row, destinationId: item.destinationId, action: plan.action };
    if (ctx.dryRun) {
      const unchecked =
        item.found?.presumed && plan.action !== 'skip' && plan.action !== 'none'
          ? ` (not checked: ${ctx.classify.destinationName} confirms the record exists only when it is written)`
          : '';
      ctx.emit({ ...base, outcome: plan.outcome, code: plan.code, message: `Would: ${plan.message}${unchecked}` });
      continue;
    }
    const needsWrite = plan.action === 'create' || plan.action === 'update' || plan.action === 'delete';
    if (needsWrite && !item.written) {
      ctx.emit(stopped ? notSent(item, stopped) : { ...base, outcome: 'failed', code: 'not_sent', message: 'Not sent.', retryable: true });
      continue;
    }
    if (item.stepError) {
      ctx.emit({
        ...base,
        outcome: 'failed',
        code: item.stepError.code,
        message: `${plan.message} But a group membership change failed: ${item.stepError.message}`,
        retryable: item.stepError.retryable,
      });
      continue;
    }
    if (!groupsComplete(item)) {
      if (plan.action === 'groups' || plan.action === 'skip') {
        ctx.emit(stopped ? notSent(item, stopped) : { ...base, outcome: 'failed', code: 'not_sent', message: 'Group changes not sent.', retryable: true });
      } else {
        ctx.emit({ ...base, outcome: plan.outcome, code: 'groups_pending', message: `${plan.message} Group changes are pending for the next run.` });
      }
      continue;
    }
    if (plan.action === 'none') {
      item.appliedProperties = item.next?.properties ?? item.appliedProperties;
      item.appliedGroups = new Set(item.next?.groups ?? []);
      toPersist.push(item);
    } else if (plan.depart) {
      toPersist.push(item);
    } else if (item.next === null && plan.action === 'skip' && plan.code === 'not_found') {
      toForget.push(item);
    } else if (ctx.rememberNotFound && item.next !== null && plan.action === 'skip' && plan.code === 'not_found') {
      toRemember.push(item);
    }
    ctx.emit({ ...base, outcome: plan.outcome, code: plan.code, message: plan.message });
  }
  persist(ctx, toPersist);
  forget(ctx, toForget);
  rememberNotFound(ctx, toRemember);
}
