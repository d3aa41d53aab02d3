import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setMaxListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { Caller } from '../../src/engine/calls/caller';
import { Pacer } from '../../src/engine/calls/pacer';
import { DEFAULT_RETRY_POLICY } from '../../src/engine/calls/retry-policy';
import { AuthError, RetryableError, SyncError } from '../../src/errors/sync-error';
import { StateStoreError } from '../../src/errors/run-errors';
import { RunLease } from '../../src/engine/run/run-lease';
import { silentLogger } from '../../src/logging/logger';
import { MemoryStateStore } from '../../src/state/memory-state-store';

/** One real HTTP request answered (a local server): what tells the caller the destination is there. */
async function answeredRequest(): Promise<void> {
  const server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)).text();
  } finally {
    server.close();
  }
}

describe('Caller after a run-stopping error', () => {
  it('starts no queued call once a call in flight was refused for authentication', async () => {
    const pacer = new Pacer({ concurrency: 1 });
    const caller = new Caller(pacer, DEFAULT_RETRY_POLICY, silentLogger, new AbortController().signal);
    const started: string[] = [];
    const call = (name: string, fail: boolean) =>
      caller.call('add_to_group', async () => {
        started.push(name);
        await new Promise((r) => setTimeout(r, 5));
        if (fail) throw new AuthError('token expired');
        return name;
      });
    const results = await Promise.allSettled([call('first', true), call('second', false), call('third', false)]);
    expect(started).toEqual(['first']);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(caller.stopped?.code).toBe('authentication_failed');
    expect(caller.stats.calls.add_to_group).toBe(1);
    pacer.release();
  });
});

describe('Caller gate: a run whose lease lapsed sends nothing more', () => {
  it('a lease not renewed for its whole time to live (the process was paused) stops the run with lease_lost before the next call is sent', async () => {
    const store = new MemoryStateStore();
    const lease = await RunLease.take(store, 'sync-1', { holder: 'host:1:job', ttlMs: 1_000 }, () => undefined);
    const pacer = new Pacer({ concurrency: 1 });
    const caller = new Caller(pacer, DEFAULT_RETRY_POLICY, silentLogger, new AbortController().signal);
    caller.gate(() => lease.lapsed());
    const sent: string[] = [];
    await caller.call('create', async () => sent.push('before the pause'));
    // SIGSTOP for longer than the lease lives: no heartbeat ran meanwhile.
    const now = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(now + 1_500);
    try {
      await expect(caller.call('create', async () => sent.push('after the pause'))).rejects.toMatchObject({ code: 'lease_lost' });
    } finally {
      clock.mockRestore();
    }
    expect(sent).toEqual(['before the pause']);
    expect(caller.stopped?.code).toBe('lease_lost');
    await lease.release();
    pacer.release();
  });
});

describe('RunLease: a state store failing once the lease lapsed', () => {
  // Verify's distributed pause (seed 644066401): a worker paused past its lease found its state
  // write failing on resume ("timeout exceeded when trying to connect": the pool's wait timer ran
  // out during the pause) and stopped state_unwritable, a retryable failure for a run another
  // worker had completed.
  it('stops with lease_lost naming the store error when the lease lapsed, and with the store error itself otherwise', async () => {
    const store = new MemoryStateStore();
    const lease = await RunLease.take(store, 'sync-1', { holder: 'host:1:job', ttlMs: 1_000 }, () => undefined);
    const failed = new StateStoreError('state_unwritable', 'The state database failed while writing state: timeout exceeded when trying to connect.');
    expect(lease.lapsedWith(failed)).toBe(failed);
    const clock = vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 1_500);
    try {
      const stop = lease.lapsedWith(failed);
      expect(stop).toMatchObject({ code: 'lease_lost', cause: failed });
      expect(stop.message).toContain('timeout exceeded when trying to connect');
    } finally {
      clock.mockRestore();
    }
    await lease.release();
  });

  it('a renewal that fails after the pause reports lease_lost, not the store error', async () => {
    const store = new MemoryStateStore();
    const lost: string[] = [];
    const lease = await RunLease.take(store, 'sync-1', { holder: 'host:1:job', ttlMs: 60 }, (e) => lost.push(e.code));
    vi.spyOn(store, 'renewLease').mockRejectedValue(new StateStoreError('state_unwritable', 'connection timeout'));
    const clock = vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 1_000);
    try {
      for (let i = 0; i < 50 && lost.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    } finally {
      clock.mockRestore();
    }
    expect(lost).toEqual(['lease_lost']);
    await lease.release();
  });
});

