import { runSync, type SyncMode } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { intercomDestination } from '../src/index';
import { FAST, person } from './helpers';
import { records, startEmulator, tagNames } from './intercom-harness';

// Intercom compares tag names case-insensitively, so groups "VIP" and "vip" are one tag:
// https://developers.intercom.com/docs/references/rest-api/api.intercom.io/tags/createtag
describe('Intercom: two groups naming one tag', () => {
  const t = perTestEmulator(startEmulator);
  const run = (rs: readonly ConformanceRecord[], mode: SyncMode = 'sync') =>
    runSync({ collectResults: true, destination: intercomDestination, config: t.env.config, mode, source: memorySource(rs), state: t.state, retry: FAST });
  const untags = async () => (await t.env.admin.requests()).filter((e) => e.method === 'DELETE' && /\/contacts\/[^/]+\/tags\//.test(e.path));

  it('a record in "VIP" and "vip" that leaves "vip" keeps the tag (no untag sent); leaving both removes it', async () => {
    const tagsOf = async (n: number) => {
      const data = await records(t.env.admin);
      const contact = data.contacts.find((c) => c.email === `p${n}@example.com`);
      if (!contact) throw new Error(`no contact p${n}`);
      return tagNames(data, contact);
    };
    await run([person(1, {}, ['VIP', 'vip']), person(2, {}, ['vip'])]);
    await t.env.admin.clearRequests();
    const next = await run([person(1, {}, ['VIP']), person(2, {}, [])]);
    expect(next.counts.failed).toBe(0);
    expect(await tagsOf(1)).toEqual(['VIP']);
    expect(await tagsOf(2)).toEqual([]);
    expect(await untags()).toHaveLength(1);
    await t.env.admin.clearRequests();
    const again = await run([person(1, {}, ['VIP']), person(2, {}, [])]);
    expect(again.counts).toMatchObject({ unchanged: 2 });
    expect(await tagsOf(1)).toEqual(['VIP']);
    const gone = await run([person(1, {}, []), person(2, {}, [])]);
    expect(gone.counts.failed).toBe(0);
    expect(await tagsOf(1)).toEqual([]);
  });
});
