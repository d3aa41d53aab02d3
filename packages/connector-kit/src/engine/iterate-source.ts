import type { SyncError } from '../errors/sync-error';
import type { RecordResult } from '../records/outcome';
import { snapshotHash } from '../records/snapshot-hash';
import type { RecordSnapshot, RecordSource, SourceRecord } from '../records/types';
import type { StateIndexEntry } from '../state/state-store';
import { notSent } from './finalize';
import { notFoundStillFresh } from './not-found-memory';
import type { BaseRunContext } from './run-context';
import type { SourceScan } from './scan-source';
import { newWorkItem, type WorkItem } from './work-item';

/** How the second pass recognises records for one destination. */
export interface RecordKeys {
  readonly keyOf: (snapshot: RecordSnapshot) => string | undefined;
  /** Match key name for messages (e.g. "Email"). */
  readonly keyLabel: string;
  readonly destinationName: string;
  /** A specific error for a record without a usable key (default `missing_match_key`). */
  readonly explainMissingKey?: ((snapshot: RecordSnapshot) => SyncError) | undefined;
  /** How long a record remembered as not found is skipped without a lookup, ms (0: never). */
  readonly recheckNotFoundAfterMs: number;
  /** The run's start, epoch ms. */
  readonly now: number;
}

/** Processes one window of records that need looking at (lookup, plan, send, finalize). */
export type WindowProcessor = (items: WorkItem[]) => Promise<void>;

function failure(record: { id: string; row?: number | undefined }, code: string, message: string): RecordResult {
  return { id: record.id, row: record.row, outcome: 'failed', code, message, retryable: false, action: 'fail' };
}

/**
 * Second pass over the source: emits the results that need no destination call (unusable
 * rows, duplicate ids and keys, missing keys, unchanged records, records a stopped run
 * cannot send) and hands the rest to `process` in windows of `windowSize`.
 */
export async function iterateSource(
  ctx: BaseRunContext,
  source: RecordSource,
  scan: SourceScan,
  index: ReadonlyMap<string, StateIndexEntry>,
  keys: RecordKeys,
  windowSize: number,
  process: WindowProcessor,
): Promise<void> {
  const { keyLabel, destinationName } = keys;
  let window: SourceRecord[] = [];
  let ref = 0;
  const flush = async () => {
    if (window.length === 0) return;
    const batch = window;
    window = [];
    const entries = await ctx.state.get(ctx.syncId, batch.map((r) => r.id));
    await process(
      batch.map((r) => {
        const entry = entries.get(r.id);
        // A record remembered as not found has nothing in the destination: plan it as new.
        return newWorkItem(ref++, r.id, r.row, r.snapshot, entry?.notFound ? undefined : entry);
      }),
    );
  };

  let position = -1;
  for await (const item of source.open()) {
    position++;
    if (item.kind === 'error') {
      ctx.emit({
        id: item.id ?? `row:${item.row}`,
        row: item.row,
        outcome: 'failed',
        code: item.error.code,
        message: item.error.message,
        retryable: false,
        action: 'fail',
      });
      continue;
    }
    if (scan.duplicateIds.has(item.id)) {
      ctx.emit(failure(item, 'duplicate_record_id', `Id "${item.id}" appears on more than one row; make ids unique. No row with this id was sent.`));
      continue;
    }
    const key = keys.keyOf(item.snapshot);
    if (key === undefined) {
      const explained = keys.explainMissingKey?.(item.snapshot);
      ctx.emit(
        explained
          ? failure(item, explained.code, explained.message)
          : failure(item, 'missing_match_key', `No ${keyLabel}: records are matched in ${destinationName} by ${keyLabel}; fill it in.`),
      );
      continue;
    }
    const shared = scan.duplicateKeys.get(key);
    if (shared !== undefined) {
      const other = shared.ids[0] === item.id ? shared.ids[1] : shared.ids[0];
      const more = shared.count > 2 ? ` and ${shared.count - 2} other record(s)` : '';
      ctx.emit(
        failure(item, 'duplicate_match_key', `Same ${keyLabel} as record "${other}"${more}; each ${keyLabel} must belong to one record. None of them was sent.`),
      );
      continue;
    }
    if (scan.unchanged.isUnchanged(position, item.id)) {
      // The first pass compared this record with state already: no second hash.
      ctx.emit({ id: item.id, row: item.row, outcome: 'unchanged', action: 'none' });
      continue;
    }
    const entry = index.get(item.id);
    const hash = snapshotHash(item.snapshot);
    if (notFoundStillFresh(entry, hash, keys.recheckNotFoundAfterMs, keys.now)) {
      const since = new Date(entry?.updatedAt ?? keys.now).toISOString();
      ctx.emit({
        id: item.id,
        row: item.row,
        outcome: 'skipped',
        code: 'not_found',
        action: 'skip',
        message: `No ${keyLabel} match in ${destinationName} when last looked up (${since}); looked up again when the record changes or after the recheck window.`,
      });
      continue;
    }
    if (entry && !entry.departed && !entry.notFound && entry.hash === hash) {
      ctx.emit({ id: item.id, row: item.row, outcome: 'unchanged', action: 'none' });
      continue;
    }
    if (ctx.caller.stopped) {
      ctx.emit(notSent({ recordId: item.id, row: item.row }, ctx.caller.stopped));
      continue;
    }
    window.push(item);
    if (window.length >= windowSize) await flush();
  }
  await flush();
}

/**
 * The records that left the source, from state, in windows. When some rows could not be
 * identified, nothing is deleted or removed: those rows might be these records.
 */
export async function iterateDeparting(
  ctx: BaseRunContext,
  departing: readonly string[],
  unidentifiedErrors: number,
  windowSize: number,
  process: WindowProcessor,
): Promise<void> {
  for (let i = 0; i < departing.length; i += windowSize) {
    const ids = departing.slice(i, i + windowSize);
    const entries = await ctx.state.get(ctx.syncId, ids);
    const items: WorkItem[] = [];
    ids.forEach((id, j) => {
      const entry = entries.get(id);
      if (entry) items.push(newWorkItem(1_000_000_000 + i + j, id, undefined, null, entry));
    });
    if (unidentifiedErrors > 0) {
      for (const item of items) {
        item.result = {
          id: item.recordId,
          outcome: 'skipped',
          code: 'source_incomplete',
          message: `Missing from the source, but ${unidentifiedErrors} row(s) could not be read; nothing is deleted or removed until the source reads cleanly.`,
        };
      }
    }
    await process(items);
  }
}
