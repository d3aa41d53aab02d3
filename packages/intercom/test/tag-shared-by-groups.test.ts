import { SqliteStateStore, runSync, type SyncMode } from '@syncmodes/connector-kit';
import { memorySource, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { intercomDestination } from '../src/index';
import { FAST, person } from './helpers';
import { records, startEmulator, tagNames } from './intercom-harness';

// Intercom compares tag names case-insensitively, so groups "VIP" and "vip" are one tag:
// https://developers.intercom.com/docs/references/rest-api/api.intercom.io/tags/createtag
describe('Intercom: two groups naming one tag', () => {
  let env: Awaited<ReturnType<typeof startEmulator>>;
  let state: SqliteStateStore;
  beforeEach(async () => {
    env = await startEmulator();
    state = new SqliteStateStore(':memory:');
  });
  afterEach(async () => {
    state.close();
    await env.emulator.stop();
  });
  const run = (rs: readonly ConformanceRecord[], mode: SyncMode = 'sync') =>
    runSync({ collectResults: true, destination: intercomDestination, config: env.config, mode, source: memorySource(rs), state, retry: FAST });
  const untags = async () => (await env.admin.requests()).filter((e) => e.method === 'DELETE' && /\/contacts\/[^/]+\/tags\//.test(e.path));

  it('a record in "VIP" and "vip" that leaves "vip" keeps the tag (no untag sent); leaving both removes it', async () => {
    const tagsOf = async (n: number) => {
      const data = await records(env.admin);
      const contact = data.contacts.find((c) => c.email === `p${n}@example.com`);
      if (!contact) throw new Error(`no contact p${n}`);
      return tagNames(data, contact);
    };
    await run([person(1, {}, ['VIP', 'vip']), person(2, {}, ['vip'])]);
    await env.admin.clearRequests();
    const next = await run([person(1, {}, ['VIP']), person(2, {}, [])]);
    expect(next.counts.failed).toBe(0);
    expect(await tagsOf(1)).toEqual(['VIP']);
    expect(await tagsOf(2)).toEqual([]);
    expect(await untags()).toHaveLength(1);
    await env.admin.clearRequests();
    const again = await run([person(1, {}, ['VIP']), person(2, {}, [])]);
    expect(again.counts).toMatchObject({ unchanged: 2 });
    expect(await tagsOf(1)).toEqual(['VIP']);
    const gone = await run([person(1, {}, []), person(2, {}, [])]);
    expect(gone.counts.failed).toBe(0);
    expect(await tagsOf(1)).toEqual([]);
  });
});
