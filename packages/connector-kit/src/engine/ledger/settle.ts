import type { SyncError } from '../../errors/sync-error';
import type { RecordResult } from '../../records/outcome';
import { snapshotHash } from '../../records/snapshot-hash';
import { complete, entryFor, notFoundEntry, pendingEntry } from './state-entries';
import type { StateEntry } from '../../state/state-store';
import { earlierIdentityEntry, earlierIdentityId } from './earlier-identity';
import type { LedgerRecord } from './ledger-record';

/** What the run knows when it settles a window. */
export interface SettleContext {
  readonly kind: 'records' | 'audience';
  readonly dryRun: boolean;
  /** Why the run stopped, if it did. */
  readonly stopped: SyncError | undefined;
  readonly destinationName: string;
  /** Remember records skipped as `not_found` (the recheck window is positive). */
  readonly rememberNotFound: boolean;
  /** Record destinations whose group changes are calls of their own, made after the record write is acknowledged (not values of the write). */
  readonly groupsFollowWrite?: boolean | undefined;
  /** Only the result is wanted (state was settled first): no state entry is made. */
  readonly resultOnly?: boolean | undefined;
}

/** Writes the entry `make` gives, unless only the result is wanted. */
function put(ctx: SettleContext, make: () => StateEntry): Settlement['state'] {
  return ctx.resultOnly ? undefined : { put: make() };
}

/** A record's final result and what state must then hold for it. */
export interface Settlement {
  readonly result: RecordResult;
  /** Write this entry; or forget the record; or leave state as it is (written on acknowledgement, or nothing to record). */
  readonly state?: { readonly put: StateEntry; readonly alsoPut?: readonly StateEntry[]; readonly alsoForget?: readonly string[] } | { readonly forget: true } | undefined;
}

/** The result for a record the run could not send because it stopped. */
export function notSent(record: { readonly recordId: string; readonly row?: number | undefined }, stopped: SyncError): RecordResult {
  return {
    id: record.recordId,
    row: record.row,
    outcome: 'skipped',
    code: 'not_sent',
    message: `Not sent: the run stopped (${stopped.code}). The next run will send it.`,
    retryable: true,
  };
}

function unsent(record: LedgerRecord, ctx: SettleContext, message = 'Not sent.'): RecordResult {
  if (ctx.stopped && record.marked) {
    // Marked as being sent: its call may have gone out, unanswered (in flight when the run stopped).
    return {
      ...notSent(record, ctx.stopped),
      message: `Not confirmed: the run stopped (${ctx.stopped.code}) before the destination confirmed it, so it may or may not have been written; state keeps it pending, and the next run ${ctx.kind === 'audience' ? 'sends it again (an audience has no lookup; adding or removing a member twice changes nothing)' : 'looks it up before sending again'}.`,
    };
  }
  if (ctx.stopped) return notSent(record, ctx.stopped);
  return { id: record.recordId, row: record.row, outcome: 'failed', code: 'not_sent', message, retryable: true, action: record.plan?.action };
}

/**
 * A record decided before sending, or whose write the destination refused: its result. A
 * write refused for good (a create, an update, a delete) wrote nothing, so its write-ahead
 * mark is taken back and state holds what it held before. Left in place, the mark read as
 * "maybe written" and the next run cleared every field the refused write would have set:
 * OneSignal tags set by the app were deleted after a first update was refused (fresh
 * reviewer 87, F1). A failure that may have been written (retryable: a timeout, a 5xx), or
 * that was partly applied (`SyncErrorOptions.partlyApplied`: fresh reviewer 92, F3), keeps
 * the mark, and the next run resends.
 */
function settledEarly(record: LedgerRecord, ctx: SettleContext): Settlement {
  const result = record.result as RecordResult;
  const refused = record.plan?.write === true && record.marked && !record.partlyApplied && !record.acked.has('write') && result.outcome === 'failed' && result.retryable !== true;
  if (ctx.dryRun || ctx.resultOnly) return { result };
  if (refused) return { result, state: record.entry ? { put: record.entry } : { forget: true } };
  // A record write that failed (it may have been applied: the mark stays) sent none of its group adds, which follow it:
  // the mark no longer counts them held, so an "already a member" answer to a later add is not taken for the sync's
  // own (fresh reviewer 92, F1: a person's campaign membership, removed when the row left the campaign).
  const unsentAdds = ctx.groupsFollowWrite === true && record.plan?.write === true && record.marked && !record.acked.has('write') && result.outcome === 'failed' && (record.plan?.addGroups.length ?? 0) > 0;
  return unsentAdds ? { result, state: { put: pendingEntry(record, 'records', { withAdds: false }) } } : { result };
}

