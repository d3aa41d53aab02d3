import { SqliteStateStore, runSync } from '@syncmodes/connector-kit';
import { memorySource } from '@syncmodes/connector-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { facebookDestination } from '../src/index';
import { emailOf, isUsers, startFacebook } from './facebook-harness';

/** An add answered 200 with an HTML page instead of Meta's `num_received` (a proxy, a login page): second trial of stop 31, counted as added. */
describe('Facebook: an add answered with a page instead of num_received', () => {
  let env: Awaited<ReturnType<typeof startFacebook>> | undefined;
  afterEach(async () => {
    await env?.emulator.stop();
    env = undefined;
  });

  it('fails unexpected_response and is sent again (adding the same people again changes nothing more): every person in the audience', async () => {
    env = await startFacebook();
    env.emulator.setFaults([{ kind: 'foreign_body', method: 'POST', path: '/users$', times: 1 }]);
    const source = memorySource(Array.from({ length: 4 }, (_, i) => ({ id: `p${i}`, snapshot: { properties: { EMAIL: emailOf(i) }, groups: ['A'] } })));
    const summary = await runSync({ collectResults: true, destination: facebookDestination, config: env.config, source, state: new SqliteStateStore(':memory:'), retry: { minTimeoutMs: 5, maxTimeoutMs: 20 } });
    expect(env.emulator.faults.injected.foreign_body).toBe(1);
    expect(summary.counts).toMatchObject({ created: 4, failed: 0 });
    expect((await env.admin.requests()).filter((e) => isUsers(e, 'POST'))).toHaveLength(2);
    expect((await env.members()).get('A')?.size).toBe(4);
  });

  it('the audience list answered with a page fails unexpected_response and is read again: the run completes, every person in the audience (verify foreign_body, stop 32: runSync threw a TypeError)', async () => {
    env = await startFacebook();
    env.emulator.setFaults([{ kind: 'foreign_body', method: 'GET', path: 'customaudiences', times: 1 }]);
    const source = memorySource(Array.from({ length: 4 }, (_, i) => ({ id: `p${i}`, snapshot: { properties: { EMAIL: emailOf(i) }, groups: ['A'] } })));
    const summary = await runSync({ collectResults: true, destination: facebookDestination, config: env.config, source, state: new SqliteStateStore(':memory:'), retry: { minTimeoutMs: 5, maxTimeoutMs: 20 } });
    expect(env.emulator.faults.injected.foreign_body).toBe(1);
    expect(summary.status).toBe('completed');
    expect(summary.counts).toMatchObject({ created: 4, failed: 0 });
    expect((await env.members()).get('A')?.size).toBe(4);
  });

  it('the audience list answered with a page on every attempt stops the run with a summary (destination_unreachable naming unexpected_response), never a thrown TypeError', async () => {
    env = await startFacebook();
    env.emulator.setFaults([{ kind: 'foreign_body', method: 'GET', path: 'customaudiences' }]);
    const source = memorySource([{ id: 'p0', snapshot: { properties: { EMAIL: emailOf(0) }, groups: ['A'] } }]);
    const summary = await runSync({ collectResults: true, destination: facebookDestination, config: env.config, source, state: new SqliteStateStore(':memory:'), retry: { minTimeoutMs: 5, maxTimeoutMs: 20 } });
    expect(summary.status).toBe('stopped');
    expect(summary.reason).toMatchObject({ code: 'destination_unreachable' });
    expect(summary.reason?.message).toMatch(/gave only answers of another shape when the run checked its groups.*unexpected_response/);
  });

  it('an answer past SYNCMODES_MAX_ANSWER_BYTES is not read to its end: unexpected_response, retried, then the run stops with a summary naming the size (second trial of stop 32: a gzip bomb aborted Node)', async () => {
    process.env.SYNCMODES_MAX_ANSWER_BYTES = '100000';
    try {
      env = await startFacebook();
      env.emulator.setFaults([{ kind: 'foreign_body', method: 'GET', path: 'customaudiences', body: { data: [], padding: 'x'.repeat(300_000) } }]);
      const source = memorySource([{ id: 'p0', snapshot: { properties: { EMAIL: emailOf(0) }, groups: ['A'] } }]);
      const summary = await runSync({ collectResults: true, destination: facebookDestination, config: env.config, source, state: new SqliteStateStore(':memory:'), retry: { minTimeoutMs: 5, maxTimeoutMs: 20 } });
      expect(summary.status).toBe('stopped');
      expect(summary.reason?.message).toMatch(/Facebook sent an answer larger than 100,000 bytes/);
    } finally {
      delete process.env.SYNCMODES_MAX_ANSWER_BYTES;
    }
  });

  it('an audience creation answered with a page is not taken as id "undefined": the audiences are listed again, the one created is found, none made twice; every person in it (full verify, seed 328096569: POST /undefined/users)', async () => {
    env = await startFacebook();
    env.emulator.setFaults([{ kind: 'foreign_body', method: 'POST', path: 'customaudiences$', times: 1 }]);
    const source = memorySource(Array.from({ length: 3 }, (_, i) => ({ id: `p${i}`, snapshot: { properties: { EMAIL: emailOf(i) }, groups: ['New audience'] } })));
    const summary = await runSync({ collectResults: true, destination: facebookDestination, config: env.config, mode: 'additive', source, state: new SqliteStateStore(':memory:'), retry: { minTimeoutMs: 5, maxTimeoutMs: 20 } });
    expect(env.emulator.faults.injected.foreign_body).toBe(1);
    expect(summary.counts).toMatchObject({ created: 3, failed: 0 });
    expect((await env.admin.requests()).some((e) => e.path.includes('undefined'))).toBe(false);
    expect((await env.admin.records<{ audiences: { name: string }[] }>()).audiences.filter((a) => a.name === 'New audience')).toHaveLength(1);
    const members = await env.members();
    expect(members.get('New audience')?.size).toBe(3);
  });
});
