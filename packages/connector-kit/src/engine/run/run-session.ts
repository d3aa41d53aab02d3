import { setMaxListeners } from 'node:events';
import type { AudienceLimits } from '../../destination/define-audience-destination';
import type { DestinationLimits, RunVolume } from '../../destination/limits';
import { RunStoppedError, StateBusyError } from '../../errors/run-errors';
import { ConfigError, isRunStopping, retryNow, SyncError } from '../../errors/sync-error';
import { toSyncError } from '../../errors/to-sync-error';
import type { RecordResult } from '../../records/outcome';
import { permits } from '../../modes/permits';
import { Caller } from '../calls/caller';
import { Pacer } from '../calls/pacer';
import { DEFAULT_RETRY_POLICY } from '../calls/retry-policy';
import { GroupIdCache } from '../groups/group-id-cache';
import { StateWriter } from '../ledger/state-writer';
import type { SyncRunSummary } from '../run-types';
import type { StateEntry } from '../../state/state-store';
import { departuresUncertain } from '../scan/read-windows';
import type { SourceScan } from '../scan/scan-source';
import { DestinationClaims, IDENTITY_REFUSALS } from '../steps/destination-claims';
import { ValueCarriers } from '../steps/value-carriers';
import type { RunContext } from './run-context';
import { busyRefusal, RunLeases } from './run-leases';
import { RunResults } from './run-results';
import { renamedSyncNotice } from './renamed-sync';
import type { RunSetup } from './run-setup';

/** How long calls in flight may still take after the run's signal aborts, by default (see `RunSyncOptions.inFlightGraceMs`). */
export const DEFAULT_IN_FLIGHT_GRACE_MS = 3_000;

/** The error that stops a run when its caller's signal aborts (Ctrl-C, SIGTERM, a worker shutting down). */
export function interruptedError(graceMs = DEFAULT_IN_FLIGHT_GRACE_MS): RunStoppedError {
  const grace = graceMs % 1000 === 0 ? `${graceMs / 1000} s` : `${graceMs} ms`;
  return new RunStoppedError('interrupted', `Interrupted: nothing more was sent; calls in flight finished, or were cancelled after ${grace} without an answer; the next run continues where this one stopped.`, { retryable: true });
}

/** The error that stops a run when the destination failed, after every retry, a call the run cannot go on without (timeouts, network failures, 5xx). */
function unreachable(name: string, when: string, error: SyncError): RunStoppedError {
  const what =
    error.code === 'server_error' ? 'answered only with server errors' : error.code === 'timeout' ? 'did not answer in time' : error.code === 'unexpected_response' ? 'gave only answers of another shape' : 'could not be reached';
  return new RunStoppedError(
    'destination_unreachable',
    `${name} ${what} ${when}, on every attempt; nothing more was sent and the run stopped (the next run continues where it left off). Last error (${error.code}): ${error.message}`,
    { retryable: true, cause: error },
  );
}

/**
 * A run in progress: its results, its one {@link Caller} (paced, retried, counted,
 * abortable), its one {@link StateWriter} (fenced by the sync's lease), the connection to
 * the destination (made once, when first needed) and the run's stop: the caller's signal, a
 * lost lease or a state failure stop sending, and the run ends with `stopped`.
 */
export class RunSession {
  readonly results: RunResults;
  readonly writer: StateWriter;
  readonly groupIds = new GroupIdCache();
  private limits: DestinationLimits | AudienceLimits;
  private pacer: Pacer;
  caller: Caller;
  /** Where verbs say something about the run as a whole (`VerbContext.notice`). */
  private readonly notice = (notice: { readonly code: string; readonly message: string }) => this.results.notice(notice);
  /** The sync's and its records' leases, once held (see {@link hold}). */
  private leases: RunLeases | undefined;
  /** The check before each call that the run's leases are still its own (see `RunLeases.check`). */
  private readonly leaseCheck = () => this.leases?.check();
  /** Set by {@link nameLostLease}: what the stop `lease_lost` really was. */
  private restatedStop: SyncError | undefined;
  private interrupted: SyncError | undefined;
  /**
   * Aborted when the run ends (closes what an SDK left open), or `inFlightGraceMs` after an
   * interrupt: the calls still in flight are then abandoned (see `Caller`).
   */
  private readonly ending = new AbortController();
  /** Set on interrupt: abandons the calls still in flight when it fires. */
  private grace: NodeJS.Timeout | undefined;
  private connection: Promise<unknown> | undefined;
  private readonly onAbort = () => {
    const graceMs = this.setup.options.inFlightGraceMs ?? DEFAULT_IN_FLIGHT_GRACE_MS;
    this.interrupted ??= interruptedError(graceMs);
    this.caller.stop(this.interrupted);
    const interrupted = this.interrupted;
    this.grace ??= setTimeout(() => this.ending.abort(interrupted), graceMs);
  };