/**
 * Audiences: a deferral, recorded exactly. When the identity did not change, the refused
 * removals are still held. When it changed and only the earlier identity's removals were
 * refused (the new one's joins all acknowledged), the record moves on to its new identity
 * and the earlier one is kept as an entry of its own, removed by a later run (see
 * `earlier-identity.ts`). Otherwise state keeps the write-ahead mark: the next run sends
 * what is outstanding.
 */
function settleDeferred(record: LedgerRecord, ctx: SettleContext, base: Partial<RecordResult>, error: SyncError): Settlement {
  const plan = record.plan;
  const next = record.next;
  const result: RecordResult = { ...base, id: record.recordId, row: record.row, outcome: 'skipped', code: error.code, message: `${error.message} Pending: the next run tries again.`, retryable: true };
  if (next !== null && plan?.removeIdentity === next.properties) return { result, state: put(ctx, () => entryFor(record, { exact: true, identityApplied: true })) };
  const earlier = plan?.removeIdentity;
  const joined = plan?.addGroups.every((g) => record.acked.has(`add:${g}`)) === true;
  const refused = plan?.removeGroups.filter((g) => !record.acked.has(`remove:${g}`)) ?? [];
  if (next === null || earlier === undefined || !joined || refused.length === 0 || ctx.resultOnly) return { result };
  const joins = plan?.addGroups ?? [];
  return {
    result,
    // The earlier identity also keeps the audiences it stays in because a sharer is there (`keepIdentityIn`).
    state: { put: entryFor(record, { exact: true, identityApplied: true, settledGroups: joins }), alsoPut: [earlierIdentityEntry(record, earlier, [...refused, ...(plan?.keepIdentityIn ?? [])])] },
  };
}

/** Audiences: true when the record's identifiers (its properties) differ from the ones its state entry holds. */
function identityChanged(record: LedgerRecord): boolean {
  const held = record.entry?.snapshot.properties;
  return held !== undefined && record.next !== null && snapshotHash({ properties: held, groups: [] }) !== snapshotHash({ properties: record.next.properties, groups: [] });
}

/** A record whose every planned operation was acknowledged (or that needed none). */
function settleComplete(record: LedgerRecord, ctx: SettleContext, result: RecordResult): Settlement {
  const plan = record.plan as NonNullable<LedgerRecord['plan']>;
  // State moves to the holder (see the ledger's transfer); a record released to a new row's own record is forgotten.
  if (plan.code === 'rekeyed') return record.released ? { result, state: { forget: true } } : { result };
  if (ctx.kind === 'audience') {
    // Every person the sync tracks in an audience counts as its own (the deletion guard's base).
    const next = record.next;
    if (next !== null) {
      // A new identity holds only the audiences it is in now: memberships kept under the old identifiers (additive never removes them) are no longer tracked.
      const changed = identityChanged(record);
      const state = put(ctx, () => ({ ...entryFor(record, { identityApplied: true, settledGroups: changed ? next.groups : undefined }), owned: true }));
      // The old identifiers' own entry, marked before sending (see `identityChangeMark`), is done with: their removals were acknowledged.
      // The old identifiers, kept where a record sharing them is (`keepIdentityIn`), as an entry of their own.
      const kept = changed && plan.keepIdentityIn && plan.removeIdentity ? [earlierIdentityEntry(record, plan.removeIdentity, plan.keepIdentityIn)] : [];
      const earlier = changed && record.marked && plan.removeGroups.length > 0 && plan.removeIdentity && kept.length === 0 ? [earlierIdentityId(record.recordId, plan.removeIdentity)] : [];
      if (!state || !('put' in state)) return { result, state };
      return { result, state: { ...state, ...(earlier.length > 0 ? { alsoForget: earlier } : {}), ...(kept.length > 0 ? { alsoPut: kept } : {}) } };
    }
    return { result, state: plan.depart ? put(ctx, () => entryFor(record)) : { forget: true } };
  }
  if (plan.action === 'none') return { result, state: put(ctx, () => entryFor(record, { settledGroups: record.next?.groups })) };
  if (plan.depart) return { result, state: put(ctx, () => entryFor(record)) };
  // Left the source while the destination refuses to change its record (a converted Lead, a record whose key was changed there): kept there, forgotten here.
  if (plan.action === 'skip' && record.next === null && record.found?.blocked !== undefined) return { result, state: { forget: true } };
  if (plan.action === 'skip' && plan.code === 'not_found') {
    if (record.next === null) return { result, state: { forget: true } };
    if (ctx.rememberNotFound) return { result, state: put(ctx, () => notFoundEntry(record)) };
    // A record this sync wrote that a mode which cannot create it again finds gone (archived, deleted): its entry is kept —
    // the groups this sync added and its ownership, should it come back (fresh reviewer 100, F1: a not-found entry forgot
    // them, and the tags it had added were never removed) — without its hash, so the next run looks it up again rather
    // than calling its unchanged row unchanged (fresh reviewer 96, F2).
    const entry = record.entry;
    if (entry !== undefined && !entry.notFound) return { result, state: put(ctx, () => ({ ...entry, hash: '' })) };
    return { result };
  }
  return { result };
}

