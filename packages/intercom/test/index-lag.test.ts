import { SqliteStateStore, runSync, type SyncRunSummary } from '@syncmodes/connector-kit';
import { memorySource, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { intercomDestination } from '../src/index';
import { FAST, person } from './helpers';
import { records, startEmulator } from './intercom-harness';

/** Longer than any test: nothing created during a test becomes searchable. */
const LAG_MS = 10 * 60_000;

describe('Intercom search-index lag', () => {
  let env: Awaited<ReturnType<typeof startEmulator>>;
  const states: SqliteStateStore[] = [];
  beforeEach(async () => {
    env = await startEmulator({ searchLagMs: LAG_MS });
  });
  afterEach(async () => {
    for (const s of states.splice(0)) s.close();
    await env.emulator.stop();
  });

  const newState = () => {
    const s = new SqliteStateStore(':memory:');
    states.push(s);
    return s;
  };
  const sync = (rs: readonly ConformanceRecord[], state: SqliteStateStore): Promise<SyncRunSummary> =>
    runSync({ collectResults: true, destination: intercomDestination, config: env.config, mode: 'sync', source: memorySource(rs), state, retry: FAST });
  const range = (from: number, to: number, extra: Record<string, string> = {}) => Array.from({ length: to - from + 1 }, (_, i) => person(from + i, extra));

  it('two syncs of overlapping people at once leave no duplicate contact: every 409 becomes an update', async () => {
    const [a, b] = await Promise.all([sync(range(1, 60), newState()), sync(range(31, 90), newState())]);
    for (const s of [a, b]) expect(s.counts.failed).toBe(0);
    expect(a.counts.created + b.counts.created).toBe(90);
    expect(a.counts.updated + b.counts.updated).toBe(30);

    const { contacts } = await records(env.admin);
    const ids = contacts.map((c) => c.external_id);
    expect(new Set(ids).size).toBe(90);
    expect(ids).toHaveLength(90);
    const log = await env.admin.requests();
    expect(log.filter((e) => e.method === 'POST' && e.path === '/contacts' && e.status === 409)).toHaveLength(30);
    expect(log.filter((e) => e.method === 'POST' && e.path === '/contacts' && e.status === 200)).toHaveLength(90);
  });

  it('a rerun that search cannot see yet finds its contacts by the ids it stored, and updates them', async () => {
    const state = newState();
    await sync(range(1, 20), state);
    await env.admin.clearRequests();
    const second = await sync(range(1, 20, { name: 'Renamed' }), state);
    expect(second.counts).toMatchObject({ updated: 20, created: 0, failed: 0 });
    const log = await env.admin.requests();
    expect(log.filter((e) => e.method === 'GET' && /^\/contacts\/[0-9a-f]{24}$/.test(e.path))).toHaveLength(20);
    expect(log.filter((e) => e.method === 'POST' && e.path === '/contacts')).toEqual([]);
    expect((await records(env.admin)).contacts).toHaveLength(20);
  });
});
