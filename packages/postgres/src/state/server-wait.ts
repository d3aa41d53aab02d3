import pRetry from 'p-retry';

/**
 * How a store waits for a Postgres server that is away (a `pg_ctl restart`, a failover):
 * a new connection is tried again with backoff (p-retry: 100 ms doubling to 2 s) while it is
 * refused, for at most `waitMs` from the first refusal — one deadline for every call, so calls
 * made one after another do not each wait it again (fresh reviewer 118, F3, F5: a CLI run
 * whose database died took 110 s to exit, 20 s per call). Past it, calls fail at once until a
 * connection succeeds again. {@link end} (a worker shutting down, Ctrl-C) ends every wait at
 * its next try, within 2 s (F2: a worker's stop waited its whole timeout).
 */
export class ServerWait {
  /** When the server was first found away (epoch ms); undefined while it answers. */
  private awaySince: number | undefined;
  private readonly ended = new AbortController();

  /**
   * @param waitMs - how long to wait from the first refusal, ms (0: never wait).
   * @param signal - ends every wait when aborted.
   */
  constructor(
    private waitMs: number,
    signal?: AbortSignal,
  ) {
    if (signal?.aborted) this.end();
    else signal?.addEventListener('abort', () => this.end(), { once: true });
  }

  /** Sets how long to wait (the store opens with 0, then takes its option). */
  setWaitMs(waitMs: number): void {
    this.waitMs = waitMs;
  }

  /** Ends every wait (at its next try, within 2 s); later calls are tried once, without waiting (they fail with the server's own error while it is away). */
  end(): void {
    this.ended.abort();
  }

  /** How long the server has been away, ms, when a wait for it failed; undefined when it has not been waited for. */
  awayForMs(): number | undefined {
    return this.awaySince === undefined || this.waitMs <= 0 ? undefined : Date.now() - this.awaySince;
  }

  /**
   * Runs `connect`, again while it fails with an error `isAway` says means the server is away,
   * within the deadline.
   *
   * @throws the last error of `connect` (the server's own: ECONNREFUSED, 57P03…).
   */
  async connect<T>(connect: () => Promise<T>, isAway: (error: unknown) => boolean): Promise<T> {
    // Not waiting (opening; or ended: a worker stopping still records its runs while the server answers).
    if (this.waitMs <= 0 || this.ended.signal.aborted) return connect();
    // No abort signal for p-retry: it would give up on a connection under way, which then arrives with nobody to release it
    // (a stopping worker's pool.end() waited for it for ever). An ended wait stops at the next attempt (at most 2 s).
    const connected = await pRetry(connect, {
      retries: Number.MAX_SAFE_INTEGER,
      minTimeout: 100,
      maxTimeout: 2_000,
      factor: 2,
      shouldRetry: ({ error }) => this.mayWait(error, isAway),
    });
    this.awaySince = undefined;
    return connected;
  }

  private mayWait(error: unknown, isAway: (error: unknown) => boolean): boolean {
    if (!isAway(error) || this.ended.signal.aborted) return false;
    const now = Date.now();
    this.awaySince ??= now;
    return now < this.awaySince + this.waitMs;
  }
}