/**
 * Decides one record's final result from its plan and what was acknowledged, and what
 * state must hold for it — for record and audience destinations alike:
 *
 * - decided before sending → that result;
 * - dry run → what the run would do ("Would: …");
 * - the record write not acknowledged → `not_sent` (the run stopped) or failed; never sent at
 *   all (record destinations) → its write-ahead mark taken back;
 * - a deferral (audiences) → skipped with its code, state recorded exactly;
 * - a group change failed → failed with its code (the record write stands in state; additions never sent are
 *   not counted held, see `unsentAdds`);
 * - group changes outstanding → `groups_pending` after a record write, else `not_sent`;
 * - everything acknowledged → the plan's outcome.
 */
export function settle(record: LedgerRecord, ctx: SettleContext): Settlement {
  if (record.result) return settledEarly(record, ctx);
  const plan = record.plan;
  if (!plan) {
    return { result: ctx.stopped ? notSent(record, ctx.stopped) : { id: record.recordId, row: record.row, outcome: 'failed', code: 'not_planned', message: 'Not planned (internal error).' } };
  }
  if (!ctx.dryRun && (!plan.write || record.acked.has('write')) && !record.deferred && !record.groupError && complete(record) && !(record.existing && plan.action === 'create')) {
    // The common case, first and without intermediate objects: everything acknowledged.
    return settleComplete(record, ctx, planned(record, ctx, plan));
  }
  const base = { id: record.recordId, row: record.row, action: plan.action, ...(ctx.kind === 'records' ? { destinationId: record.destinationId } : {}) };
  if (ctx.dryRun) {
    const unchecked =
      record.found?.presumed && plan.action !== 'skip' && plan.action !== 'none'
        ? ` (not checked: ${ctx.destinationName} confirms the record exists only when it is written)`
        : '';
    return { result: { ...base, outcome: plan.outcome, code: plan.code, message: `Would: ${plan.message}${unchecked}` } };
  }
  if (plan.write && !record.acked.has('write')) {
    // Marked, but the run stopped before any call carried it: the mark is taken back, so state holds what it held before —
    // a create never sent owns nothing (a fresh trial on #17: 1,314 creates never sent were kept as owned, and the next run
    // deleted a Contact someone else had made with one's Email after that row left the source).
    if (ctx.kind === 'records' && ctx.stopped && record.marked && !record.dispatched) return { result: notSent(record, ctx.stopped), state: ctx.resultOnly ? undefined : record.entry ? { put: record.entry } : { forget: true } };
    return { result: unsent(record, ctx) };
  }
  if (record.deferred) return settleDeferred(record, ctx, base, record.deferred);
  if (record.groupError) {
    const e = record.groupError;
    const message = ctx.kind === 'records' ? `${plan.message} But a group membership change failed: ${e.message}` : e.message;
    const result: RecordResult = { ...base, outcome: 'failed', code: e.code, message, retryable: e.retryable };
    // Additions never sent (their group could not be found or created) leave the groups the acknowledgements counted held;
    // when nothing else is outstanding, what the destination holds is known exactly (the next run sends only those additions).
    if (ctx.kind === 'records' && record.unsentAdds.size > 0) return { result, state: put(ctx, () => entryFor(record, { exact: onlyUnsentLeft(record) })) };
    return { result };
  }
  if (!complete(record)) {
    if (!plan.write) return { result: unsent(record, ctx, 'Group changes not sent.') };
    return { result: { ...base, outcome: plan.outcome, code: 'groups_pending', message: `${plan.message} Group changes are pending for the next run.` } };
  }
  const existing = record.existing && plan.action === 'create';
  const result: RecordResult = existing ? { ...base, outcome: 'updated', message: metOnCreate(record, ctx.destinationName) } : planned(record, ctx, plan);
  return settleComplete(record, ctx, result);
}

