import type { SyncError } from '../../errors/sync-error';
import type { RecordResult } from '../../records/outcome';
import { snapshotHash } from '../../records/snapshot-hash';
import type { RecordSnapshot, RecordSource, SourceRecord } from '../../records/types';
import type { StateEntry, StateIndexEntry } from '../../state/state-store';
import { notSent } from '../ledger/settle';
import { ledgerRecord, type LedgerRecord } from '../ledger/ledger-record';
import type { RunContext } from '../run/run-context';
import { notFoundStillFresh } from './not-found-memory';
import { Seen } from './scan-memo';
import type { SourceScan } from './scan-source';

/** How the second pass recognises records for one destination. */
export interface RecordKeys {
  readonly keyOf: (snapshot: RecordSnapshot) => string | undefined;
  /** A specific error for a record without a usable key (default `missing_match_key`). */
  readonly explainMissingKey?: ((snapshot: RecordSnapshot) => SyncError | undefined) | undefined;
  /** How long a record remembered as not found is skipped without a lookup, ms (0: never). */
  readonly recheckNotFoundAfterMs: number;
  /** Unchanged records are looked up too (`RunSyncOptions.recheck`). */
  readonly recheck?: boolean | undefined;
  /** The run's start, epoch ms. */
  readonly now: number;
}

/** Processes one window of records (lookup, plan, send, settle). */
export type WindowProcessor = (records: LedgerRecord[]) => Promise<void>;

function failure(record: { id: string; row?: number | undefined }, code: string, message: string): RecordResult {
  return { id: record.id, row: record.row, outcome: 'failed', code, message, retryable: false, action: 'fail' };
}

/** The result of a record the second pass can decide without the destination, if any. */
function decideWithoutCall(ctx: RunContext, scan: SourceScan, keys: RecordKeys, item: SourceRecord, key: string | undefined): RecordResult | undefined {
  if (scan.duplicateIds.has(item.id)) return failure(item, 'duplicate_record_id', `Id "${item.id}" appears on more than one row; make ids unique. No row with this id was sent.`);
  if (key === undefined) {
    const explained = keys.explainMissingKey?.(item.snapshot);
    if (explained) return failure(item, explained.code, explained.message);
    return failure(item, 'missing_match_key', `No ${ctx.matchKeyLabel}: records are matched in ${ctx.destinationName} by ${ctx.matchKeyLabel}; fill it in.`);
  }
  const shared = scan.duplicateKeys.get(key);
  if (shared === undefined) return undefined;
  const other = shared.ids[0] === item.id ? shared.ids[1] : shared.ids[0];
  const more = shared.count > 2 ? ` and ${shared.count - 2} other record(s)` : '';
  const named = ctx.matchKeyName?.(key) ?? ctx.matchKeyLabel;
  return failure(item, 'duplicate_match_key', `Same ${named} as record "${other}"${more}; each ${ctx.matchKeyLabel} must belong to one record. None of them was sent.`);
}

function notFoundSkip(ctx: RunContext, item: SourceRecord, entry: StateIndexEntry | undefined, now: number): RecordResult {
  const since = new Date(entry?.updatedAt ?? now).toISOString();
  return {
    id: item.id,
    row: item.row,
    outcome: 'skipped',
    code: 'not_found',
    action: 'skip',
    message: `No ${ctx.matchKeyLabel} match in ${ctx.destinationName} when last looked up (${since}); looked up again when the record changes or after the recheck window.`,
  };
}

/**
 * A new id whose row fails before any call (no match key, another row's key or id, an invalid
 * id) may be a record leaving the source under a new id (eighth trial of stop 28: her email
 * left blank on her renumbered row, she was deleted; ninth: her renumbered row given a
 * colleague's email, `duplicate_match_key`): the records that left whose values it carries are
 * kept (`ValueCarriers.remember`).
 */
async function keepLookAlikes(ctx: RunContext, item: SourceRecord, keys: RecordKeys): Promise<void> {
  if (ctx.kind !== 'records' || !ctx.carriers.any) return;
  for (const departed of await ctx.carriers.resembledBy(item.snapshot, keys.keyOf)) ctx.carriers.remember(departed, item.id);
}

/** A new id, or one remembered as not found (never written: new to the destination too). */
function neverWritten(index: ReadonlyMap<string, StateIndexEntry>, id: string): boolean {
  const entry = index.get(id);
  return entry === undefined || entry.notFound === true;
}