describe('Caller: a destination that gives no answer', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, minTimeoutMs: 1, maxTimeoutMs: 2 };
  const timeout = () => new RetryableError('timeout', 'no answer within 100 ms');

  it('a request that timed out is sent at most 1 + timeoutRetries times; other retryable failures keep the whole retry budget', async () => {
    const pacer = new Pacer({ concurrency: 1 });
    const events: string[] = [];
    const caller = new Caller(pacer, policy, silentLogger, new AbortController().signal, (e) => events.push(e.kind === 'timeout_retry' ? `retry ${e.retry}/${e.of}` : e.kind));
    await caller.call('find', async () => { await answeredRequest(); return 'found'; }); // the destination has answered a request: one call without an answer does not stop the run
    let sent = 0;
    await expect(caller.call('find', async () => { sent++; throw timeout(); })).rejects.toMatchObject({ code: 'timeout' });
    expect(sent).toBe(3);
    expect(events).toEqual(['retry 1/2', 'retry 2/2']);
    let reset = 0;
    await expect(caller.call('find', async () => { reset++; throw new RetryableError('network_error', 'ECONNRESET'); })).rejects.toMatchObject({ code: 'network_error' });
    expect(reset).toBe(1 + policy.retries);
    expect(caller.stopped).toBeUndefined();
    pacer.release();
  });

  it('unreachableAfterCalls calls in a row with no answer stop the run (destination_unreachable); an answer in between starts the count over', async () => {
    const pacer = new Pacer({ concurrency: 1 });
    const events: string[] = [];
    const caller = new Caller(pacer, policy, silentLogger, new AbortController().signal, (e) => events.push(e.kind));
    const hung = () => caller.call('find', async () => { throw timeout(); });
    await caller.call('find', async () => { await answeredRequest(); return 'found'; });
    await expect(hung()).rejects.toMatchObject({ code: 'timeout' });
    await expect(hung()).rejects.toMatchObject({ code: 'timeout' });
    // The destination answers (here with a refusal of the request): it is reachable.
    await expect(caller.call('find', async () => { throw new SyncError('invalid_value', 'HTTP 400'); })).rejects.toMatchObject({ code: 'invalid_value' });
    expect(events.at(-1)).toBe('answered');
    await expect(hung()).rejects.toMatchObject({ code: 'timeout' });
    await expect(hung()).rejects.toMatchObject({ code: 'timeout' });
    expect(caller.stopped).toBeUndefined();
    await expect(hung()).rejects.toMatchObject({ code: 'timeout' });
    expect(caller.stopped).toMatchObject({ code: 'destination_unreachable', retryable: true });
    let sent = 0;
    await expect(caller.call('find', async () => ++sent)).rejects.toMatchObject({ code: 'destination_unreachable' });
    expect(sent).toBe(0);
    pacer.release();
  });

  it('a destination that has answered no call past connecting is unreachable after one call without an answer (fourteenth trial of #17: OneSignal, whose connect makes no request, ended exit 1 with every row failed timeout)', async () => {
    const pacer = new Pacer({ concurrency: 1 });
    const caller = new Caller(pacer, policy, silentLogger, new AbortController().signal);
    await caller.call('connect', async () => 'client built, nothing sent');
    await expect(caller.call('find', async () => { throw timeout(); })).rejects.toMatchObject({ code: 'timeout' });
    expect(caller.stopped).toMatchObject({ code: 'destination_unreachable', retryable: true });
    pacer.release();
  });

  it('a call that is not retried (a create whose effect is unknown) never counts toward the stop', async () => {
    const pacer = new Pacer({ concurrency: 1 });
    const caller = new Caller(pacer, { ...policy, unreachableAfterCalls: 1 }, silentLogger, new AbortController().signal);
    await expect(caller.call('create', async () => { throw timeout(); }, { retryAmbiguous: false })).rejects.toMatchObject({ code: 'timeout' });
    expect(caller.stopped).toBeUndefined();
    pacer.release();
  });
});

describe('Caller signal', () => {
  it('takes more than ten calls waiting to retry at once (each sleep listens on it) without a MaxListenersExceededWarning (fourth trial of stop 27: verify --only intercom)', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const pacer = new Pacer({ concurrency: 20 });
    // The run's own signal allows as many listeners as a run session's does (see RunSession).
    const run = new AbortController();
    setMaxListeners(1_000, run.signal);
    const caller = new Caller(pacer, { ...DEFAULT_RETRY_POLICY, minTimeoutMs: 30, maxTimeoutMs: 30 }, silentLogger, run.signal);
    const calls = Array.from({ length: 20 }, () => {
      let attempts = 0;
      return caller.call('find', async () => {
        if (++attempts === 1) throw new RetryableError('server_error', 'try again');
        return attempts;
      });
    });
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 20 }, () => 2));
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    pacer.release();
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });
});
