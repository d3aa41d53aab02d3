import type { z } from 'zod';
import { limitsFor, type AnyDestination } from '../destination/define-destination';
import type { SyncError } from '../errors/sync-error';
import { ConfigError, isRunStopping } from '../errors/sync-error';
import { toSyncError } from '../errors/to-sync-error';
import { silentLogger } from '../logging/logger';
import { resolveSyncMode } from '../modes/resolve-sync-mode';
import { emptyCounts, type PlannedAction, type RecordResult } from '../records/outcome';
import { snapshotHash } from '../records/snapshot-hash';
import type { SourceRecord } from '../records/types';
import { identityOf, syncIdFor } from '../state/sync-id';
import { Caller } from './caller';
import { checkDeletionGuard } from './deletion-guard';
import { finalize, notSent } from './finalize';
import { lookupItems } from './lookup';
import { Pacer } from './pacer';
import { planItem } from './plan-item';
import { DEFAULT_RETRY_POLICY } from './retry-policy';
import type { RunContext } from './run-context';
import type { RunSyncOptions, SyncRunSummary } from './run-types';
import { scanSource } from './scan-source';
import { sendGroups } from './send-groups';
import { sendWrites } from './send-writes';
import { notFoundStillFresh } from './not-found-memory';
import { newWorkItem, type WorkItem } from './work-item';

/**
 * Parses a destination config with its zod schema.
 *
 * @throws {@link ConfigError} (`invalid_config`) listing each problem by field name
 *   (values are never echoed, so secrets cannot leak).
 */