/** True when the first pass read the whole source and every item was a usable, unique, unchanged record. */
function nothingChanged(scan: SourceScan): boolean {
  return scan.complete && scan.changed === 0 && scan.records === scan.items && scan.duplicateIds.size === 0 && scan.sharedKeyIds.size === 0 && scan.memo.allUnchanged(scan.items);
}

/** When the first pass read every row and found each unchanged: emits their results without reading the source again (true), else nothing (false). */
function replayedUnchanged(ctx: RunContext, scan: SourceScan): boolean {
  if (!nothingChanged(scan)) return false;
  for (const { id, row } of scan.memo.replayUnchanged(scan.items)) ctx.emit({ id, row, outcome: 'unchanged', action: 'none' });
  return true;
}

/**
 * Second pass over the source (none when the first found nothing changed): emits the results that need no destination call (unusable
 * rows, duplicate ids and keys, missing keys, unchanged records, records remembered as not
 * found, records a stopped run cannot send) and hands the rest to `process` in windows of
 * `windowSize`, with their match keys as the first pass computed them. A window's records
 * are made as the source yields them (the source item itself is not kept); those with state
 * get their entry when the window is full.
 */
export async function readWindows(ctx: RunContext, source: RecordSource, scan: SourceScan, index: ReadonlyMap<string, StateIndexEntry>, keys: RecordKeys, windowSize: number, process: WindowProcessor): Promise<void> {
  if (replayedUnchanged(ctx, scan)) return;
  let window: LedgerRecord[] = [];
  let ref = 0;
  const flush = async () => {
    if (window.length === 0) return;
    const records = window;
    window = [];
    // A store that cannot be read stops the run: the window is then settled unsent.
    const entries = (await ctx.writer.read(() => ctx.state.get(ctx.syncId, records.map((r) => r.recordId)))) ?? new Map<string, StateEntry>();
    for (let i = 0; entries.size > 0 && i < records.length; i++) {
      const r = records[i] as LedgerRecord;
      const stored = entries.get(r.recordId);
      if (stored) records[i] = windowRecord(ctx, r.ref, r.recordId, r.row, r.next as RecordSnapshot, r.matchKey as string, stored);
    }
    await process(records);
  };
  let position = -1;
  for await (const item of source.open()) {
    position++;
    if (item.kind === 'error') {
      ctx.emit({ id: item.id ?? `row:${item.row}`, row: item.row, outcome: 'failed', code: item.error.code, message: item.error.message, retryable: false, action: 'fail' });
      continue;
    }
    // A duplicate id or a shared key fails every row that has it, unchanged or not.
    const duplicate = scan.duplicateIds.has(item.id) || scan.sharedKeyIds.has(item.id);
    const seen = duplicate ? Seen.Other : scan.memo.decision(position, item.id);
    if (seen === Seen.Unchanged) {
      ctx.emit({ id: item.id, row: item.row, outcome: 'unchanged', action: 'none' });
      continue;
    }
    const key = seen === Seen.Window ? scan.memo.sendKey(position) : keys.keyOf(item.snapshot);
    const early = decideWithoutCall(ctx, scan, keys, item, key);
    if (early) {
      if (neverWritten(index, item.id)) await keepLookAlikes(ctx, item, keys);
      ctx.emit(early);
      continue;
    }
    // A record the first pass decided to send was compared with state there (the same index, the same time): it is neither unchanged nor a fresh "not found".
    if (seen !== Seen.Window) {
      const entry = index.get(item.id);
      const hash = seen === Seen.NotFoundFresh ? undefined : snapshotHash(item.snapshot);
      if (seen === Seen.NotFoundFresh || (hash !== undefined && notFoundStillFresh(entry, hash, keys.recheckNotFoundAfterMs, keys.now))) {
        ctx.emit(notFoundSkip(ctx, item, entry, keys.now));
        continue;
      }
      if (entry && !entry.departed && !entry.notFound && entry.hash === hash && keys.recheck !== true) {
        ctx.emit({ id: item.id, row: item.row, outcome: 'unchanged', action: 'none' });
        continue;
      }
    }
    if (ctx.caller.stopped) {
      ctx.emit(notSent({ recordId: item.id, row: item.row }, ctx.caller.stopped));
      continue;
    }
    window.push(windowRecord(ctx, ref++, item.id, item.row, item.snapshot, key as string, undefined));
    if (window.length >= windowSize) await flush();
  }
  await flush();
}

