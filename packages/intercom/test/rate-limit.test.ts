import { SqliteStateStore, runSync } from '@syncmodes/connector-kit';
import { memorySource } from '@syncmodes/connector-kit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rateLimitWaitMs } from '../src/client/errors';
import { intercomDestination } from '../src/index';
import { FAST, person } from './helpers';
import { records, startEmulator } from './intercom-harness';

describe('Intercom rate limits', () => {
  let env: Awaited<ReturnType<typeof startEmulator>>;
  let state: SqliteStateStore;
  beforeEach(async () => {
    // Scaled down from 10,000 a minute so a few hundred records span several windows.
    env = await startEmulator({ rateLimit: { limit: 50, windowMs: 1_000 } });
    state = new SqliteStateStore(':memory:');
  });
  afterEach(async () => {
    state.close();
    await env.emulator.stop();
  });

  it('paces a sync of 300 records from the X-RateLimit headers: no failed record, (almost) no 429', async () => {
    const people = Array.from({ length: 300 }, (_, i) => person(i));
    const summary = await runSync({ collectResults: true, destination: intercomDestination, config: env.config, source: memorySource(people), state, retry: FAST });
    expect(summary.counts).toMatchObject({ created: 300, failed: 0 });
    const log = await env.admin.requests();
    const refused = log.filter((e) => e.status === 429);
    expect(refused.length).toBeLessThanOrEqual(2);
    expect(summary.stats.rateLimited).toBe(refused.length);
    // More than one window's worth of calls went through, so pacing (not luck) kept them under the limit.
    expect(log.filter((e) => e.status === 200).length).toBeGreaterThan(5 * 50);
    expect((await records(env.admin)).contacts).toHaveLength(300);
  });

  it('waits for X-RateLimit-Reset after a 429 before calling again, without failing the record', async () => {
    await env.admin.setFaults([{ kind: 'rate_limit', method: 'POST', path: '^/contacts$', times: 1, retryAfterSec: 0.5 }]);
    const summary = await runSync({ collectResults: true, destination: intercomDestination, config: env.config, source: memorySource([person(1)]), state, retry: FAST });
    expect(summary.counts).toMatchObject({ created: 1, failed: 0 });
    expect(summary.stats.rateLimited).toBe(1);
    const creates = (await env.admin.requests()).filter((e) => e.method === 'POST' && e.path === '/contacts');
    expect(creates.map((e) => e.status)).toEqual([429, 200]);
    const [refused, retried] = creates as [(typeof creates)[0], (typeof creates)[0]];
    // The 429 announced a reset at the next whole second after refused.at + 500 ms.
    const resetAt = Math.ceil((refused.at + 500) / 1000) * 1000;
    expect(retried.at).toBeGreaterThanOrEqual(resetAt);
  });

  it('a 429 that says its wait only with Retry-After (as a gateway in front of Intercom may) is waited too, not retried at once (issue #17)', async () => {
    await env.admin.setFaults([{ kind: 'retry_after', method: 'POST', path: '^/contacts$', times: 1, retryAfterSec: 1 }]);
    const summary = await runSync({ collectResults: true, destination: intercomDestination, config: env.config, source: memorySource([person(1)]), state, retry: FAST });
    expect(summary.counts).toMatchObject({ created: 1, failed: 0 });
    expect(summary.stats.rateLimited).toBe(1);
    expect(summary.stats.rateLimitWaitMs).toBe(1_000);
    const creates = (await env.admin.requests()).filter((e) => e.method === 'POST' && e.path === '/contacts');
    expect(creates.map((e) => [e.status, e.fault])).toEqual([[429, 'retry_after'], [200, undefined]]);
  });
});

describe('rateLimitWaitMs: how long an Intercom 429 asks to wait', () => {
  const now = Date.parse('2026-12-03T10:00:00Z');
  const answer = (headers: Record<string, string>) => ({ headers: new Headers(headers) });
  it('until X-RateLimit-Reset, or for Retry-After (seconds or an HTTP-date), the longer when both come; nothing when neither', () => {
    const reset = { 'x-ratelimit-limit': '167', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 10) };
    expect(rateLimitWaitMs(answer(reset), now)).toBe(10_000);
    expect(rateLimitWaitMs(answer({ 'retry-after': '3600' }), now)).toBe(3_600_000);
    expect(rateLimitWaitMs(answer({ 'retry-after': 'Thu, 03 Dec 2026 11:00:00 GMT' }), now)).toBe(3_600_000);
    expect(rateLimitWaitMs(answer({ ...reset, 'retry-after': '3600' }), now)).toBe(3_600_000);
    expect(rateLimitWaitMs(answer({ ...reset, 'retry-after': '2' }), now)).toBe(10_000);
    expect(rateLimitWaitMs(answer({}), now)).toBeUndefined();
  });
});