  constructor(readonly setup: RunSetup) {
    const { options } = setup;
    this.results = new RunResults({ destination: setup.destination.id, mode: setup.mode, dryRun: setup.dryRun, syncId: setup.syncId, started: setup.started }, options);
    setMaxListeners(1_000, this.ending.signal); // every call in flight listens: more than Node's default of 10 is expected
    this.limits = setup.limitsOf({ changed: 0, departing: 0 });
    this.pacer = new Pacer(this.limits, options.sharedLimiter);
    this.caller = this.newCaller();
    this.results.stoppedBy = () => this.stoppedBy();
    this.results.callStats = () => this.caller.stats;
    this.writer = new StateWriter(options.state, setup.syncId, undefined, setup.dryRun, (error) => this.caller.stop(this.leases?.sync.lapsedWith(error) ?? error));
    if (options.signal?.aborted) this.onAbort();
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /**
   * A caller for the run's calls. One made to replace `previous` (new limits once the scan
   * counted the records: {@link useVolume}) keeps its stop and the lease check before each
   * call: without them, a run whose lease lapsed during the scan (paused past it, its records
   * taken by another sync's run) went on writing and ended `completed` (fresh reviewer 117, F2).
   */
  private newCaller(previous?: Caller): Caller {
    const { options } = this.setup;
    const policy = { ...DEFAULT_RETRY_POLICY, ...options.retry, ...(options.maxRateLimitWaitMs === undefined ? {} : { maxRateLimitWaitMs: options.maxRateLimitWaitMs }) };
    const caller = new Caller(this.pacer, policy, this.setup.logger, this.ending.signal, (event) => {
      if (event.kind === 'rate_limited') this.results.progress('waiting', { waitMs: event.waitMs, reason: 'rate_limited' });
      else if (event.kind === 'timeout_retry') this.results.progress('waiting', { waitMs: event.waitMs, reason: 'timeout', retry: { retry: event.retry, of: event.of } });
      else this.results.progress('syncing');
    });
    const stopped = this.interrupted ?? previous?.stopped;
    if (stopped) caller.stop(stopped);
    caller.gate(this.leaseCheck);
    return caller;
  }

  /** The run's limits. */
  get currentLimits(): DestinationLimits | AudienceLimits {
    return this.limits;
  }

  /** Follows the run's volume (known after the scan, before anything is sent): limits, pacer and caller. */
  useVolume(volume: RunVolume): void {
    if (this.connection) return; // calls were made: keep pacing as it is
    this.limits = this.setup.limitsOf(volume);
    this.pacer.release();
    this.pacer = new Pacer(this.limits, this.setup.options.sharedLimiter);
    this.caller = this.newCaller(this.caller);
  }

  /**
   * Registers the sync and takes its leases (not in a dry run: see `RunLeases`); from then on
   * each call is sent only while they are this run's.
   *
   * @returns the refusal when another run holds the sync (`sync_running`) or its records (`sync_overlap`).
   * @throws what the state store throws when the sync cannot be registered or a lease written.
   */
  async hold(): Promise<SyncError | undefined> {
    const { setup } = this;
    if (setup.dryRun) return undefined;
    const sync = { syncId: setup.syncId, destination: setup.destination.id, identity: setup.identity, name: setup.options.syncName };
    try {
      const renamed = await renamedSyncNotice(setup.options.state, sync, setup.destination.displayName);
      if (renamed) {
        setup.logger.warn(renamed.message, { code: renamed.code });
        this.results.notices.push(renamed);
      }
      await setup.options.state.registerSync(sync);
    } catch (thrown) {
      if (thrown instanceof StateBusyError) return busyRefusal(thrown);
      throw thrown;
    }
    const leaseSetup = { state: setup.options.state, syncId: setup.syncId, destination: setup.destination, identity: setup.identity, lease: setup.options.lease ?? {} };
    const leases = await RunLeases.take(leaseSetup, (error) => this.caller.stop(error));
    if (leases instanceof SyncError) return leases;
    this.leases = leases;
    this.writer.fence(leases.sync.lease);
    this.caller.gate(this.leaseCheck);
    return undefined;
  }

  /**
   * The destination's client: connected once, through the caller, then its fields prepared
   * (both paced, retried and counted like every call). A run-stopping failure stops the run
   * and yields `undefined`.
   *
   * @throws what `connect` or `prepareFields` throw when it does not stop the run (a configuration error).
   */
  client(scan: SourceScan): Promise<unknown> {
    this.connection ??= this.connect(scan);
    return this.connection;
  }

  private async connect(scan: SourceScan): Promise<unknown> {
    const { destination, config, logger, dryRun } = this.setup;
    try {
      const client = await this.caller.call('connect', () => destination.connect(config, { logger, signal: this.ending.signal }));
      const prepare = destination.prepareFields;
      if (prepare) {
        const ctx = { config, client, logger, signal: this.ending.signal, rateLimit: this.caller, notice: this.notice };
        const fields = await this.caller.call('prepare_fields', () => prepare.call(destination, ctx, [...scan.propertyNames], { samples: scan.samples, dryRun }));
        if (fields) this.results.fields = fields;
      }
      return client;
    } catch (thrown) {
      const error = toSyncError(thrown);
      if (!this.stopOn(error, 'when the run connected')) throw error;
      return undefined;
    }
  }

  /**
   * Stops the run for an error from a call it cannot go on without (connecting, checking its
   * groups): a run-stopping error as it is; a retryable one, after every retry (no answer, or
   * only server errors), as `destination_unreachable`; any other but a configuration error
   * (a connector bug, an answer it could not read) under its own code. Returns false for a
   * configuration error (`ConfigError`: the caller throws it).
   */
  stopOn(error: SyncError, when: string): boolean {
    if (isRunStopping(error)) this.caller.stop(error);
    else if (retryNow(error) || this.caller.stopped) this.caller.stop(this.caller.stopped ?? unreachable(this.setup.destination.displayName, when, error));
    else if (error instanceof ConfigError) return false;
    // Any other failure (a connector bug, an answer it could not read): the run stops with a summary, never a thrown stack.
    else this.caller.stop(new RunStoppedError(error.code, `${this.setup.destination.displayName} failed ${when}: ${error.message} Nothing more was sent and the run stopped.`, { retryable: error.retryable, cause: error }));
    return true;
  }

  /** The context every step of a run shares. */
  context(scan: SourceScan, client: unknown, claims = new DestinationClaims()): RunContext {
    const { setup } = this;
    const { destination, config, logger } = setup;
    const base = {
      config,
      verbs: { config, client, logger, signal: this.ending.signal, rateLimit: this.caller, notice: this.notice },
      mode: setup.mode,
      deletePolicy: setup.deletePolicy,
      dryRun: setup.dryRun,
      syncId: setup.syncId,
      state: setup.options.state,
      writer: this.writer,
      caller: this.caller,
      logger,
      // Rows refused because who they are could not be told are noted for the departures of this run (see claimRecords).
      emit: (result: RecordResult) => {
        if (result.outcome === 'failed' && result.code !== undefined && IDENTITY_REFUSALS.has(result.code)) claims.refuse(result.id);
        this.results.emit(result);
      },
      groupIds: this.groupIds,
      claims,
      source: {
        inSource: scan.inSource,
        keyHolder: scan.keyHolder,
        keyShared: (key: string) => scan.duplicateKeys.has(key),
        identityHolders: scan.identityHolders,
        refused: (id: string) => scan.duplicateIds.has(id) || scan.sharedKeyIds.has(id) || scan.keylessIds.has(id),
        unreadRows: scan.unreadRows,
        departuresUncertain: departuresUncertain(scan),
      },
      destinationName: destination.displayName,
      matchKeyLabel: destination.matchKeyLabel(config),
      matchKeyName: destination.matchKeyName ? (key: string) => destination.matchKeyName?.(key, config) ?? destination.matchKeyLabel(config) : undefined,
    };
    if (setup.audience) return { ...base, kind: 'audience', destination: setup.audience, limits: this.limits as AudienceLimits };
    const records = setup.records as NonNullable<RunSetup['records']>;
    const groupsEnabled = (records.verbs.groups !== undefined || records.groupMembership === 'record') && (records.supportsGroups?.(config) ?? true);
    // Enrich never creates, so it always looks up; a dry run looks up to say exactly what would happen. While
    // records this sync wrote before changed (their key may have moved), a new record's key may name a destination
    // record one of them holds: only a lookup tells (duplicate_destination_record), so every record is looked up.
    const createIsUpsert = client !== undefined && records.createUpserts?.(base.verbs) === true;
    // While any source record has an identifier besides the key (Salesforce: Email with an external-id match field), a
    // destination record holding another row's key (even one without an Email) may carry it: only a lookup tells
    // (`refuseForeignIdentities`), so an upsert without one could write one person onto another's record (trial of stop 32).
    const upsertCreates = createIsUpsert && !setup.dryRun && permits(setup.mode, 'create') && scan.changedWithState === 0 && scan.identifiers === 0;
    const limits = this.limits as DestinationLimits;
    const readEntries = async (ids: readonly string[]) => (await this.writer.read(() => setup.options.state.get(setup.syncId, ids))) ?? new Map<string, StateEntry>();
    const carriers = new ValueCarriers(readEntries, scan.complete ? scan.departing : [], setup.identityKeysOf);
    const groupKey = (name: string): string => records.groupKey?.(name, config) ?? name.toLowerCase();
    return { ...base, kind: 'records', destination: records, limits, groupsEnabled, groupKey, rememberNotFound: setup.recheckNotFoundAfterMs > 0, createIsUpsert, upsertCreates, carriers, foreignHolds: new Map() };
  }

  /** Reports every row of the source as not sent because the run was refused, or interrupted before it started (a row that could not be read, with its own error), and the summary. */
  async refuse(refusal: SyncError): Promise<SyncRunSummary> {
    // Interrupted before it started (while it waited for another run: `waitForOtherRunMs`): stopped, its rows not sent.
    const stopped = refusal.code === 'interrupted';
    for await (const item of this.setup.source.open()) {
      const id = item.id ?? `row:${item.row}`;
      const result: RecordResult =
        item.kind === 'error'
          ? { id, row: item.row, outcome: 'failed', code: item.error.code, message: item.error.message, retryable: false, action: 'fail' }
          : stopped
            ? { id, row: item.row, outcome: 'skipped', code: 'not_sent', message: 'Not sent: the run was interrupted before it started. The next run will send it.' }
            : { id, row: item.row, outcome: 'skipped', code: 'run_refused', message: `Not sent: the run was refused (${refusal.code}).` };
      this.results.emit(result);
    }
    return this.results.summary(stopped ? 'stopped' : 'refused', refusal, this.caller.stats);
  }

  /** The summary of a run that went through (a dry run may say the real run would be refused). */
  summary(refusal?: SyncError): SyncRunSummary {
    this.results.progress('done');
    if (refusal) return this.results.summary('refused', refusal, this.caller.stats);
    const stopped = this.stoppedBy();
    return this.results.summary(stopped ? 'stopped' : 'completed', stopped, this.caller.stats);
  }

  /** Why the run stopped: the caller's stop, or what {@link nameLostLease} found it to be. */
  private stoppedBy(): SyncError | undefined {
    return this.restatedStop ?? this.caller.stopped;
  }

  /** After a run stopped `lease_lost`: says what it was (`RunLeases.restate`: another sync's run took the records, or the store failed). */
  async nameLostLease(): Promise<void> {
    this.restatedStop = await this.leases?.restate(this.caller.stopped);
  }

  /** After a run that went to its end (not stopped, not a dry run): lets the store keep the index for the next run (`StateStore.keepIndex`); a failure there fails nothing, the next run reads the entries. */
  async keepIndex(): Promise<void> {
    const { setup } = this;
    if (setup.dryRun || this.caller.stopped) return;
    await setup.options.state.keepIndex?.(setup.syncId).catch(() => undefined);
  }

  /** Ends the run: disconnects, releases the lease and the pacer, closes what an SDK left open. */
  async close(): Promise<void> {
    const { setup } = this;
    try {
      const client = this.connection ? await this.connection.catch(() => undefined) : undefined;
      if (client !== undefined) await setup.destination.disconnect?.(client as never);
    } finally {
      this.pacer.release();
      setup.options.signal?.removeEventListener('abort', this.onAbort);
      clearTimeout(this.grace);
      await this.leases?.release();
      this.ending.abort();
    }
  }
}
