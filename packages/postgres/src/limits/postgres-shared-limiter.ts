import { MAX_SHARED_HOLD_MS, type Logger, type SharedLimiter } from '@syncmodes/connector-kit';
import pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { pgStoreError } from '../state/pg-errors';
import { DEFAULT_SCHEMA, NOW_MS } from '../state/pg-schema';
import { sharedBudget, type RateLimit, type SharedBudget } from './shared-budget';

/** Options of {@link PostgresSharedLimiter.create}. */
export interface PostgresSharedLimiterOptions {
  /** A pool on the database every worker shares (e.g. `PostgresStateStore.pool`). */
  readonly pool: pg.Pool;
  /** The destination account (see `accountKeyOf`): every process with the same key shares one budget. */
  readonly accountKey: string;
  /** The destination's declared limit; without one, only holds are shared. */
  readonly rateLimit?: RateLimit | undefined;
  /** The schema of syncmodes' tables (default `syncmodes`). */
  readonly schema?: string | undefined;
  /** How often the shared hold is read while no hold is known, ms (default 1,000). */
  readonly holdCheckMs?: number | undefined;
  /** When it aborts (the run is stopping), waits end at once: the run's own stop then refuses the call. */
  readonly signal?: AbortSignal | undefined;
  readonly logger?: Logger | undefined;
  /** This machine's clock, ms since the epoch (default `Date.now`); tests give a lagging one. */
  readonly now?: (() => number) | undefined;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Creates the limiter's tables when missing: the holds, and rate-limiter-flexible's own
 * table (its layout: https://github.com/animir/node-rate-limiter-flexible/wiki/PostgreSQL),
 * in one transaction under an advisory lock, so workers starting together never race.
 */
async function createTables(pool: pg.Pool, schema: string): Promise<void> {
  const s = pg.escapeIdentifier(schema);
  const client = await pool.connect();
  // A checked-out client has no pool listener: a session the server ends (a restart, a
  // failover: 57P01) emits 'error' once its statement has failed, and unheard that ends the
  // process (a worker's 57P01 test, seen in a full run). The statement's own error is thrown.
  client.on('error', ignoreError);
  let failed = false;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`syncmodes-limits:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.quota_holds (account_key text PRIMARY KEY, held_until bigint NOT NULL)`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}."rate_limits" (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`);
    await client.query('COMMIT');
  } catch (error) {
    failed = true;
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.off('error', ignoreError);
    // After a failure the connection may be gone or mid-transaction: the pool discards it.
    client.release(failed);
  }
}

const ignoreError = (): void => undefined;

/** Keys per account, used in turn by consecutive sub-windows. */
const KEYS_PER_ACCOUNT = 8;
/**
 * How many sub-windows a key lives from its first grant. rate-limiter-flexible starts a key's
 * life at its first call, not at its sub-window's start, so a key of one sub-window's length
 * could expire just after its sub-window ended while a call that read the grid before the
 * end was still on its way to the database: that call would find a fresh key and be granted
 * beyond the budget (CI: 113 grants for a budget of 112). Living 4 sub-windows, a key counts
 * every call that reaches the database up to 3 sub-windows after reading the grid, and has
 * expired (first grant + 4 < its sub-window + 5) before its turn comes again 8 later.
 */
const KEY_LIFE_SUB_WINDOWS = 4;

/**
 * A destination account's rate limit shared by every worker, on Postgres: a
 * rate-limiter-flexible `RateLimiterPostgres` counting the calls of each sub-window of a
 * grid (sized by {@link sharedBudget}: never more than 97% of the limit in any vendor
 * window, no gap between sub-windows; the grid is read on each machine's clock, so the
 * workers' clocks must be in sync, as NTP keeps them, to a small part of a sub-window); and
 * a shared hold row (`quota_holds.held_until`, on the database clock): a 429
 * with `Retry-After` seen by one worker holds every worker on the account. Plugs into the
 * kit as `RunSyncOptions.sharedLimiter`. When the database cannot be reached, calls go on
 * under each process's own pacing (a warning is logged) rather than stopping.
 */
export class PostgresSharedLimiter implements SharedLimiter {
  private heldUntil = 0;
  private checkedAt = 0;
  private warned = false;

  private readonly now: () => number;

  private constructor(
    private readonly options: PostgresSharedLimiterOptions,
    private readonly holds: string,
    private readonly limiter: RateLimiterPostgres | undefined,
    /** How the limit is cut, when there is one. */
    readonly budget: SharedBudget | undefined,
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Creates the tables when missing (`rate_limits`, `quota_holds` in the syncmodes schema).
   *
   * @throws StateStoreError `state_unwritable` (retryable) when the database fails meanwhile
   *   (unreachable, its session ended: a restart or failover), `state_unreadable` when it
   *   refuses the user (see `pgStoreError`).
   */
  static async create(options: PostgresSharedLimiterOptions): Promise<PostgresSharedLimiter> {
    const schema = options.schema ?? DEFAULT_SCHEMA;
    const holds = `${pg.escapeIdentifier(schema)}.quota_holds`;
    await createTables(options.pool, schema).catch((error: unknown) => {
      // Typed (state_unwritable, retryable), so a run that could not start on a lost connection is tried again: a worker's
      // run whose tables were being checked as Postgres ended its sessions was dead-lettered as unexpected_error.
      throw pgStoreError(error, options.pool.options.connectionString ?? '', "creating the shared rate limit's tables");
    });
    let limiter: RateLimiterPostgres | undefined;
    const budget = options.rateLimit ? sharedBudget(options.rateLimit) : undefined;
    if (budget) {
      // The table exists (createTables): the limiter is ready at once, no callback to wait for.
      limiter = new RateLimiterPostgres({
        storeClient: options.pool,
        storeType: 'pool',
        schemaName: schema,
        tableName: 'rate_limits',
        tableCreated: true,
        keyPrefix: 'account',
        points: budget.points,
        // A key lives KEY_LIFE_SUB_WINDOWS from its first call; it is used again KEYS_PER_ACCOUNT sub-windows later.
        duration: (KEY_LIFE_SUB_WINDOWS * budget.durationMs) / 1000,
      });
    }
    return new PostgresSharedLimiter(options, holds, limiter, budget);
  }

  /** The current sub-window of the grid (this machine's clock: workers' clocks are kept in sync by NTP), and ms until the next one starts. */
  private cell(): { index: number; msToNext: number } {
    const d = (this.budget as SharedBudget).durationMs;
    const now = this.now();
    const index = Math.floor(now / d);
    return { index, msToNext: (index + 1) * d - now };
  }

  /** Ms left of the account's shared hold (0 when none), read at most every `holdCheckMs`. */
  private async heldFor(): Promise<number> {
    const now = this.now();
    if (this.heldUntil > now) return this.heldUntil - now;
    if (now - this.checkedAt < (this.options.holdCheckMs ?? 1_000)) return 0;
    this.checkedAt = now;
    const { rows } = await this.options.pool.query<{ wait: string }>(`SELECT held_until - ${NOW_MS} AS wait FROM ${this.holds} WHERE account_key = $1`, [
      this.options.accountKey,
    ]);
    // At most MAX_SHARED_HOLD_MS however long the row says: one written before the cap, or by a process without it, held for
    // 40 days (fresh reviewer 111, F5).
    const wait = Math.min(MAX_SHARED_HOLD_MS, Math.max(0, Number(rows[0]?.wait ?? 0)));
    if (wait > 0) this.heldUntil = this.now() + wait;
    return wait;
  }

  private degrade(error: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.options.logger?.warn('the shared rate limit is unavailable; pacing per process only', { code: (error as { code?: string }).code ?? 'unknown' });
  }

  async acquire(n: number): Promise<void> {
    const signal = this.options.signal;
    let failures = 0;
    for (;;) {
      if (signal?.aborted) return;
      try {
        const wait = await this.heldFor();
        if (wait > 0) {
          // In steps of at most a minute: a timer longer than 2^31 - 1 ms fires at once (Node's TimeoutOverflowWarning), and
          // a hold another process wrote for days spun this loop (fresh reviewer 110, F4).
          await sleep(Math.min(wait, 60_000), signal);
          continue;
        }
        if (!this.limiter) return;
        const cell = this.cell();
        try {
          await this.limiter.consume(`${this.options.accountKey}#${cell.index % KEYS_PER_ACCOUNT}`, n);
          return;
        } catch (thrown) {
          if (!(thrown instanceof RateLimiterRes)) throw thrown;
          // This sub-window's calls are spent: wait for the next one.
          await sleep(Math.max(1, this.cell().msToNext), signal);
        }
      } catch (thrown) {
        // A database hiccup: try again a few times before going on under local pacing only.
        if (++failures < 3) {
          await sleep(100 * failures, signal);
          continue;
        }
        this.degrade(thrown);
        return;
      }
    }
  }

  hold(ms: number): void {
    if (ms <= 0) return;
    this.heldUntil = Math.max(this.heldUntil, this.now() + ms);
    this.options.pool
      .query(
        `INSERT INTO ${this.holds} (account_key, held_until) VALUES ($1, ${NOW_MS} + $2::bigint)
         ON CONFLICT (account_key) DO UPDATE SET held_until = greatest(${this.holds}.held_until, EXCLUDED.held_until)`,
        [this.options.accountKey, Math.round(ms)],
      )
      .catch((error: unknown) => this.degrade(error));
  }
}
