import { describe, expect, it } from 'vitest';
import { Caller } from '../../src/engine/calls/caller';
import { Pacer } from '../../src/engine/calls/pacer';
import { DEFAULT_RETRY_POLICY } from '../../src/engine/calls/retry-policy';
import { AuthError } from '../../src/errors/sync-error';
import { silentLogger } from '../../src/logging/logger';

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