export function parseConfig<D extends AnyDestination>(destination: D, raw: unknown): z.output<D['configSchema']> {
  const parsed = destination.configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`);
    throw new ConfigError(`Invalid ${destination.displayName} configuration: ${problems.join('; ')}`);
  }
  return parsed.data as z.output<D['configSchema']>;
}

/**
 * Runs one sync: reads the source, compares it with the sync's state, plans every record
 * under the mode, sends the changes in batches and reports one result per input row plus
 * one per record that left the source.
 *
 * Order of work: validate config and mode (throws before anything is read) → scan the
 * source (duplicates, changes, departures) → deletion guard (refuses before anything is
 * sent) → connect → per window of changed records: look up, classify, validate, send
 * deletes / restores / updates / creates, then group changes → records that left the source.
 *
 * @throws {@link ConfigError} for a bad config or unsupported mode. Everything else
 *   (refusals, auth failures, per-record failures) is reported in the summary.
 */
export async function runSync<D extends AnyDestination>(options: RunSyncOptions<D>): Promise<SyncRunSummary> {
  const started = Date.now();
  const destination = options.destination;
  const mode = resolveSyncMode(destination, options.mode);
  const config = parseConfig(destination, options.config) as Record<string, unknown>;
  const limits = limitsFor(destination, config);
  const logger = options.logger ?? silentLogger;
  const dryRun = options.dryRun ?? false;
  const deletePolicy = options.deletePolicy ?? 'owned';
  const identity = { ...identityOf(destination.configSchema, config), ...options.identityOverrides };
  const syncId = syncIdFor(destination.id, identity, options.sourceKey);
  const state = options.state;
  const collect = options.collectResults ?? true;
  const abort = new AbortController();
  const onAbort = () => abort.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const results: RecordResult[] = [];
  const counts = emptyCounts();
  const actions: Record<PlannedAction, number> = { create: 0, update: 0, delete: 0, groups: 0, none: 0, skip: 0, fail: 0 };
  let processed = 0;
  let total = 0;
  const emit = (result: RecordResult) => {
    counts[result.outcome]++;
    actions[result.action ?? (result.outcome === 'failed' ? 'fail' : result.outcome === 'unchanged' ? 'none' : 'skip')]++;
    processed++;
    if (collect) results.push(result);
    options.onResult?.(result);
    if (processed % 100 === 0 || processed === total) options.onProgress?.({ phase: 'syncing', processed, total });
  };

  const pacer = new Pacer(limits);
  const caller = new Caller(pacer, { ...DEFAULT_RETRY_POLICY, ...options.retry }, logger, abort.signal);
  const summary = (status: SyncRunSummary['status'], reason?: SyncError): SyncRunSummary => ({
    destination: destination.id,
    mode,
    dryRun,
    syncId,
    status,
    reason: reason ? { code: reason.code, message: reason.message } : undefined,
    counts,
    actions,
    results,
    stats: caller.stats,
    durationMs: Date.now() - started,
  });

  try {
    if (!dryRun) state.registerSync({ syncId, destination: destination.id, identity });
    options.onProgress?.({ phase: 'scanning', processed: 0, total: 0 });
    const index = state.index(syncId);
    const recheckAfterMs = options.recheckNotFoundAfterMs ?? destination.recheckNotFoundAfterMs ?? 0;
    const scan = await scanSource(options.source, destination, config, index, mode, deletePolicy, recheckAfterMs, started);
    total = scan.items + scan.departing.length;
    logger.info('source scanned', { records: scan.records, changed: scan.changed, departing: scan.departing.length });

    const stateRecords = [...index.values()].filter((e) => !e.departed && !e.notFound).length;
    const refusal = checkDeletionGuard(
      {
        plannedDeletes: scan.plannedDeletes,
        ownedRecords: state.count(syncId, 'owned'),
        sourceRecords: scan.records,
        stateRecords,
      },
      options.guard,
    );
    if (refusal) {
      for await (const item of options.source.open()) {
        emit({
          id: item.id ?? `row:${item.row}`,
          row: item.row,
          outcome: 'skipped',
          code: 'run_refused',
          message: `Not sent: the run was refused (${refusal.code}).`,
        });
      }
      return summary('refused', refusal);
    }

    const hasMembership = destination.verbs.groups !== undefined || destination.groupMembership === 'record';
    const groupsEnabled = hasMembership && (destination.supportsGroups?.(config) ?? true);
    if (scan.hasGroups && !groupsEnabled) {
      throw new ConfigError(
        `${destination.displayName} has no groups with this configuration; remove the groups column from the mapping.`,
        'groups_unsupported',
      );
    }
    const makeContext = (client: unknown): RunContext => ({
      destination,
      config,
      verbs: { config, client, logger, signal: abort.signal, rateLimit: pacer },
      mode,
      limits,
      dryRun,
      syncId,
      state,
      caller,
      rememberNotFound: recheckAfterMs > 0,
      classify: {
        mode,
        deletePolicy,
        groupsEnabled,
        destinationName: destination.displayName,
        matchKeyLabel: destination.matchKeyLabel(config),
      },
      logger,
      emit,
    });
    const windowSize = options.windowSize ?? 10_000;
    options.onProgress?.({ phase: 'syncing', processed: 0, total });
    if (scan.changed === 0 && scan.departing.length === 0) {
      // Nothing to look up or send: no call reaches the destination.
      await syncSourceRecords(makeContext(undefined), options, scan, index, windowSize, recheckAfterMs, started);
    } else {
      let client: unknown;
      try {
        client = await caller.call('connect', () => destination.connect(config, { logger, signal: abort.signal }));
        await destination.prepareFields?.({ config, client, logger, signal: abort.signal, rateLimit: pacer }, [...scan.propertyNames], {
          samples: scan.samples,
          dryRun,
        });
      } catch (thrown) {
        const error = toSyncError(thrown);
        if (!isRunStopping(error)) throw error;
        caller.stop(error);
      }
      const ctx = makeContext(client);
      try {
        await syncSourceRecords(ctx, options, scan, index, windowSize, recheckAfterMs, started);
        await syncDeparting(ctx, scan.departing, scan.unidentifiedErrors, windowSize);
      } finally {
        if (client !== undefined) await destination.disconnect?.(client);
      }
    }
    if (!dryRun && scan.forgottenNotFound.length > 0) state.remove(syncId, scan.forgottenNotFound);
    options.onProgress?.({ phase: 'done', processed, total });
    const stopped = caller.stopped;
    return summary(stopped ? 'stopped' : 'completed', stopped);
  } finally {
    pacer.release();
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function failure(record: { id: string; row?: number | undefined }, code: string, message: string): RecordResult {
  return { id: record.id, row: record.row, outcome: 'failed', code, message, retryable: false, action: 'fail' };
}

async function syncSourceRecords(
  ctx: RunContext,
  options: RunSyncOptions,
  scan: Awaited<ReturnType<typeof scanSource>>,
  index: ReturnType<RunContext['state']['index']>,
  windowSize: number,
  recheckAfterMs: number,
  now: number,
): Promise<void> {
  const keyLabel = ctx.classify.matchKeyLabel;
  let window: SourceRecord[] = [];
  let ref = 0;
  const flush = async () => {
    if (window.length === 0) return;
    const batch = window;
    window = [];
    const entries = ctx.state.get(ctx.syncId, batch.map((r) => r.id));
    const items = batch.map((r) => {
      const entry = entries.get(r.id);
      // A record remembered as not found has nothing in the destination: plan it as new.
      return newWorkItem(ref++, r.id, r.row, r.snapshot, entry?.notFound ? undefined : entry);
    });
    await processWindow(ctx, items);
  };

  for await (const item of options.source.open()) {
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
    const key = ctx.destination.matchKey(item.snapshot, ctx.config);
    if (key === undefined) {
      ctx.emit(failure(item, 'missing_match_key', `No ${keyLabel}: records are matched in ${ctx.destination.displayName} by ${keyLabel}; fill it in.`));
      continue;
    }
    const owner = scan.duplicateKeys.get(key);
    if (owner !== undefined) {
      ctx.emit(
        failure(item, 'duplicate_match_key', `Same ${keyLabel} as record "${owner}" (and possibly others); each ${keyLabel} must belong to one record. Not sent.`),
      );
      continue;
    }
    const entry = index.get(item.id);
    const hash = snapshotHash(item.snapshot);
    if (notFoundStillFresh(entry, hash, recheckAfterMs, now)) {
      const since = new Date(entry?.updatedAt ?? now).toISOString();
      ctx.emit({
        id: item.id,
        row: item.row,
        outcome: 'skipped',
        code: 'not_found',
        action: 'skip',
        message: `No ${keyLabel} match in ${ctx.destination.displayName} when last looked up (${since}); looked up again when the record changes or after the recheck window.`,
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

async function syncDeparting(ctx: RunContext, departing: readonly string[], unidentifiedErrors: number, windowSize: number): Promise<void> {
  for (let i = 0; i < departing.length; i += windowSize) {
    const ids = departing.slice(i, i + windowSize);
    const entries = ctx.state.get(ctx.syncId, ids);
    const items: WorkItem[] = [];
    ids.forEach((id, j) => {
      const entry = entries.get(id);
      if (entry) items.push(newWorkItem(1_000_000_000 + i + j, id, undefined, null, entry));
    });
    if (unidentifiedErrors > 0) {
      // Rows we could not identify might be these records: never delete on a partial read.
      for (const item of items) {
        item.result = {
          id: item.recordId,
          outcome: 'skipped',
          code: 'source_incomplete',
          message: `Missing from the source, but ${unidentifiedErrors} row(s) could not be read; nothing is deleted or removed until the source reads cleanly.`,
        };
      }
    }
    await processWindow(ctx, items);
  }
}

/** Looks up, classifies, validates, sends and finalizes one window of records. */
async function processWindow(ctx: RunContext, items: WorkItem[]): Promise<void> {
  for (const item of items) {
    if (item.result) continue;
    const snapshot = item.next ?? item.entry?.snapshot;
    item.matchKey = snapshot ? ctx.destination.matchKey(snapshot, ctx.config) : undefined;
    if (item.next && item.entry) {
      const previousKey = ctx.destination.matchKey(item.entry.snapshot, ctx.config);
      if (previousKey !== undefined && previousKey !== item.matchKey) item.previousMatchKey = previousKey;
    }
    if (item.next === null && item.matchKey === undefined) {
      item.result = { id: item.recordId, outcome: 'skipped', code: 'not_found', message: 'Left the source; no match key to find it by.' };
    }
  }

  if (!ctx.caller.stopped) await lookupItems(ctx, items);

  for (const item of items) {
    if (item.result || ctx.caller.stopped) continue;
    if (item.found) {
      if (item.entry?.destinationId && item.entry.destinationId !== item.found.id) item.owned = false;
      item.destinationId = item.found.id;
    }
    planItem(ctx, item);
  }

  if (!ctx.dryRun && !ctx.caller.stopped) {
    try {
      await sendWrites(ctx, items);
      if (!ctx.caller.stopped) await sendGroups(ctx, items);
    } catch (thrown) {
      const error = toSyncError(thrown);
      ctx.logger.error('unexpected error while sending', { code: error.code });
      for (const item of items) {
        if (!item.result && !item.written) {
          item.result = { id: item.recordId, row: item.row, outcome: 'failed', code: error.code, message: error.message, retryable: error.retryable };
        }
      }
    }
  }
  finalize(ctx, items);
}
