import { describe, expect, it } from 'vitest';
import { Pacer } from '../../src/engine/calls/pacer';

/** Runs `count` calls through a pacer; each takes a varying time; returns when each started and ended (epoch ms). */
async function record(pacer: Pacer, count: number): Promise<{ start: number; end: number }[]> {
  const calls: { start: number; end: number }[] = [];
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      pacer.run(async () => {
        const call = { start: Date.now(), end: 0 };
        calls.push(call);
        await new Promise((r) => setTimeout(r, (i * 7) % 13));
        call.end = Date.now();
      }),
    ),
  );
  return calls.sort((a, b) => a.start - b.start);
}

describe('Pacer', () => {
  it('starts call k no sooner than an interval after call k − N was answered', async () => {
    const requests = 5;
    const intervalMs = 60;
    const calls = await record(new Pacer({ concurrency: 4, rateLimit: { requests, intervalMs } }), 23);
    expect(calls).toHaveLength(23);
    // Whatever the vendor counts (arrival lies between start and answer), no interval ever holds more than N arrivals.
    const answers = calls.map((c) => c.end).sort((a, b) => a - b);
    calls.forEach((call, k) => {
      if (k >= requests) expect(call.start).toBeGreaterThanOrEqual((answers[k - requests] as number) + intervalMs);
    });
  });

  it('counts only the call kinds the rate limit names; the others wait for no place in the window', async () => {
    const pacer = new Pacer({ concurrency: 4, rateLimit: { requests: 2, intervalMs: 200, callKinds: ['update'] } });
    const started: { kind: string; at: number }[] = [];
    const t0 = Date.now();
    const call = (kind: 'find' | 'update') => pacer.run(async () => void started.push({ kind, at: Date.now() - t0 }), kind);
    await Promise.all([call('update'), call('update'), call('update'), call('find'), call('find'), call('find')]);
    pacer.release();
    const finds = started.filter((s) => s.kind === 'find');
    const updates = started.filter((s) => s.kind === 'update').sort((a, b) => a.at - b.at);
    // The third update waits an interval for a place; the finds, queued behind it, do not.
    expect(finds.every((f) => f.at < 100)).toBe(true);
    expect(updates[2]?.at).toBeGreaterThanOrEqual(200);
  });

  it('keeps at most `concurrency` calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const pacer = new Pacer({ concurrency: 3 });
    await Promise.all(
      Array.from({ length: 20 }, () =>
        pacer.run(async () => {
          inFlight++;
          most = Math.max(most, inFlight);
          await new Promise((r) => setTimeout(r, 2));
          inFlight--;
        }),
      ),
    );
    expect(most).toBe(3);
  });

  it('holds queued calls until a hold ends', async () => {
    const pacer = new Pacer({ concurrency: 2, rateLimit: { requests: 100, intervalMs: 1_000 } });
    const heldAt = Date.now();
    pacer.hold(80);
    const calls = await record(pacer, 4);
    for (const call of calls) expect(call.start).toBeGreaterThanOrEqual(heldAt + 80);
    pacer.release();
  });

  it('never starts a held call before the hold ends, though a timer may fire a millisecond early', async () => {
    const pacer = new Pacer({ concurrency: 1 });
    const early: number[] = [];
    for (let i = 0; i < 300; i++) {
      const ms = 1 + (i % 4);
      const heldUntil = Date.now() + ms;
      pacer.hold(ms);
      const start = await pacer.run(async () => Date.now());
      if (start < heldUntil) early.push(heldUntil - start);
    }
    expect(early).toEqual([]);
  });
});

describe('Pacer with a shared limiter (several workers on one account)', () => {
  /** A budget of `tokens` calls shared in this test as another process would share it; holds recorded. */
  function budget(tokens: number) {
    const state = { tokens, acquired: 0, holds: [] as number[], waiting: [] as (() => void)[] };
    return {
      state,
      limiter: {
        acquire: async (n: number) => {
          while (state.tokens < n) await new Promise<void>((r) => state.waiting.push(r));
          state.tokens -= n;
          state.acquired += n;
        },
        hold: (ms: number) => state.holds.push(ms),
      },
      refill(n: number) {
        state.tokens += n;
        for (const w of state.waiting.splice(0)) w();
      },
    };
  }

  it('every call takes a token of the shared budget before it starts, and waits while the budget is spent', async () => {
    const b = budget(3);
    const pacer = new Pacer({ concurrency: 4, rateLimit: { requests: 100, intervalMs: 1_000 } }, b.limiter);
    let done = 0;
    const calls = Array.from({ length: 5 }, () => pacer.run(async () => void done++));
    await new Promise((r) => setTimeout(r, 30));
    expect(done).toBe(3);
    b.refill(2);
    await Promise.all(calls);
    expect(done).toBe(5);
    expect(b.state.acquired).toBe(5);
    pacer.release();
  });

  it('a hold (a 429 with Retry-After, or headers with few calls left) is passed on to every process on the account', () => {
    const b = budget(10);
    const pacer = new Pacer({ concurrency: 2 }, b.limiter);
    pacer.hold(1_500);
    pacer.hold(pacer.resetWaitMs({ remaining: 0, resetAtMs: Date.now() + 2_000 }));
    expect(b.state.holds).toHaveLength(2);
    expect(b.state.holds[0]).toBe(1_500);
    pacer.release();
  });
});
