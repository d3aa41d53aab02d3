import type { AnyDestination } from '../destination/any-destination';
import { groupPhase, guardPhase, scanPhase, sendPhase } from './run/run-phases';
import { holdWaiting } from './run/hold-waiting';
import { RunSession } from './run/run-session';
import { setupRun } from './run/run-setup';
import type { RunSyncOptions, SyncRunSummary } from './run-types';

export { parseConfig } from './run/run-setup';

/**
 * Runs one sync: reads the source, compares it with the sync's state, plans every record
 * under the mode, sends the changes in batches and reports one result per input row plus
 * one per record that left the source.
 *
 * Order of work: decide the mode and config (throws before anything is read) → hold the
 * sync (one run at a time: a second is refused with `sync_running`, or waits
 * `waitForOtherRunMs`) → scan the source
 * (duplicates, changes, departures) → the deletion guard (refuses before any call) → check
 * the groups it manages → per window of changed records: look up, claim, plan,
 * mark, send, settle → the records that left the source.
 *
 * @throws {@link ConfigError} for a bad config, an unsupported mode, an unmapped match key,
 *   groups the destination cannot hold, or an ambiguous group name; {@link StateStoreError}
 *   (`state_unwritable`, `state_unreadable`) when state cannot be read before any record is
 *   sent (the scan, the deletion guard). Everything else (refusals, stops, per-record
 *   failures) is reported in the summary: a state read that fails once records are being sent
 *   stops the run (`state_unwritable`, retryable), as a failed state write does.
 */
export async function runSync<D extends AnyDestination>(options: RunSyncOptions<D>): Promise<SyncRunSummary> {
  const session = new RunSession(setupRun(options as RunSyncOptions));
  try {
    const { logger } = session.setup;
    const busy = await holdWaiting(() => session.hold(), options.waitForOtherRunMs ?? 0, logger, options.signal);
    if (busy) return await session.refuse(busy);
    let { scan, index } = await scanPhase(session);
    // Refused before any call reaches the destination; a dry run plans past the guard, and says the real run would be refused.
    const refusal = await guardPhase(session, scan, index);
    if (refusal && !session.setup.dryRun) return await session.refuse(refusal);
    if (await groupPhase(session, scan, index)) ({ scan, index } = await scanPhase(session));
    await sendPhase(session, scan, index);
    await session.nameLostLease();
    await session.keepIndex();
    return session.summary(refusal);
  } finally {
    await session.close();
  }
}
