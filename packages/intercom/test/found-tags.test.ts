import { runSync, type SyncMode } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { intercomDestination } from '../src/index';
import { FAST, person } from './helpers';
import { records, startEmulator, tagNames } from './intercom-harness';

// Fresh reviewer 88, F1 (major): a tag a person put on a contact was taken for one this sync
// added (tagging answers the same either way) and removed when the row left that tag. The
// README promises "only tags this sync put on a contact are ever removed".
describe('Intercom: tags the contact had before this sync added them', () => {
  const t = perTestEmulator(startEmulator);
  const tagsOfP1 = async () => {
    const data = await records(t.env.admin);
    const contact = data.contacts.find((c) => c.external_id === 'ext-1');
    return contact ? tagNames(data, contact) : undefined;
  };

  for (const mode of ['sync', 'additive', 'enrich'] as const satisfies readonly SyncMode[]) {
    it(`${mode}: a tag put there by a person stays when the row leaves it; a tag this sync added is removed; a rerun sends nothing`, async () => {
      await t.env.admin.seed({ tags: [{ name: 'Manual' }], contacts: [{ role: 'user', external_id: 'ext-1', email: 'p1@example.com', name: 'Person 1', tags: { data: [{ name: 'Manual' }] } }] });
      const run = (groups: string[]) => runSync({ collectResults: true, destination: intercomDestination, config: t.env.config, mode, source: memorySource([person(1, {}, groups)] as ConformanceRecord[]), state: t.state, retry: FAST });
      await run(['VIP', 'Manual']);
      expect(await tagsOfP1()).toEqual(['Manual', 'VIP']);
      await t.env.admin.clearRequests();
      expect((await run(['VIP', 'Manual'])).results[0]?.outcome).toBe('unchanged');
      expect((await t.env.admin.requests()).filter((e) => e.method !== 'GET' && !e.path.endsWith('/search'))).toEqual([]);
      await run([]);
      expect(await tagsOfP1()).toEqual(['Manual']);
    });
  }

  // The tag this sync put on the contact for row p1 stays its own when the row comes back as p9
  // (same contact): the lookup shows the tag, but another state entry of this sync holds it.
  for (const mode of ['sync', 'additive', 'enrich'] as const satisfies readonly SyncMode[]) {
    it(`${mode}: a tag this sync added stays its own when the row changes its id, and is removed when the row leaves it`, async () => {
      await t.env.admin.seed({ contacts: [{ role: 'user', external_id: 'ext-1', email: 'p1@example.com', name: 'Person 1' }] });
      const run = (id: string, groups: string[]) => runSync({ destination: intercomDestination, config: t.env.config, mode, source: memorySource([{ ...person(1, {}, groups), id }] as ConformanceRecord[]), state: t.state, retry: FAST });
      await run('p1', ['VIP']);
      await run('p9', ['VIP']);
      expect(await tagsOfP1()).toEqual(['VIP']);
      await run('p9', []);
      expect(await tagsOfP1()).toEqual([]);
    });
  }
});
