import { SqliteStateStore, runSync } from '@syncmodes/connector-kit';
import { memorySource } from '@syncmodes/connector-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { intercomDestination } from '../src/index';
import { startEmulator } from './intercom-harness';

/** A create answered 200 with an HTML page instead of the contact (a proxy, a login page): second trial of stop 31, recorded as created with no contact id. */
describe('Intercom: a create answered with a page instead of the contact', () => {
  let env: Awaited<ReturnType<typeof startEmulator>> | undefined;
  afterEach(async () => {
    await env?.emulator.stop();
    env = undefined;
  });

  it('is not counted a success blind: the record is looked up (the create was applied), tracked under its contact id, no duplicate; the rerun sends nothing', async () => {
    env = await startEmulator();
    env.emulator.setFaults([{ kind: 'foreign_body', method: 'POST', path: '/contacts$', times: 1 }]);
    const state = new SqliteStateStore(':memory:');
    const source = memorySource([0, 1, 2].map((i) => ({ id: `p${i}`, snapshot: { properties: { external_id: `p${i}`, email: `p${i}@example.com`, name: `P${i}` }, groups: [] } })));
    const run = () => runSync({ collectResults: true, destination: intercomDestination, config: env?.config as never, source, state, retry: { minTimeoutMs: 5, maxTimeoutMs: 20 } });
    const first = await run();
    expect(env.emulator.faults.injected.foreign_body).toBe(1);
    const contacts = (await env.admin.records<{ contacts: { id: string; email: string }[] }>()).contacts;
    expect(contacts).toHaveLength(3);
    const ids = new Map(contacts.map((c) => [c.email, c.id]));
    for (const r of first.results.filter((x) => x.outcome === 'created')) expect(r.destinationId).toBe(ids.get(`${r.id}@example.com`));
    expect(first.results.every((r) => r.outcome === 'created' || r.code === 'unexpected_response')).toBe(true);
    const rerun = await run();
    expect(rerun.counts.failed).toBe(0);
    expect((await env.admin.records<{ contacts: unknown[] }>()).contacts).toHaveLength(3);
  });

  it('the search that looks the unconfirmed create up answered with a page too: retried, never read as "no match", so the create is not resent; the record created and owned, no 409 (verify foreign_body, seed 549600658: ended updated, not owned)', async () => {
    env = await startEmulator();
    // The first search is the lookup (before the create); the second looks the unconfirmed create up.
    env.emulator.setFaults([
      { kind: 'foreign_body', method: 'POST', path: '/contacts$', times: 1 },
      { kind: 'foreign_body', method: 'POST', path: '/contacts/search$', after: 1, times: 1 },
    ]);
    const state = new SqliteStateStore(':memory:');
    const source = memorySource([{ id: 'p0', snapshot: { properties: { external_id: 'p0', email: 'p0@example.com', name: 'P0' }, groups: [] } }]);
    const first = await runSync({ collectResults: true, destination: intercomDestination, config: env.config as never, mode: 'sync', source, state, retry: { minTimeoutMs: 5, maxTimeoutMs: 20 } });
    expect(env.emulator.faults.injected.foreign_body).toBe(2);
    const contacts = (await env.admin.records<{ contacts: { id: string }[] }>()).contacts;
    expect(contacts).toHaveLength(1);
    expect(first.results).toMatchObject([{ id: 'p0', outcome: 'created', destinationId: contacts[0]?.id }]);
    expect(env.emulator.requests.filter((e) => e.method === 'POST' && e.path === '/contacts').map((e) => e.status)).toEqual([200]);
    expect((await state.get(first.syncId, ['p0'])).get('p0')).toMatchObject({ owned: true, destinationId: contacts[0]?.id });
  });

  it('an archive answered with a page is not counted deleted blind: it is sent again, and the contact is archived (re-check of stop 31: 5 leavers stayed live for good)', async () => {
    env = await startEmulator();
    const state = new SqliteStateStore(':memory:');
    const people = (n: number) => memorySource(Array.from({ length: n }, (_, i) => ({ id: `p${i}`, snapshot: { properties: { external_id: `p${i}`, email: `p${i}@example.com`, name: `P${i}` }, groups: [] } })));
    const run = (n: number) => runSync({ collectResults: true, destination: intercomDestination, config: env?.config as never, mode: 'sync', source: people(n), state, retry: { minTimeoutMs: 5, maxTimeoutMs: 20 }, guard: { maxDeletes: 5 } });
    await run(3);
    env.emulator.setFaults([{ kind: 'foreign_body', method: 'POST', path: '/archive$', times: 1 }]);
    const next = await run(2);
    expect(env.emulator.faults.injected.foreign_body).toBe(1);
    expect(next.results.find((r) => r.id === 'p2')?.outcome).toBe('deleted');
    expect((await env.admin.requests()).filter((e) => e.method === 'POST' && e.path.endsWith('/archive'))).toHaveLength(2);
    const contacts = (await env.admin.records<{ contacts: { external_id: string; archived?: boolean }[] }>()).contacts;
    expect(contacts.find((c) => c.external_id === 'p2')?.archived).toBe(true);
  });

  it('an answer past SYNCMODES_MAX_ANSWER_BYTES is not read to its end: unexpected_response, retried, then the run stops with a summary naming the size (second trial of stop 32: a gzip bomb aborted Node)', async () => {
    process.env.SYNCMODES_MAX_ANSWER_BYTES = '100000';
    try {
      env = await startEmulator();
      env.emulator.setFaults([{ kind: 'foreign_body', method: 'POST', path: '/contacts/search$', body: { type: 'list', data: [], padding: 'x'.repeat(300_000) } }]);
      const source = memorySource([{ id: 'p0', snapshot: { properties: { external_id: 'p0', email: 'p0@example.com', name: 'P0' }, groups: [] } }]);
      const summary = await runSync({ collectResults: true, destination: intercomDestination, config: env.config as never, mode: 'additive', source, state: new SqliteStateStore(':memory:'), retry: { minTimeoutMs: 5, maxTimeoutMs: 20 } });
      expect(summary.results.map((r) => r.outcome)).not.toContain('created');
      expect(JSON.stringify(summary)).toMatch(/Intercom sent an answer larger than 100,000 bytes/);
      expect((await env.admin.records<{ contacts: unknown[] }>()).contacts).toHaveLength(0);
    } finally {
      delete process.env.SYNCMODES_MAX_ANSWER_BYTES;
    }
  });
});