/** A source record entering a window: a record remembered as not found has nothing in the destination, so it is planned as new. */
function windowRecord(ctx: RunContext, ref: number, recordId: string, row: number | undefined, next: RecordSnapshot, key: string, stored: StateEntry | undefined): LedgerRecord {
  const entry = stored?.notFound ? undefined : stored;
  // A pending entry's snapshot counts values being written as held; its match key is the one the record had before (see `heldKey`).
  const previousKey = entry ? ((entry.pending ? entry.matchKey : null) ?? ctx.destination.matchKey(entry.snapshot, ctx.config)) : undefined;
  return ledgerRecord({ ref, recordId, row, next, entry, matchKey: key, previousMatchKey: previousKey !== undefined && previousKey !== key ? previousKey : undefined });
}

/**
 * Why the records missing from the source may still be in it, if they may: rows that could
 * not be identified or read, or ids on several rows (one of those rows may be a record whose id was
 * mistyped: fifth trial of stop 28, a person's row given another person's id had their
 * Contact deleted). Then nothing is deleted or removed (`source_incomplete`).
 */
export function departuresUncertain(scan: Pick<SourceScan, 'unidentifiedErrors' | 'unreadRows' | 'duplicateIds'>): string | undefined {
  if (scan.unidentifiedErrors > 0) return `${scan.unidentifiedErrors} row(s) could not be read; nothing is deleted or removed until the source reads cleanly.`;
  // A row that could not be read may be this record under another id (eighth trial of stop 28: renumbered, her row's encoding
  // broken, she was deleted; tenth: ids shifted, his row under the next id broken): its values cannot be compared.
  if (scan.unreadRows > 0) return `${scan.unreadRows} row(s) could not be read (their values are unknown), and one may be this record under another id; nothing is deleted or removed until they read cleanly.`;
  if (scan.duplicateIds.size > 0) {
    return `${scan.duplicateIds.size} id(s) are on more than one row (duplicate_record_id), and one of those rows may be this record under a mistyped id; nothing is deleted or removed until every id is on one row.`;
  }
  return undefined;
}

/**
 * A record that left the source, as its state entry describes it. A pending entry of a record
 * destination whose key was being changed (a write-ahead mark the run never confirmed) may name
 * a record holding either key: its match key is the new one, and the one it had before is its
 * previous key, by which `lookupMoved` takes only the record the state names (`isOwnRecord`);
 * else it is looked up by the new key. Verify, quick,
 * seed 145591318: looked up by the new key only, the Contact this sync created (the change
 * never sent) was read by its Id, refused `match_field_changed` and kept, never deleted.
 */
function departureRecord(ctx: RunContext, ref: number, recordId: string, entry: StateEntry): LedgerRecord {
  const key = ctx.destination.matchKey(entry.snapshot, ctx.config);
  const held = ctx.destination.kind === 'records' && entry.pending === true && entry.matchKey !== null && entry.matchKey !== key ? entry.matchKey : undefined;
  return ledgerRecord({ ref, recordId, row: undefined, next: null, entry, matchKey: key, previousMatchKey: held });
}

/**
 * The records that left the source, from state, in windows. When they may still be in it
 * ({@link departuresUncertain}), nothing is deleted or removed.
 */
export async function readDepartures(ctx: RunContext, scan: SourceScan, windowSize: number, process: WindowProcessor): Promise<void> {
  const departing = scan.departing;
  for (let i = 0; i < departing.length; i += windowSize) {
    const ids = departing.slice(i, i + windowSize);
    const entries = await ctx.writer.read(() => ctx.state.get(ctx.syncId, ids));
    if (!entries) {
      // A store that cannot be read stopped the run: every record that left is still reported.
      for (const id of ids) ctx.emit(notSent({ recordId: id }, ctx.caller.stopped as SyncError));
      continue;
    }
    const uncertain = departuresUncertain(scan);
    if (uncertain !== undefined) {
      for (const id of ids) {
        if (!entries.has(id)) continue;
        ctx.emit({
          id,
          outcome: 'skipped',
          code: 'source_incomplete',
          message: `Missing from the source, but ${uncertain}`,
        });
      }
      continue;
    }
    const records: LedgerRecord[] = [];
    ids.forEach((id, j) => {
      const entry = entries.get(id);
      if (entry) records.push(departureRecord(ctx, 1_000_000_000 + i + j, id, entry));
    });
    await process(records);
  }
}
