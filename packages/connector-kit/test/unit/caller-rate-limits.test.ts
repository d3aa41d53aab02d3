import { describe, expect, it } from 'vitest';
import { Caller, unannouncedWaitMs } from '../../src/engine/calls/caller';
import { Pacer } from '../../src/engine/calls/pacer';
import { DEFAULT_RETRY_POLICY } from '../../src/engine/calls/retry-policy';
import { sendBatch } from '../../src/engine/calls/send-batch';
import { RateLimitError, SyncError } from '../../src/errors/sync-error';
import { parseRetryAfter } from '../../src/errors/retry-after';
import { silentLogger } from '../../src/logging/logger';

/** Short waits, so that a bounded number of answers is reached in milliseconds: 10, 20, 40, 40… ms for answers without a wait. */
const policy = { ...DEFAULT_RETRY_POLICY, minTimeoutMs: 1, maxTimeoutMs: 40, defaultRateLimitWaitMs: 10, maxRateLimitWaitMs: 75 };
/** After this many rate-limit answers the fake destination answers: an unbounded caller gets through instead of stopping. */
const GIVES_IN_AFTER = 30;

function destination(retryAfterMs: number | undefined) {
  let sent = 0;
  return {
    get sent() {
      return sent;
    },
    call: async () => {
      sent++;
      if (sent > GIVES_IN_AFTER) return 'answered';
      throw new RateLimitError('rate limited (HTTP 429)', retryAfterMs, { status: 429 });
    },
  };
}

