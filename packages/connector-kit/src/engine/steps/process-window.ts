import { toSyncError } from '../../errors/to-sync-error';
import type { LedgerRecord } from '../ledger/ledger-record';
import { RecordLedger } from '../ledger/record-ledger';
import type { RunContext } from '../run/run-context';
import { claimAudienceRecords, claimRecords } from './claim';
import { findSharedIdentities } from './shared-identity';
import { refuseEarlierLeavers } from './earlier-leavers';
import { refuseConflictingIds } from './conflicting-ids';
import { refuseForeignIdentities } from './foreign-identities';
import { refuseKeysOfOthers } from './key-of-another';
import { findOtherSyncs } from './other-syncs';
import { findOtherSyncMembers } from './other-sync-members';
import { lookupRecords } from './lookup';
import { planAudienceRecords, planRecords } from './plan';
import { sendGroups } from './send-groups';
import { sendMemberships } from './send-memberships';
import { sendWrites } from './send-writes';

/** A new ledger for a window of the run. */
function ledgerFor(ctx: RunContext, records: readonly LedgerRecord[]): RecordLedger {
  return new RecordLedger(records, {
    kind: ctx.kind,
    dryRun: ctx.dryRun,
    stopped: undefined,
    destinationName: ctx.destinationName,
    rememberNotFound: ctx.kind === 'records' && ctx.rememberNotFound,
    groupsFollowWrite: ctx.kind === 'records' && ctx.destination.groupMembership !== 'record' && ctx.destination.verbs.groups !== undefined,
    writer: ctx.writer,
    // Read at settling (re-keys, identities held): a store that cannot be read stops the run and changes nothing.
    readEntries: async (ids) => (await ctx.writer.read(() => ctx.state.get(ctx.syncId, ids))) ?? new Map(),
    linkIdentities: ctx.kind === 'audience' && ctx.destination.identityKeys !== undefined,
    emit: ctx.emit,
  });
}

/**
 * Sends what the window planned (after the write-ahead mark; a record destination's creates
 * are marked a call at a time, as each goes out: see `sendWrites`); an unexpected error fails
 * what was not acknowledged.
 */
async function send(ctx: RunContext, ledger: RecordLedger): Promise<void> {
  const writing = ledger.open().filter((r) => r.plan && (r.plan.write || r.plan.restore || r.plan.addGroups.length + r.plan.removeGroups.length > 0));
  if (!(await ledger.mark(ctx.kind === 'records' ? writing.filter((r) => r.plan?.action !== 'create') : writing))) return;
  try {
    if (ctx.kind === 'audience') {
      await sendMemberships(ctx, ledger);
    } else {
      await sendWrites(ctx, ledger);
      if (!ctx.caller.stopped) await sendGroups(ctx, ledger);
    }
  } catch (thrown) {
    // A state read that failed stops the run; what was not acknowledged is settled as a stopped run's (marked: it may have gone out).
    if (ctx.writer.readFailed(thrown)) return;
    const error = toSyncError(thrown);
    ctx.logger.error('unexpected error while sending', { code: error.code });
    const result = { outcome: 'failed' as const, code: error.code, message: error.message, retryable: error.retryable };
    ledger.report(ledger.open().filter((r) => !r.acked.has('write')).map((r) => ({ type: 'settled', ref: r.ref, result })));
  }
}

/**
 * One window of records, start to end: look up and claim (record destinations), plan under
 * the mode, mark and send, then settle — every result emitted and every state write made by
 * the window's {@link RecordLedger}.
 */
export async function processWindow(ctx: RunContext, records: readonly LedgerRecord[]): Promise<void> {
  const ledger = ledgerFor(ctx, records);
  try {
    if (!ctx.caller.stopped) await prepare(ctx, ledger);
  } catch (thrown) {
    // A state read that failed (the database gone) stops the run: the window is settled unsent.
    if (!ctx.writer.readFailed(thrown)) throw thrown;
  }
  if (!ctx.dryRun && !ctx.caller.stopped) await send(ctx, ledger);
  await ledger.settle(ctx.caller.stopped);
}

/** Everything before sending: look up and claim (record destinations), then plan under the mode. */
async function prepare(ctx: RunContext, ledger: RecordLedger): Promise<void> {
  if (ctx.kind === 'records') {
    await lookupRecords(ctx, ledger);
    if (!ctx.caller.stopped) await refuseForeignIdentities(ctx, ledger);
    if (!ctx.caller.stopped) await refuseKeysOfOthers(ctx, ledger);
    if (!ctx.caller.stopped) await refuseConflictingIds(ctx, ledger);
    if (!ctx.caller.stopped) await refuseEarlierLeavers(ctx, ledger);
    if (!ctx.caller.stopped) await claimRecords(ctx, ledger);
    if (!ctx.caller.stopped) await findOtherSyncs(ctx, ledger);
    if (!ctx.caller.stopped) planRecords(ctx, ledger);
  } else {
    await claimAudienceRecords(ctx, ledger);
    await findSharedIdentities(ctx, ledger);
    await findOtherSyncMembers(ctx, ledger);
    planAudienceRecords(ctx, ledger);
  }
}
