import type { FoundRecord, LookupRequest } from '../../destination/verbs';
import { chunk } from '../calls/chunk';
import type { ResultFields } from '../ledger/events';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordLedger } from '../ledger/record-ledger';
import type { RecordRunContext } from '../run/run-context';
import { findSplitting } from './find-batch';
import { decideMatch } from './match-decision';
import { resolveRekeys, type RekeyCandidates } from './rekey-candidates';

/** What a lookup's caller does with a record found: one destination record. */
export type OnMatch = (record: RecordView, match: FoundRecord) => void;
/** What a lookup's caller does with a record whose key several destination records hold (their ids). */
export type OnAmbiguous = (record: RecordView, ids: readonly string[]) => void;

/**
 * A record that left the source which a new row written in this run may release
 * (`ValueCarriers.releasableTo`): its failed lookup is left to `claimRecords`, since a release
 * needs none (CI of stop 51, verify quick seed 110057374: failed, it stayed tracked; a run
 * later that row was no longer new, and the departure went ahead — deleted, had this sync
 * created it).
 */
function releasable(ctx: RecordRunContext, record: RecordView | undefined): boolean {
  return record !== undefined && record.next === null && ctx.carriers.releasableTo(record.recordId) !== undefined;
}

/**
 * Looks `requests` up in batches (a batch refused as a whole split until the bad record's
 * lookup fails alone: `findSplitting`); the kit decides each key's match (`decideMatch`). A failed
 * lookup fails its records (a departure a new row may release waits for the claim:
 * {@link releasable}). Records that found only records holding another key are
 * resolved against state and source once the batches are in (`resolveRekeys`).
 */
export async function findAll(ctx: RecordRunContext, ledger: RecordLedger, requests: LookupRequest[], onFound: OnMatch, onAmbiguous: OnAmbiguous): Promise<void> {
  const rekeys: RekeyCandidates[] = [];
  await Promise.all(
    chunk(requests, ctx.limits.lookupBatchSize).map(async (batch) => {
      const outcome = await findSplitting(ctx, batch);
      if (outcome === undefined) return; // the caller stopped the run; records stay unsent
      for (const request of batch) {
        const record = ledger.get(request.ref);
        if (!record || record.result) continue;
        const error = outcome.failed.get(request.ref);
        if (error !== undefined) {
          const result: ResultFields = { outcome: 'failed', code: error.code, message: `Lookup failed: ${error.message}`, retryable: error.retryable };
          ledger.report([releasable(ctx, record) ? { type: 'lookup_failed', ref: request.ref, result } : { type: 'settled', ref: request.ref, result }]);
          continue;
        }
        const decision = decideMatch(outcome.found.get(request.ref), request.knownId);
        if (decision.kind === 'one') onFound(record, decision.record);
        else if (decision.kind === 'ambiguous') onAmbiguous(record, decision.ids);
        else if (decision.kind === 'rekey') rekeys.push({ record, candidates: decision.candidates });
      }
    }),
  );
  if (rekeys.length === 0) return;
  const decided = new Set<number>();
  for (const event of await resolveRekeys(ctx, rekeys)) {
    decided.add(event.ref);
    const record = ledger.get(event.ref);
    if (record && event.type === 'found') onFound(record, event.match);
    else ledger.report([event]);
  }
  ledger.report(rekeys.filter((c) => !decided.has(c.record.ref)).map((c) => ({ type: 'passed_over', ref: c.record.ref, others: c.candidates })));
}

/**
 * True when `match` is, usable, the record this sync's state names for `record`. A departure
 * whose key change was never confirmed (see `departureRecord`) takes only that record by its
 * previous key: that key may be someone else's now (a copy; verify, quick, seed 3333: the
 * copy's groups were changed instead of its own), or its record may hold the new key already
 * (read by its id, blocked); else it is looked up by its new key, as any departure.
 */
export function isOwnRecord(record: RecordView, match: FoundRecord): boolean {
  return !match.blocked && !match.archived && !match.presumed && match.id === record.entry?.destinationId;
}