describe('Caller: rate limits are waited, never forever (issue #17)', () => {
  it('answers without a wait (Salesforce REQUEST_LIMIT_EXCEEDED) are backed off 10, 20, 40 ms… until the waits would pass the maximum: rate_limited stops the run after 4 requests', async () => {
    const pacer = new Pacer({ concurrency: 1 });
    const waits: number[] = [];
    const caller = new Caller(pacer, policy, silentLogger, new AbortController().signal, (e) => e.kind === 'rate_limited' && waits.push(e.waitMs));
    const vendor = destination(undefined);
    await expect(caller.call('connect', vendor.call)).rejects.toMatchObject({ code: 'rate_limited', retryable: true });
    // 10 + 20 + 40 = 70 ms waited; the next wait (40 ms) would make 110 > 75.
    expect(waits).toEqual([10, 20, 40]);
    expect(vendor.sent).toBe(4);
    expect(caller.stopped?.code).toBe('rate_limited');
    expect(caller.stopped?.message).toMatch(/answered "rate limited" 4 times in a row to one connect call, never saying how long to wait; it waited 0\.1 s/);
    expect(caller.stopped?.message).toContain('last answer: rate limited (HTTP 429)');
    expect(caller.stats.rateLimited).toBe(4);
    pacer.release();
  });

  it('calls that each wait less than the maximum while no call gets through still stop the run once the rate-limited time passes it (fourteenth trial of #17: 754 s under a 300 s bound with 4 calls at once)', async () => {
    const pacer = new Pacer({ concurrency: 1 });
    const caller = new Caller(pacer, policy, silentLogger, new AbortController().signal);
    let sent = 0;
    // Each call: two rate-limit answers (10 + 20 ms waited, under the 75 ms a call may wait), then an answer that fails it.
    const call = async () => {
      sent++;
      if (sent % 3 !== 0) throw new RateLimitError('rate limited (HTTP 429)', undefined, { status: 429 });
      throw new SyncError('invalid_value', 'refused', { retryable: false });
    };
    const codes: string[] = [];
    for (let i = 0; i < 10 && caller.stopped === undefined; i++) codes.push(await caller.call('find', call).then(() => 'ok', (e: SyncError) => e.code));
    // Without the run's bound every call would fail invalid_value, for ever.
    expect(codes.at(-1)).toBe('rate_limited');
    expect(codes.length).toBeLessThanOrEqual(3);
    expect(caller.stopped?.message).toMatch(/has answered every call "rate limited", holding the run for 0\.\d s \(no call got through since\)/);
    pacer.release();
  });

  it('Retry-After: 0 on every answer is not retried at once for ever: from the second answer the backoff is the floor (0, 10, 20, 40 ms), then rate_limited (trial of stop 23: 179,494 requests in 200 s)', async () => {
    const pacer = new Pacer({ concurrency: 1 });
    const waits: number[] = [];
    const caller = new Caller(pacer, policy, silentLogger, new AbortController().signal, (e) => e.kind === 'rate_limited' && waits.push(e.waitMs));
    const vendor = destination(0);
    await expect(caller.call('create', vendor.call)).rejects.toMatchObject({ code: 'rate_limited', retryable: true });
    expect(waits).toEqual([0, 10, 20, 40]);
    expect(vendor.sent).toBe(5);
    pacer.release();
  });

  it('a stop while calls are held by a long Retry-After ends their wait at once: the queued call refuses without being sent', async () => {
    const pacer = new Pacer({ concurrency: 1 });
    const caller = new Caller(pacer, { ...policy, maxRateLimitWaitMs: 3_600_000 }, silentLogger, new AbortController().signal);
    pacer.hold(3_600_000);
    let sent = 0;
    const queued = caller.call('create', async () => ++sent);
    const started = Date.now();
    caller.stop(new RateLimitError('stopped by the test', undefined));
    await expect(queued).rejects.toBeDefined();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(sent).toBe(0);
    pacer.release();
  });

  it('a stop while calls wait for a place in a full rate-limit window ends their wait at once', async () => {
    const pacer = new Pacer({ concurrency: 4, rateLimit: { requests: 1, intervalMs: 3_600_000 } });
    const caller = new Caller(pacer, policy, silentLogger, new AbortController().signal);
    await caller.call('find', async () => 'first');
    let sent = 0;
    const waiting = caller.call('find', async () => ++sent);
    await new Promise((r) => setTimeout(r, 20));
    caller.stop(new RateLimitError('stopped by the test', undefined));
    await expect(waiting).rejects.toBeDefined();
    expect(sent).toBe(0);
    pacer.release();
  });

  it('a Retry-After longer than the maximum stops the run at once: one request', async () => {
    const pacer = new Pacer({ concurrency: 1 });
    const caller = new Caller(pacer, policy, silentLogger, new AbortController().signal);
    const vendor = destination(3_600_000);
    await expect(caller.call('create', vendor.call)).rejects.toMatchObject({ code: 'rate_limited' });
    expect(vendor.sent).toBe(1);
    expect(caller.stopped?.message).toMatch(/^The destination asked to wait 3600 s \(Retry-After, or its rate-limit headers. reset time\), longer than the 0\.1 s this run may wait/);
    pacer.release();
  });

  it('short Retry-After waits in a row to one call add up: stopped once they would pass the maximum (30 + 30 ms, then 3 requests)', async () => {
    const pacer = new Pacer({ concurrency: 1 });
    const caller = new Caller(pacer, policy, silentLogger, new AbortController().signal);
    const vendor = destination(30);
    await expect(caller.call('find', vendor.call)).rejects.toMatchObject({ code: 'rate_limited' });
    expect(vendor.sent).toBe(3);
    expect(caller.stopped?.message).toMatch(/3 times in a row to one find call; it waited 0\.1 s and the next wait \(0 s\)/);
    pacer.release();
  });

  it('a call that gets through within the maximum is not stopped, and the next call starts its own count', async () => {
    const pacer = new Pacer({ concurrency: 1 });
    const caller = new Caller(pacer, { ...policy, maxRateLimitWaitMs: 1_000 }, silentLogger, new AbortController().signal);
    let sent = 0;
    const twice = async () => {
      if (++sent % 3 !== 0) throw new RateLimitError('rate limited', undefined);
      return sent;
    };
    expect(await caller.call('find', twice)).toBe(3);
    expect(await caller.call('find', twice)).toBe(6);
    expect(caller.stopped).toBeUndefined();
    pacer.release();
  });

  it('items rate-limited on their own in a batch answer are bounded the same way (sendBatch)', async () => {
    const pacer = new Pacer({ concurrency: 1 });
    const caller = new Caller(pacer, policy, silentLogger, new AbortController().signal);
    let sent = 0;
    const send = async (items: readonly string[]) => {
      sent++;
      return items.map(() => (sent > GIVES_IN_AFTER ? { ok: true as const, id: 'x' } : { ok: false as const, error: new RateLimitError('rate limited for this user', undefined) }));
    };
    await expect(sendBatch(caller, 'update', ['a', 'b'], send)).rejects.toMatchObject({ code: 'rate_limited' });
    expect(sent).toBe(4);
    pacer.release();
  });

  it('the default policy backs off 1, 2, 4, 8, 16, 30, 30… s when the destination says no wait', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => unannouncedWaitMs(DEFAULT_RETRY_POLICY, n))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });
});

describe('Caller: calls in flight when the run signal aborts', () => {
  it('are abandoned at once with the run stop, whatever their request is doing', async () => {
    const pacer = new Pacer({ concurrency: 1 });
    const run = new AbortController();
    const caller = new Caller(pacer, policy, silentLogger, run.signal);
    let received: AbortSignal | undefined;
    const hung = caller.call('create', () => new Promise<never>(() => undefined));
    const seen = caller.call('find', async () => {
      received = run.signal;
      return 'never sent: the first call holds the only slot';
    });
    await new Promise((r) => setTimeout(r, 5));
    run.abort();
    await expect(hung).rejects.toMatchObject({ code: 'interrupted' });
    await expect(seen).rejects.toMatchObject({ code: 'interrupted' });
    expect(received).toBeUndefined();
    expect(caller.stats.calls.create).toBe(1);
    pacer.release();
  });
});

describe('parseRetryAfter (RFC 9110 §10.2.3)', () => {
  const now = Date.parse('2026-12-03T10:00:00Z');
  it('reads delay-seconds and HTTP-dates; a past date is 0; anything else is no wait', () => {
    expect(parseRetryAfter('3600', now)).toBe(3_600_000);
    expect(parseRetryAfter(' 0.5 ', now)).toBe(500);
    expect(parseRetryAfter('Thu, 03 Dec 2026 11:00:00 GMT', now)).toBe(3_600_000);
    expect(parseRetryAfter('Thu, 03 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});
