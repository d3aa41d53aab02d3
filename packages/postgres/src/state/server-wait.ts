import pRetry from 'p-retry';

/**
 * How a store waits for a Postgres server that is away (a `pg_ctl restart`, a failover):
 * a new connection is tried again with backoff (p-retry: 100 ms doubling to 2 s) while it is
 * refused, for at most `waitMs` from the first refusal — one deadline for every call, so calls
 * made one after another do not each wait it again (fresh reviewer 118, F3, F5: a CLI run
 * whose database died took 110 s to exit, 20 s per call). Past it, calls fail at once until a
 * connection succeeds again. {@link end} (a worker shutting down, Ctrl-C) ends every wait at
 * once (F2: a worker's stop waited its whole timeout).
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

  /** Ends every wait at once, and later ones: calls fail with the server's own error. */
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
    if (this.waitMs <= 0) return connect();
    let last: unknown;
    try {
      const connected = await pRetry(connect, {
        retries: Number.MAX_SAFE_INTEGER,
        minTimeout: 100,
        maxTimeout: 2_000,
        factor: 2,
        signal: this.ended.signal,
        shouldRetry: ({ error }) => {
          last = error;
          return this.mayWait(error, isAway);
        },
      });
      this.awaySince = undefined;
      return connected;
    } catch (error) {
      throw this.ended.signal.aborted && last !== undefined ? last : error;
    }
  }

  private mayWait(error: unknown, isAway: (error: unknown) => boolean): boolean {
    if (!isAway(error) || this.ended.signal.aborted) return false;
    const now = Date.now();
    this.awaySince ??= now;
    return now < this.awaySince + this.waitMs;
  }
}