/** The result of a create answered with an existing record: this sync's own (its state names it), or another. */
function metOnCreate(record: LedgerRecord, destinationName: string): string {
  if (record.entry?.destinationId !== undefined && record.entry.destinationId !== null && record.entry.destinationId === record.destinationId) {
    return `Not found by its lookup, but the create was answered with the ${destinationName} record this sync wrote before (${record.destinationId}): restored if it was archived, and updated.`;
  }
  return `Already in ${destinationName} (it answered the create with the existing record); updated that record instead.`;
}

/**
 * True when the record's only operations not acknowledged are additions never sent (`unsentAdds`): its write and every other
 * group change went through, so its state entry can say exactly what the destination holds. Marked pending instead, the
 * record had every property sent again on each rerun while its group name stayed bad.
 */
function onlyUnsentLeft(record: LedgerRecord): boolean {
  const plan = record.plan;
  if (!plan || (plan.write && !record.acked.has('write'))) return false;
  return plan.removeGroups.every((g) => record.acked.has(`remove:${g}`)) && plan.addGroups.every((g) => record.acked.has(`add:${g}`) || record.unsentAdds.has(g));
}

/**
 * Why the record is still in groups it left (see `LedgerRecord.keptElsewhere`), or undefined: other syncs sharing the state
 * have those memberships from their source, so this sync did not remove them and no longer tracks them.
 */
function keptElsewhereMessage(record: LedgerRecord, ctx: SettleContext): string | undefined {
  const kept = record.keptElsewhere;
  if (!kept || kept.length === 0) return undefined;
  return kept
    .map(({ group, syncs }) => {
      const named = syncs.slice(0, 3).map((s) => `"${s}"`).join(', ') + (syncs.length > 3 ? ` and ${syncs.length - 3} more` : '');
      return `Kept in group "${group}" in ${ctx.destinationName} because ${syncs.length === 1 ? 'sync' : 'syncs'} ${named} sharing this state ${syncs.length === 1 ? 'has' : 'have'} it there from ${syncs.length === 1 ? 'its' : 'their'} source (not removed; no longer tracked by this sync).`;
    })
    .join(' ');
}

/**
 * The result of a record whose plan went through: the plan's outcome (every field written out, the same keys in the same
 * order as `base` and the plan's outcome, code and message). A removal from a group that no longer exists went through with
 * nothing sent: the result carries that error's code and says why.
 */
function planned(record: LedgerRecord, ctx: SettleContext, plan: NonNullable<LedgerRecord['plan']>): RecordResult {
  const gone = record.groupGone;
  const code = gone ? gone.code : plan.code;
  const message = [plan.message, gone?.message, keptElsewhereMessage(record, ctx)].filter((m) => m !== undefined).join(' ');
  // Found nowhere in the destination: no destination id, not even the one state had for it (deleted or archived there since;
  // fresh reviewer 100, F7: the result named a record that no longer exists).
  const destinationId = plan.code === 'not_found' && record.found === undefined ? undefined : record.destinationId;
  return ctx.kind === 'records'
    ? { id: record.recordId, row: record.row, action: plan.action, destinationId, outcome: plan.outcome, code, message }
    : { id: record.recordId, row: record.row, action: plan.action, outcome: plan.outcome, code, message };
}
