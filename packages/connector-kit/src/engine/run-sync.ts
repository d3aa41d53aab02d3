import { setMaxListeners } from 'node:events';
import type { z } from 'zod';
import type { AnyDestination } from '../destination/any-destination';
import { audienceLimitsFor } from '../destination/define-audience-destination';
import { limitsFor } from '../destination/define-destination';
import type { RunVolume } from '../destination/limits';
import type { SyncError } from '../errors/sync-error';
import { ConfigError, isRunStopping } from '../errors/sync-error';
import { toSyncError } from '../errors/to-sync-error';
import { silentLogger } from '../logging/logger';
import { resolveSyncMode } from '../modes/resolve-sync-mode';
import { emptyCounts, type PlannedAction, type RecordResult } from '../records/outcome';
import type { RecordSnapshot, RecordSource, SourceItem } from '../records/types';
import { identityOf, syncIdFor } from '../state/sync-id';
import { processAudienceWindow } from './audience/process-audience-window';
import { Caller } from './caller';
import { checkDeletionGuard } from './deletion-guard';
import { iterateDeparting, iterateSource, type RecordKeys, type WindowProcessor } from './iterate-source';
import { Pacer } from './pacer';
import { processRecordWindow } from './process-record-window';
import { DEFAULT_RETRY_POLICY } from './retry-policy';
import { GroupIdCache } from './group-id-cache';
import type { AudienceRunContext, BaseRunContext, RunContext } from './run-context';
import type { RunSyncOptions, SyncRunSummary } from './run-types';
import { scanSource } from './scan-source';
import { plannedDeletes } from './planned-deletes';
import { DestinationClaims } from './destination-claims';
import { RunLease } from './run-lease';
import { StateWriter } from './state-writer';
import { RunStoppedError, SyncRunningError } from '../errors/run-errors';

/** The source as the destination sees it (every record in the fixed audiences, when configured). */
function preparedSource(source: RecordSource, fixed: readonly string[] | undefined): RecordSource {
  if (!fixed) return source;
  return {
    name: source.name,
    async *open(): AsyncGenerator<SourceItem> {
      for await (const item of source.open()) {
        yield item.kind === 'record' ? { ...item, snapshot: { properties: item.snapshot.properties, groups: [...fixed] } } : item;
      }
    },
  };
}

/** Reports every row of the source as not sent because the run was refused. */
async function refuseRows(source: RecordSource, emit: (result: RecordResult) => void, refusal: SyncError): Promise<void> {
  for await (const item of source.open()) {
    emit({
      id: item.id ?? `row:${item.row}`,
      row: item.row,
      outcome: 'skipped',
      code: 'run_refused',
      message: `Not sent: the run was refused (${refusal.code}).`,
    });
  }
}

