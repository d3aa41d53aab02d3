import type { RecordResult } from '../../records/outcome';
import { notSent, unrecordedResult } from '../finalize';
import { forget, persist } from '../persist';
import type { AudienceRunContext } from '../run-context';
import type { WorkItem } from '../work-item';
import type { MembershipPlan } from './plan-membership';
import type { MembershipProgress } from './send-memberships';

/**
 * Decides each audience record's result and its state. State changes only when every
 * membership change of the record succeeded, so anything refused, failed or unsent is
 * planned again by the next run (adds and removals are idempotent).
 */
export async function finalizeAudience(ctx: AudienceRunContext, items: readonly WorkItem[], progress: ReadonlyMap<number, MembershipProgress>): Promise<void> {
  const stopped = ctx.caller.stopped;
  const toPersist: WorkItem[] = [];
  const toForget: WorkItem[] = [];
  const results: RecordResult[] = [];
  const emit = (result: RecordResult) => results.push(result);
  for (const item of items) {
    if (item.result) {
      emit(item.result);
      continue;
    }
    const plan = item.plan as MembershipPlan | undefined;
    if (!plan) {
      emit(stopped ? notSent(item, stopped) : { id: item.recordId, row: item.row, outcome: 'failed', code: 'not_planned', message: 'Not planned (internal error).' });
      continue;
    }
    const base = { id: item.recordId, row: item.row, action: plan.action };
    if (ctx.dryRun) {
      emit({ ...base, outcome: plan.outcome, code: plan.code, message: `Would: ${plan.message}` });
      continue;
    }
    const p = progress.get(item.ref);
    const expected = [...plan.removeGroups.map((g) => `remove:${g}`), ...plan.addGroups.map((g) => `add:${g}`)];
    const complete = expected.every((k) => p?.done.has(k));
    if (p?.error) {
      emit({ ...base, outcome: 'failed', code: p.error.code, message: p.error.message, retryable: p.error.retryable });
      continue;
    }
    if (p?.deferred) {
      if (item.next !== null && plan.removeIdentity === item.next.properties) {
        // The run ended normally, so what happened is known: record it exactly (the refused
        // removals still held), so the next run retries only those.
        const groups = new Set(item.entry?.snapshot.groups ?? []);
        for (const g of plan.removeGroups) if (p.done.has(`remove:${g}`)) groups.delete(g);
        for (const g of plan.addGroups) if (p.done.has(`add:${g}`)) groups.add(g);
        item.appliedProperties = item.next.properties;
        item.appliedGroups = groups;
        item.settled = true;
        toPersist.push(item);
      }
      emit({ ...base, outcome: 'skipped', code: p.deferred.code, message: `${p.deferred.message} Pending: the next run tries again.`, retryable: true });
      continue;
    }
    if (!complete) {
      emit(stopped ? notSent(item, stopped) : { ...base, outcome: 'failed', code: 'not_sent', message: 'Not sent.', retryable: true });
      continue;
    }
    if (item.next === null) {
      if (plan.code === 'rekeyed') {
        // State moved to the holder (transferClaimed), or stays for the next run to decide.
      } else if (plan.depart) {
        item.settled = true;
        toPersist.push(item);
      } else {
        toForget.push(item);
      }
    } else {
      const kept = ctx.mode === 'sync' ? [] : (item.entry?.snapshot.groups ?? []).filter((g) => !plan.removeGroups.includes(g));
      item.appliedProperties = item.next.properties;
      item.appliedGroups = new Set([...item.next.groups, ...kept]);
      item.owned = true;
      item.settled = true;
      toPersist.push(item);
    }
    emit({ ...base, outcome: plan.outcome, code: plan.code, message: plan.message });
  }
  await persist(ctx, toPersist);
  await forget(ctx, toForget);
  items.forEach((item, i) => {
    const result = results[i] as RecordResult;
    const error = item.unrecorded;
    ctx.emit(error && result.outcome !== 'failed' ? unrecordedResult(item, error, { action: item.plan?.action }) : result);
  });
}
