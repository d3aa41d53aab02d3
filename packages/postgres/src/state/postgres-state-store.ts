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
import { pgStoreError } from './pg-errors';
import { PgRecords } from './pg-records';
import { PgRuns } from './pg-runs';
import { PgSyncs } from './pg-syncs';
import { DEFAULT_SCHEMA, ensureSchema } from './pg-schema';

/** Options of {@link PostgresStateStore.open}. */
export interface PostgresStateStoreOptions {
  /** The schema holding syncmodes' tables (default `syncmodes`; created when missing). */
  readonly schema?: string | undefined;
  /** Most connections the store opens (default 4). */
  readonly poolSize?: number | undefined;
  /** How long to wait for a connection, ms (default 15,000). */
  readonly connectTimeoutMs?: number | undefined;
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
    });
    // An idle connection the server closed (restart, failover) must not crash the process: the next query reconnects.
    pool.on('error', () => undefined);
    const store = new PostgresStateStore(pool, url, options.schema ?? DEFAULT_SCHEMA);
    try {
      await store.using('creating its tables', (client) => ensureSchema(client, options.schema ?? DEFAULT_SCHEMA, pg.escapeIdentifier));
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return store;
  }

  /** Runs `fn` on a pooled connection, turning errors into the store's typed errors. */
  private async using<T>(doing: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw pgStoreError(error, this.url, doing);
    }
    let broken = false;
    try {
      return await fn(client);
    } catch (error) {
      // A database error leaves the connection usable; anything else (a lost socket) may not.
      broken = !(error instanceof SyncError) && !(error instanceof pg.DatabaseError);
      throw pgStoreError(error, this.url, doing);
    } finally {
      client.release(broken);
    }
  }

  /** Runs `fn` in one transaction (rolled back when it throws). */
  private transaction<T>(doing: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
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
    });
  }

  registerSync(info: SyncInfo): Promise<void> {
    return this.using('registering the sync', (client) => this.syncs.register(client, info));
  }

  listSyncs(): Promise<SyncListing[]> {
    return this.using('listing the syncs', (client) => this.syncs.list(client));
  }

  forgetSync(syncId: string): Promise<number> {
    return this.transaction('forgetting the sync', (client) => this.syncs.forget(client, syncId));
  }

  groupCounts(syncId: string, groups: readonly string[]): Promise<Map<string, number>> {
    if (groups.length === 0) return Promise.resolve(new Map());
    return this.using('counting group members', (client) => this.records.groupCounts(client, syncId, groups));
  }

  entriesInGroup(syncId: string, group: string, page: { readonly after?: string | undefined; readonly limit: number }): Promise<StateEntry[]> {
    return this.using('reading group members', (client) => this.records.entriesInGroup(client, syncId, group, page));
  }

  acquireLease(syncId: string, options: AcquireLeaseOptions): Promise<SyncLease> {
    return this.transaction('taking the sync’s lease', (client) => this.leases.acquire(client, syncId, options));
  }

  renewLease(lease: SyncLease, ttlMs: number): Promise<void> {
    return this.using('renewing the sync’s lease', (client) => this.leases.renew(client, lease, ttlMs));
  }

  releaseLease(lease: SyncLease): Promise<void> {
    return this.using('releasing the sync’s lease', (client) => this.leases.release(client, lease));
  }

  index(syncId: string): Promise<StateIndex> {
    return this.using('reading the state index', (client) => this.records.index(client, syncId));
  }

  get(syncId: string, recordIds: readonly string[]): Promise<Map<string, StateEntry>> {
    if (recordIds.length === 0) return Promise.resolve(new Map());
    return this.using('reading state entries', (client) => this.records.get(client, syncId, recordIds));
  }

  findByDestinationIds(syncId: string, destinationIds: readonly string[]): Promise<StateEntry[]> {
    if (destinationIds.length === 0) return Promise.resolve([]);
    return this.using('reading state entries', (client) => this.records.findByDestinationIds(client, syncId, destinationIds));
  }

  put(syncId: string, entries: readonly StateEntry[], lease?: SyncLease): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    const now = Date.now();
    return this.transaction('writing state', async (client) => {
      if (lease) await this.leases.check(client, lease);
      await this.records.put(client, syncId, entries, now);
    });
  }

  remove(syncId: string, recordIds: readonly string[], lease?: SyncLease): Promise<void> {
    if (recordIds.length === 0) return Promise.resolve();
    return this.transaction('writing state', async (client) => {
      if (lease) await this.leases.check(client, lease);
      await this.records.remove(client, syncId, recordIds);
    });
  }

  count(syncId: string, filter: 'all' | 'owned' = 'all'): Promise<number> {
    return this.using('counting state entries', (client) => this.records.count(client, syncId, filter));
  }

  recordRun(run: RunRecord, keep?: number): Promise<void> {
    return this.transaction('recording the run', (client) => this.runs.record(client, run, keep));
  }

  listRuns(query?: RunQuery): Promise<RunListing[]> {
    return this.using('reading the run history', (client) => this.runs.list(client, query));
  }

  getRun(runId: string): Promise<RunRecord | undefined> {
    return this.using('reading the run history', (client) => this.runs.get(client, runId));
  }

  private closed = false;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