/** The error that stops a run when its caller's signal aborts (Ctrl-C, SIGTERM, a worker shutting down). */
export function interruptedError(): RunStoppedError {
  return new RunStoppedError('interrupted', 'Interrupted: nothing more was sent, calls in flight finished; the next run continues where this one stopped.', { retryable: true });
}

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
  const destination: AnyDestination = options.destination;
  const mode = resolveSyncMode(destination, options.mode);
  const config = parseConfig(destination, options.config) as Record<string, unknown>;
  const audience = destination.kind === 'audience' ? destination : undefined;
  const records = destination.kind === 'records' ? destination : undefined;
  // Audience limits depend on the config only; record limits may depend on the run's volume (after the scan).
  const limitsOf = (run: RunVolume) => (audience ? audienceLimitsFor(audience, config) : limitsFor(records as NonNullable<typeof records>, config, run));
  let limits = limitsOf({ changed: 0, departing: 0 });
  const source = preparedSource(options.source, audience?.fixedAudiences?.(config));
  const keyOf = (snapshot: RecordSnapshot) => destination.matchKey(snapshot, config);
  const logger = options.logger ?? silentLogger;
  const dryRun = options.dryRun ?? false;
  const deletePolicy = options.deletePolicy ?? 'owned';
  const identity = { ...identityOf(destination.configSchema, config), ...options.identityOverrides };
  const syncId = syncIdFor(destination.id, identity, options.sourceKey, options.syncName);
  const state = options.state;
  const collect = options.collectResults ?? true;
  const abort = new AbortController();
  // Every call in flight listens on the run's signal (SDK requests, waits): more than Node's
  // default of 10 is expected, not a leak. It aborts only when the run ends: the caller's
  // signal stops sending (calls in flight finish), it does not cut requests.
  setMaxListeners(1_000, abort.signal);
  let interrupted: SyncError | undefined;

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

  const policy = { ...DEFAULT_RETRY_POLICY, ...options.retry, ...(options.maxRateLimitWaitMs === undefined ? {} : { maxRateLimitWaitMs: options.maxRateLimitWaitMs }) };
  const onWait = (waitMs: number) => options.onProgress?.({ phase: 'waiting', processed, total, waitMs, reason: 'rate_limited' });
  const newCaller = (p: Pacer) => {
    const c = new Caller(p, policy, logger, abort.signal, onWait);
    if (interrupted) c.stop(interrupted);
    return c;
  };
  let pacer = new Pacer(limits, options.sharedLimiter);
  let caller = newCaller(pacer);
  const writer = new StateWriter(state, syncId, undefined, dryRun, (error) => caller.stop(error));
  let lease: RunLease | undefined;
  const onAbort = () => {
    interrupted ??= interruptedError();
    caller.stop(interrupted);
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const summary = (status: SyncRunSummary['status'], reason?: SyncError): SyncRunSummary => ({
    destination: destination.id,
    mode,
    dryRun,
    syncId,
    status,
    reason: reason ? { code: reason.code, message: reason.message, retryable: reason.retryable } : undefined,
    counts,
    actions,
    results,
    stats: caller.stats,
    durationMs: Date.now() - started,
  });

  try {
    if (!dryRun) {
      await state.registerSync({ syncId, destination: destination.id, identity });
      try {
        lease = await RunLease.take(state, syncId, options.lease ?? {}, (error) => caller.stop(error));
      } catch (thrown) {
        if (!(thrown instanceof SyncRunningError)) throw thrown;
        await refuseRows(source, emit, thrown);
        return summary('refused', thrown);
      }
      writer.fence(lease.lease);
    }
    options.onProgress?.({ phase: 'scanning', processed: 0, total: 0 });
    const index = await state.index(syncId);
    const recheckAfterMs = options.recheckNotFoundAfterMs ?? (records?.recheckNotFoundAfterMs ?? 0);
    const scan = await scanSource(source, keyOf, index, mode, deletePolicy, recheckAfterMs, started);
    total = scan.items + scan.departing.length;
    logger.info('source scanned', { records: scan.records, changed: scan.changed, departing: scan.departing.length });
    // Nothing was sent yet: the limits (and the pacer and caller built from them) may follow the run's volume.
    limits = limitsOf({ changed: scan.changed, departing: scan.departing.length });
    pacer.release();
    pacer = new Pacer(limits, options.sharedLimiter);
    caller = newCaller(pacer);

    if (scan.records > 0 && scan.keyed === 0) {
      const label = destination.matchKeyLabel(config);
      const names = [...scan.propertyNames];
      const have = names.length === 0 ? 'no mapped fields' : `${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}`;
      throw new ConfigError(
        `None of the ${scan.records} records has a value for ${label}, and ${destination.displayName} matches records by it: map a source column to it (--map <target>=<column>). The records have: ${have}.`,
        'match_key_not_mapped',
      );
    }
    let stateRecords = 0;
    for (const e of index.values()) if (!e.departed && !e.notFound) stateRecords++;
    const refusal = checkDeletionGuard(
      {
        plannedDeletes: await plannedDeletes(state, syncId, scan),
        ownedRecords: await state.count(syncId, 'owned'),
        sourceRecords: scan.records,
        stateRecords,
      },
      options.guard,
    );
    if (refusal && !dryRun) {
      await refuseRows(source, emit, refusal);
      return summary('refused', refusal);
    }

    const hasMembership = records !== undefined && (records.verbs.groups !== undefined || records.groupMembership === 'record');
    const groupsEnabled = audience !== undefined || (hasMembership && (records?.supportsGroups?.(config) ?? true));
    if (scan.hasGroups && !groupsEnabled) {
      throw new ConfigError(
        `${destination.displayName} has no groups with this configuration; remove the groups column from the mapping.`,
        'groups_unsupported',
      );
    }
    const keys: RecordKeys = {
      keyOf,
      recheckNotFoundAfterMs: recheckAfterMs,
      now: started,
      keyLabel: destination.matchKeyLabel(config),
      destinationName: destination.displayName,
      explainMissingKey: audience?.explainMissingKey ? (snapshot) => (audience.explainMissingKey as NonNullable<typeof audience.explainMissingKey>)(snapshot, config) : undefined,
    };
    const groupIds = new GroupIdCache();
    const claims = new DestinationClaims();
    const makeContext = (client: unknown): { ctx: BaseRunContext; process: WindowProcessor } => {
      const base: BaseRunContext = {
        config,
        verbs: { config, client, logger, signal: abort.signal, rateLimit: pacer },
        mode,
        deletePolicy,
        dryRun,
        syncId,
        state,
        writer,
        caller,
        logger,
        emit,
        groupIds,
        claims,
        source: { inSource: scan.inSource, keyHolder: scan.keyHolder },
      };
      if (audience) {
        const ctx: AudienceRunContext = { ...base, destination: audience, limits: limits as AudienceRunContext['limits'] };
        return { ctx, process: (items) => processAudienceWindow(ctx, items) };
      }
      const ctx: RunContext = {
        ...base,
        destination: records as NonNullable<typeof records>,
        limits: limits as RunContext['limits'],
        classify: { mode, deletePolicy, groupsEnabled, destinationName: destination.displayName, matchKeyLabel: keys.keyLabel },
        rememberNotFound: recheckAfterMs > 0,
      };
      return { ctx, process: (items) => processRecordWindow(ctx, items) };
    };
    const windowSize = options.windowSize ?? ('windowSize' in limits ? limits.windowSize : undefined) ?? 10_000;
    options.onProgress?.({ phase: 'syncing', processed: 0, total });
    if (scan.changed === 0 && scan.departing.length === 0) {
      // Nothing to look up or send: no call reaches the destination.
      const { ctx, process } = makeContext(undefined);
      await iterateSource(ctx, source, scan, index, keys, windowSize, process);
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
      const { ctx, process } = makeContext(client);
      try {
        await iterateSource(ctx, source, scan, index, keys, windowSize, process);
        await iterateDeparting(ctx, scan.departing, scan.unidentifiedErrors, windowSize, process);
      } finally {
        if (client !== undefined) await destination.disconnect?.(client);
      }
    }
    await writer.remove(scan.forgottenNotFound);
    options.onProgress?.({ phase: 'done', processed, total });
    const stopped = caller.stopped;
    // A dry run plans past the guard, and says the real run would be refused.
    if (refusal) return summary('refused', refusal);
    return summary(stopped ? 'stopped' : 'completed', stopped);
  } finally {
    pacer.release();
    options.signal?.removeEventListener('abort', onAbort);
    await lease?.release();
    abort.abort();
  }
}

