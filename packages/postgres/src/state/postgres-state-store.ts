import type {
  AcquireLeaseOptions,
  RunListing,
  RunQuery,
  RunRecord,
  StateEntry,
  StateIndex,
  StateStore,
  SyncInfo,
  SyncLease,
  SyncListing,
} from '@syncmodes/connector-kit';
import { SyncError } from '@syncmodes/connector-kit';
import pg from 'pg';
import { PgLeases } from './pg-leases';
import { pgStoreError, WRITING } from './pg-errors';
import { PgRecords } from './pg-records';
import { PgRuns } from './pg-runs';
import { PgSyncs } from './pg-syncs';
import { DEFAULT_SCHEMA, ensureSchema } from './pg-schema';
import { ServerWait } from './server-wait';
import { SilentConnectionError, silenceLimitMs, watchSilence } from './silence-watch';

/** Options of {@link PostgresStateStore.open}. */
export interface PostgresStateStoreOptions {
  /** The schema holding syncmodes' tables (default `syncmodes`; created when missing). */
  readonly schema?: string | undefined;
  /** Most connections the store opens (default 4). */
  readonly poolSize?: number | undefined;
  /** How long to wait for a connection, ms (default 15,000). */
  readonly connectTimeoutMs?: number | undefined;
  /**
   * The server ends a session that stays this long inside a transaction without a statement
   * (`idle_in_transaction_session_timeout`), ms (default 10,000). A worker paused (SIGSTOP, a
   * frozen VM) in the middle of a fenced write would otherwise keep the sync's lease row
   * locked, and the worker taking its run over would wait for it forever; instead the paused
   * worker's transaction is rolled back, and when it resumes its write runs again and is
   * refused (`lease_lost`). The store's transactions run their statements back to back.
   */
  readonly idleInTransactionTimeoutMs?: number | undefined;
  /**
   * Longest a statement may run, ms (default 120,000): the server cancels it then
   * (`statement_timeout`: a table locked by a migration, a lock another session holds), and
   * the read or write fails with `state_unwritable` instead of leaving the run, or the worker,
   * waiting forever. Server-side only: node-postgres's client-side `query_timeout` left a timer
   * that kept a stopped worker alive for the whole limit (a fresh new-user check: 125 s after
   * "worker stopped"), and a client it fires on is left half open
   * (https://github.com/brianc/node-postgres/issues/3399). A connection that sends nothing
   * at all while a statement waits (a network cut with no reset, where the server's answer
   * never arrives) is dropped after this limit and as long again, at most 15 s more
   * (`silenceLimitMs`): the statement fails with `state_unwritable`.
   */
  readonly queryTimeoutMs?: number | undefined;
  /**
   * How long calls wait for the server to come back, ms, from the first refused connection
   * (the server restarting, starting or shutting down: a `pg_ctl restart`, a failover —
   * ECONNREFUSED, SQLSTATE 57P01–57P03), trying again with backoff (p-retry: 100 ms doubling to
   * 2 s): one deadline for all calls, so past it they fail at once until the server answers
   * again (see `ServerWait`). Default 20,000: a run outlives a restart instead of stopping
   * `state_unwritable` (fresh helper 107, minor 2); a longer outage stops it so, after at most
   * that wait. Opening the store never waits: a database that is down when a command starts is
   * said at once.
   */
  readonly reconnectWaitMs?: number | undefined;
  /** Ends every wait for the server at once when aborted (a worker shutting down, Ctrl-C): calls then fail with the server's error. */
  readonly signal?: AbortSignal | undefined;
}

/** Default of {@link PostgresStateStoreOptions.reconnectWaitMs}, ms. */
export const DEFAULT_RECONNECT_WAIT_MS = 20_000;

/** Default of {@link PostgresStateStoreOptions.queryTimeoutMs}, ms. */
export const DEFAULT_QUERY_TIMEOUT_MS = 120_000;

const ignoreError = () => undefined;

/** What a call does when its connection is lost: fail (`ONCE`), or run again (`AGAIN`: idempotent work only; see `using`). */
type LostConnection = typeof ONCE | typeof AGAIN;
const ONCE = 'once';
const AGAIN = 'again';

