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

/** The result for a record whose acknowledged change state could not record. */
export function unrecordedResult(item: WorkItem, error: SyncError, base: Partial<RecordResult>): RecordResult {
  return {
    ...base,
    id: item.recordId,
    row: item.row,
    outcome: 'failed',
    code: error.code,
    message: `Sent and acknowledged, but the sync's state could not record it (${error.message}). The next run looks it up again instead of sending it blind.`,
    retryable: true,
  };
}

/** What finalizing one item decided: its result, and what state must remember of it. */
interface Decision {
  readonly result: RecordResult;
  readonly state?: 'persist' | 'forget' | 'remember_not_found' | undefined;
}

function decide(ctx: RunContext, item: WorkItem): Decision {
  const stopped = ctx.caller.stopped;
  if (item.result) {
    // A create that failed for good leaves no write-ahead intent behind (it created nothing).
    const created = item.plan?.action === 'create' && !item.entry && item.result.outcome === 'failed' && item.result.retryable !== true;
    return { result: item.result, state: created && !ctx.dryRun ? 'forget' : undefined };
  }
  const plan = item.plan;
  if (!plan) {
    return { result: stopped ? notSent(item, stopped) : { id: item.recordId, row: item.row, outcome: 'failed', code: 'not_planned', message: 'Not planned (internal error).' } };
  }
  const base = { id: item.recordId, row: item.row, destinationId: item.destinationId, action: plan.action };
  if (ctx.dryRun) {
    const unchecked =
      item.found?.presumed && plan.action !== 'skip' && plan.action !== 'none'
        ? ` (not checked: ${ctx.classify.destinationName} confirms the record exists only when it is written)`
        : '';
    return { result: { ...base, outcome: plan.outcome, code: plan.code, message: `Would: ${plan.message}${unchecked}` } };
  }
  const needsWrite = plan.action === 'create' || plan.action === 'update' || plan.action === 'delete';
  if (needsWrite && !item.written) {
    return { result: stopped ? notSent(item, stopped) : { ...base, outcome: 'failed', code: 'not_sent', message: 'Not sent.', retryable: true } };
  }
  if (item.stepError) {
    const e = item.stepError;
    return { result: { ...base, outcome: 'failed', code: e.code, message: `${plan.message} But a group membership change failed: ${e.message}`, retryable: e.retryable } };
  }
  if (!groupChangesDone(item)) {
    if (plan.action === 'groups' || plan.action === 'skip') {
      return { result: stopped ? notSent(item, stopped) : { ...base, outcome: 'failed', code: 'not_sent', message: 'Group changes not sent.', retryable: true } };
    }
    return { result: { ...base, outcome: plan.outcome, code: 'groups_pending', message: `${plan.message} Group changes are pending for the next run.` } };
  }
  const result: RecordResult = { ...base, outcome: plan.outcome, code: plan.code, message: plan.message };
  if (plan.action === 'none') {
    item.appliedProperties = item.next?.properties ?? item.appliedProperties;
    item.appliedGroups = new Set(item.next?.groups ?? []);
    return { result, state: 'persist' };
  }
  if (plan.depart) return { result, state: 'persist' };
  if (plan.action === 'skip' && plan.code === 'not_found') {
    if (item.next === null) return { result, state: 'forget' };
    if (ctx.rememberNotFound) return { result, state: 'remember_not_found' };
  }
  return { result };
}

/**
 * Decides each item's final result from its plan and what was acknowledged, writes the
 * state that remains (unchanged records, records kept after leaving the source, records
 * gone from the destination, records not found, create intents of creates that failed for
 * good) and emits the results. A record whose acknowledged change state could not record
 * is reported failed with the state's error code, so the report says what was sent but not
 * recorded.
 */
export async function finalize(ctx: RunContext, items: readonly WorkItem[]): Promise<void> {
  const decisions = items.map((item) => decide(ctx, item));
  const pick = (kind: Decision['state']) => items.filter((_, i) => decisions[i]?.state === kind);
  await persist(ctx, pick('persist'));
  await forget(ctx, pick('forget'));
  await rememberNotFound(ctx, pick('remember_not_found'));
  items.forEach((item, i) => {
    const decision = decisions[i] as Decision;
    const error = item.unrecorded;
    const wrote = item.written || (item.plan?.action === 'groups' && item.groupOps.size > 0);
    ctx.emit(error && wrote && decision.result.outcome !== 'failed' ? unrecordedResult(item, error, { action: item.plan?.action, destinationId: item.destinationId }) : decision.result);
  });
}
