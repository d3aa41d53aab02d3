import { runSync, type SyncMode } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { intercomDestination } from '../src/index';
import { FAST, person } from './helpers';
import { records, startEmulator, tagNames } from './intercom-harness';

// Reviewer's F2 (major): two syncs sharing one state file (two CSV files synced to one
// workspace) undid each other's tags. Sync "a" and sync "b" both tagged the contact VIP; when
// "a"'s row left VIP (or left "a"'s source), "a" untagged the contact, and "b" — its row
// unchanged, its state saying the contact has VIP — never tagged it again.
describe('Intercom: a tag another sync sharing the state has from its source', () => {
  const t = perTestEmulator(startEmulator);
  const tagsOfP1 = async () => {
    const data = await records(t.env.admin);
    const contact = data.contacts.find((c) => c.external_id === 'ext-1');
    return contact ? tagNames(data, contact) : undefined;
  };
  const untags = async () => (await t.env.admin.requests()).filter((e) => e.method === 'DELETE');
  /** Person 1 as row `id` of a sync. */
  const row = (id: string, groups: string[]): ConformanceRecord => ({ ...person(1, {}, groups), id });
  const run = (syncName: string, mode: SyncMode, rows: ConformanceRecord[], guard?: { allowEmptySource: true; maxDeletes: number }) =>
    runSync({ collectResults: true, syncName, destination: intercomDestination, config: t.env.config, mode, source: memorySource(rows), state: t.state, retry: FAST, guard });

  for (const mode of ['sync', 'additive', 'enrich'] as const satisfies readonly SyncMode[]) {
    it(`${mode}: a row leaving the tag does not untag the contact while the other sync's row wants it (names differing in case only)`, async () => {
      await t.env.admin.seed({ contacts: [{ role: 'user', external_id: 'ext-1', email: 'p1@example.com', name: 'Person 1' }] });
      await run('a', mode, [row('p1', ['VIP'])]);
      await run('b', mode, [row('q1', ['vip'])]);
      expect(await tagsOfP1()).toEqual(['VIP']);

      await t.env.admin.clearRequests();
      const left = await run('a', mode, [row('p1', [])]);
      expect(await untags()).toEqual([]);
      expect(await tagsOfP1()).toEqual(['VIP']);
      expect(left.results[0]?.message).toContain('Kept in group "VIP"');
      expect(left.results[0]?.message).toContain('sync "b"');

      // "a" forgot the tag: its reruns send nothing; "b"'s row still has it.
      await t.env.admin.clearRequests();
      expect((await run('a', mode, [row('p1', [])])).results[0]?.outcome).toBe('unchanged');
      expect((await run('b', mode, [row('q1', ['vip'])])).results[0]?.outcome).toBe('unchanged');
      expect((await t.env.admin.requests()).filter((e) => e.method !== 'GET' && !e.path.endsWith('/search'))).toEqual([]);
      expect(await tagsOfP1()).toEqual(['VIP']);
    });
  }

  it("sync: a row leaving the source does not untag the contact while the other sync's row wants the tag", async () => {
    await run('a', 'sync', [row('p1', ['VIP'])]);
    await run('b', 'sync', [row('q1', ['VIP'])]);
    expect(await tagsOfP1()).toEqual(['VIP']);

    await t.env.admin.clearRequests();
    const gone = (await run('a', 'sync', [], { allowEmptySource: true, maxDeletes: 1 })).results.find((r) => r.id === 'p1');
    expect(gone).toMatchObject({ outcome: 'skipped', code: 'tracked_elsewhere' });
    expect(gone?.message).toContain('Kept in group "VIP"');
    expect(await untags()).toEqual([]);
    expect(await tagsOfP1()).toEqual(['VIP']);
    expect((await run('b', 'sync', [row('q1', ['VIP'])])).results[0]?.outcome).toBe('unchanged');
    expect(await tagsOfP1()).toEqual(['VIP']);
  });

  it("sync: tags only this sync has are still removed; the other sync's own tag stays", async () => {
    await run('a', 'sync', [row('p1', ['VIP', 'Gold'])]);
    await run('b', 'sync', [row('q1', ['Silver'])]);
    expect(await tagsOfP1()).toEqual(['Gold', 'Silver', 'VIP']);
    await t.env.admin.clearRequests();
    const left = await run('a', 'sync', [row('p1', [])]);
    expect(left.results[0]?.message).not.toContain('Kept in group');
    expect(await tagsOfP1()).toEqual(['Silver']);
    expect(await untags()).toHaveLength(2);
  });
});