/** node-postgres's own errors for a connection that ended or can no longer be used (pg 8, `lib/client.js`). */
const ENDED_CONNECTION = /^(Connection terminated|Client has encountered a connection error|Client was closed)/;
/** Node's socket and stream errors (`ECONNRESET`, `EPIPE`, `ERR_STREAM_DESTROYED`…): the connection is gone. */
const SOCKET_ERROR_CODE = /^(E[A-Z]+|ERR_STREAM_[A-Z_]+|ERR_SOCKET_[A-Z_]+)$/;

/**
 * True when the connection was lost: a socket error, node-postgres reporting the connection
 * ended, the watch cutting a silent one, or the server ending the session (admin shutdown,
 * `idle_in_transaction_session_timeout`: SQLSTATE class 57P, 25P03). A database error on a
 * statement leaves the connection usable; any other error (a `TypeError` of ours, a value
 * JSON cannot hold) is not a lost connection and is never run again (fresh reviewer 86, F4).
 */
function isLostConnection(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) return /^(57P|25P03)/.test(error.code ?? '');
  if (error instanceof SilentConnectionError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return (typeof code === 'string' && SOCKET_ERROR_CODE.test(code)) || ENDED_CONNECTION.test(error.message);
}

/**
 * True when a new connection failed because the server is not there for now: refused or
 * reset (it is restarting), its Unix socket gone, or the server starting up or shutting down
 * (SQLSTATE 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now:
 * https://www.postgresql.org/docs/current/errcodes-appendix.html). A refused password, a
 * database that does not exist, a host that does not resolve or a connection that timed out
 * (a cut network: the wait would be as long each time) is not waited for.
 */
function isServerAway(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) return /^57P0[123]$/.test(error.code ?? '');
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  // A connection that timed out waits on a network that answers nothing: not waited for again (see `using`).
  if (/timeout/i.test(error.message)) return false;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ENOENT' || ENDED_CONNECTION.test(error.message);
}

/** True when the connection must not go back to the pool: lost, or left in a state not known (any error but the database's own or ours). */
function mustDrop(error: unknown): boolean {
  if (error instanceof SyncError) return false;
  return isLostConnection(error) || !(error instanceof pg.DatabaseError);
}

/**
 * {@link StateStore} on Postgres, for state every machine shares: tables in their own schema
 * (`syncmodes` by default; the same database may hold pg-boss's `pgboss`). Each fenced
 * write (`put`, `remove` with a lease) is one transaction that first locks the sync's lease
 * row and checks its epoch (`lease_lost` otherwise), then writes every entry in one
 * multi-row upsert. `index()` streams rows with a cursor into the kit's columnar
 * `StateIndex`. Lease times come from the database server's clock. The connection URL's
 * credentials never appear in its errors.
 *
 * @throws `StateStoreError`: `state_unreadable` when the database refuses the user or does
 *   not exist, `state_unwritable` when it cannot be reached or a statement fails (see
 *   {@link pgStoreError}); `LeaseLostError` and `SyncRunningError` as the interface says.
 */
export class PostgresStateStore implements StateStore {
  private readonly leases: PgLeases;
  private readonly records: PgRecords;
  private readonly runs: PgRuns;
  private readonly syncs: PgSyncs;

  private constructor(
    /** The connection pool (shared with callers that need the same database, e.g. a worker's limiter). */
    readonly pool: pg.Pool,
    private readonly url: string,
    schema: string,
    /** See {@link silenceLimitMs}. */
    private readonly silenceMs: number,
    /** Waits for the server while it is away (see {@link PostgresStateStoreOptions.reconnectWaitMs}); none while the store opens. */
    private readonly wait: ServerWait,
  ) {
    const s = pg.escapeIdentifier(schema);
    this.leases = new PgLeases(`${s}.leases`);
    this.records = new PgRecords(`${s}.records`);
    this.runs = new PgRuns(`${s}.runs`, `${s}.run_results`);
    this.syncs = new PgSyncs(`${s}.syncs`, `${s}.records`, `${s}.leases`);
  }

  /**
   * Connects and creates the schema and its tables when missing.
   *
   * @param url - `postgres://user:password@host:port/database` (credentials are never echoed).
   */
  static async open(url: string, options: PostgresStateStoreOptions = {}): Promise<PostgresStateStore> {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 4,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 15_000,
      application_name: 'syncmodes',
      keepAlive: true,
      idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 10_000,
      statement_timeout: options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
    });
    // An idle connection the server closed (restart, failover) must not crash the process: the next query reconnects.
    pool.on('error', () => undefined);
    // So must one the server ends (57P01: a restart, a failover) at any other moment — between a statement and its release,
    // or after a broken one was dropped: every connection ignores its 'error' event from the start (a new-user check saw two
    // uncaught 57P01 while the server was stopped mid-run). Statements still fail with the error, which is what counts.
    pool.on('connect', (client) => client.on('error', ignoreError));
    const store = new PostgresStateStore(pool, url, options.schema ?? DEFAULT_SCHEMA, silenceLimitMs(options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS), new ServerWait(0, options.signal));
    try {
      await store.using('creating its tables', (client) => ensureSchema(client, options.schema ?? DEFAULT_SCHEMA, pg.escapeIdentifier));
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    store.wait.setWaitMs(options.reconnectWaitMs ?? DEFAULT_RECONNECT_WAIT_MS);
    return store;
  }

  /**
   * Runs `fn` on a pooled connection, turning errors into the store's typed errors. With
   * `lost` {@link AGAIN}, a connection lost mid-way (the server ended the session) is dropped and
   * `fn` runs again on the next one: only for idempotent work, which the lost session rolled
   * back. A restart ends every idle pooled connection at once and the pool hands them out in
   * turn, so `fn` may run once per pooled connection, then once on a new one (fresh reviewer
   * 86). A connection that went silent (a cut network) is not tried again: a new one would
   * wait on the same network, and the silence is the error to report.
   */
  private async using<T>(doing: string, fn: (client: pg.PoolClient) => Promise<T>, lost: LostConnection = ONCE): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.connect();
      } catch (error) {
        throw pgStoreError(error, this.url, doing, this.wait.awayForMs());
      }
      // The server ending the session while the client is checked out (a paused process, a
      // restart) is emitted as an 'error' event: without a listener it would crash the
      // process; the statement in progress, or the next one, fails with it instead.
      client.on('error', ignoreError);
      const unwatch = watchSilence(client, this.silenceMs);
      let broken = false;
      try {
        return await fn(client);
      } catch (error) {
        broken = mustDrop(error);
        if (isLostConnection(error) && lost === AGAIN && attempt <= (this.pool.options.max ?? 4) && !(error instanceof SilentConnectionError)) continue;
        throw pgStoreError(error, this.url, doing);
      } finally {
        unwatch();
        client.off('error', ignoreError);
        client.release(broken);
      }
    }
  }

  /** A pooled connection, waiting while the server is away ({@link isServerAway}; see `ServerWait`). */
  private connect(): Promise<pg.PoolClient> {
    return this.wait.connect(() => this.pool.connect(), isServerAway);
  }

  /**
   * A read: a connection the server has just ended (a restart, a failover: 57P01), which the
   * pool can hand out before it hears of it, is dropped and the read runs again (see `using`).
   */
  private read<T>(doing: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.using(doing, fn, AGAIN);
  }

  /**
   * Runs `fn` in one transaction (rolled back when it throws); `lost` {@link AGAIN} for
   * idempotent ones (the fenced writes, a lease taken, a run recorded): a lost session is
   * dropped and the transaction (with its lease check) runs again.
   */
  private transaction<T>(doing: string, fn: (client: pg.PoolClient) => Promise<T>, lost: LostConnection = ONCE): Promise<T> {
    return this.using(doing, async (client) => {
      await client.query('BEGIN');
      try {
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    }, lost);
  }

  registerSync(info: SyncInfo): Promise<void> {
    return this.using('registering the sync', (client) => this.syncs.register(client, info), AGAIN);
  }

  listSyncs(): Promise<SyncListing[]> {
    return this.read('listing the syncs', (client) => this.syncs.list(client));
  }

  forgetSync(syncId: string): Promise<number> {
    return this.transaction('forgetting the sync', (client) => this.syncs.forget(client, syncId));
  }

  groupCounts(syncId: string, groups: readonly string[]): Promise<Map<string, number>> {
    if (groups.length === 0) return Promise.resolve(new Map());
    return this.read('counting group members', (client) => this.records.groupCounts(client, syncId, groups));
  }

  entriesInGroup(syncId: string, group: string, page: { readonly after?: string | undefined; readonly limit: number }): Promise<StateEntry[]> {
    return this.read('reading group members', (client) => this.records.entriesInGroup(client, syncId, group, page));
  }

  acquireLease(syncId: string, options: AcquireLeaseOptions): Promise<SyncLease> {
    // Idempotent for one holder (its own lease is taken again): a lost session is replaced and it runs again.
    return this.transaction('taking the sync’s lease', (client) => this.leases.acquire(client, syncId, options), AGAIN);
  }

  renewLease(lease: SyncLease, ttlMs: number): Promise<void> {
    // One conditional UPDATE each, idempotent: a session the server has just ended (a restart, a failover) is
    // replaced and the statement runs again, rather than stop the run (lease_lost) or hold the sync until the lease expires.
    return this.using('renewing the sync’s lease', (client) => this.leases.renew(client, lease, ttlMs), AGAIN);
  }

  releaseLease(lease: SyncLease): Promise<void> {
    return this.using('releasing the sync’s lease', (client) => this.leases.release(client, lease), AGAIN);
  }

  index(syncId: string): Promise<StateIndex> {
    return this.read('reading the state index', (client) => this.records.index(client, syncId));
  }

  get(syncId: string, recordIds: readonly string[]): Promise<Map<string, StateEntry>> {
    if (recordIds.length === 0) return Promise.resolve(new Map());
    return this.read('reading state entries', (client) => this.records.get(client, syncId, recordIds));
  }

  findByDestinationIds(syncId: string, destinationIds: readonly string[]): Promise<StateEntry[]> {
    if (destinationIds.length === 0) return Promise.resolve([]);
    return this.read('reading state entries', (client) => this.records.findByDestinationIds(client, syncId, destinationIds));
  }

  trackedElsewhere(syncId: string, destinationIds: readonly string[]): Promise<Map<string, string[]>> {
    if (destinationIds.length === 0) return Promise.resolve(new Map());
    return this.read('reading other syncs’ state', (client) => this.syncs.trackedElsewhere(client, syncId, destinationIds));
  }

  put(syncId: string, entries: readonly StateEntry[], lease?: SyncLease): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    const now = Date.now();
    return this.transaction(WRITING, async (client) => {
      if (lease) await this.leases.check(client, lease);
      await this.records.put(client, syncId, entries, now);
    }, AGAIN);
  }

  remove(syncId: string, recordIds: readonly string[], lease?: SyncLease): Promise<void> {
    if (recordIds.length === 0) return Promise.resolve();
    return this.transaction(WRITING, async (client) => {
      if (lease) await this.leases.check(client, lease);
      await this.records.remove(client, syncId, recordIds);
    }, AGAIN);
  }

  count(syncId: string, filter: 'all' | 'owned' = 'all'): Promise<number> {
    return this.read('counting state entries', (client) => this.records.count(client, syncId, filter));
  }

  recordRun(run: RunRecord, keep?: number): Promise<void> {
    // Idempotent (the run's row replaced, then the history trimmed): a session the server has just ended is replaced and
    // it runs again. A worker that could not record its run's end left it `running` in the history.
    return this.transaction('recording the run', (client) => this.runs.record(client, run, keep), AGAIN);
  }

  /**
   * Records a running run's figures so far (counts, actions, codes: what `listRuns` shows),
   * in one statement that changes the run only while it is still recorded `running`: a run
   * already recorded as ended — by its own worker, or closed `worker_lost` by another — is
   * left as it is. Its sample records are not touched (they come with the final
   * `recordRun`). `run.status` must be `running`.
   *
   * @returns whether the run was still running (and so was updated).
   */
  recordRunProgress(run: RunListing): Promise<boolean> {
    if (run.status !== 'running') return Promise.reject(new TypeError(`recordRunProgress takes a running run, not ${run.status}`));
    return this.using('recording the run progress', (client) => this.runs.progress(client, run), AGAIN);
  }

  listRuns(query?: RunQuery): Promise<RunListing[]> {
    return this.read('reading the run history', (client) => this.runs.list(client, query));
  }

  /**
   * The runs recorded for one queue job (a worker's pg-boss job id, `RunListing.jobId`), oldest
   * first: each attempt of the job records its own run. Indexed (`runs_by_job`).
   *
   * @throws StateStoreError `state_unwritable` / `state_unreadable` when the database fails (see `pgStoreError`).
   */
  runsOfJob(jobId: string): Promise<RunListing[]> {
    return this.read('reading the run history', (client) => this.runs.ofJob(client, jobId));
  }

  getRun(runId: string): Promise<RunRecord | undefined> {
    return this.read('reading the run history', (client) => this.runs.get(client, runId));
  }

  private closed = false;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wait.end();
    await this.pool.end();
  }
}
