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

  // Fresh trial 153, F1: a tag add refused at every try (503) was still held as this sync's own: a person's tag put on before
  // the next run was taken for that add landing late, and removed when the row left it. A lost answer's tag stays the sync's.
  for (const [fault, kept] of [['server_error', true], ['lost_response', false]] as const) {
    it(`sync: after a tag add ${fault === 'server_error' ? 'refused (503) at every try' : 'whose answer was lost at every try'}, the same tag put on before the next run is ${kept ? "kept as a person's" : "the sync's own"} when the row leaves it`, async () => {
      const run = (groups: string[]) => runSync({ collectResults: true, destination: intercomDestination, config: t.env.config, mode: 'sync', source: memorySource([person(1, {}, groups)] as ConformanceRecord[]), state: t.state, retry: FAST });
      await run([]);
      await t.env.admin.seed({ tags: [{ name: 'Gold' }] });
      await t.env.admin.setFaults([{ kind: fault, method: 'POST', path: '^/contacts/[^/]+/tags$', times: 100 }]);
      expect((await run(['Gold'])).results[0]).toMatchObject({ outcome: 'failed', retryable: true });
      await t.env.admin.setFaults([]);
      if ((await tagsOfP1())?.length === 0) {
        // A person tags the contact (through the API, as Intercom's inbox does: tagging answers the same either way).
        const data = await records(t.env.admin);
        const [contact, tag] = [data.contacts[0], data.tags.find((g) => g.name === 'Gold')];
        const response = await fetch(`${t.env.config.baseUrl}/contacts/${contact?.id}/tags`, { method: 'POST', headers: { authorization: `Bearer ${t.env.config.accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ id: tag?.id }) });
        expect(response.status).toBe(200);
      }
      expect(await tagsOfP1()).toEqual(['Gold']);
      await run(['Gold']);
      const left = await run([]);
      expect(await tagsOfP1()).toEqual(kept ? ['Gold'] : []);
      expect(left.results[0]?.outcome).toBe(kept ? 'unchanged' : 'updated');
    });
  }

  // Fresh reviewer 93, F4: the contact's tags were known only from the search; a contact the
  // run took over after a create's 409 (archived: search does not see it) was tagged as if it
  // had none, and the person's tag was removed when the row left it.
  for (const mode of ['sync', 'additive'] as const satisfies readonly SyncMode[]) {
    it(`${mode}: a person's tag on an archived contact taken over by a create's 409 stays when the row leaves it`, async () => {
      await t.env.admin.seed({ tags: [{ name: 'Manual' }], contacts: [{ role: 'user', external_id: 'ext-1', email: 'p1@example.com', name: 'Person 1', archived: true, tags: { data: [{ name: 'Manual' }] } }] });
      const run = (groups: string[]) => runSync({ collectResults: true, destination: intercomDestination, config: t.env.config, mode, source: memorySource([person(1, {}, groups)] as ConformanceRecord[]), state: t.state, retry: FAST });
      await run(['Manual', 'VIP']);
      expect(await tagsOfP1()).toEqual(['Manual', 'VIP']);
      await t.env.admin.clearRequests();
      await run([]);
      expect(await tagsOfP1()).toEqual(['Manual']);
      expect((await t.env.admin.requests()).filter((e) => e.method === 'DELETE').map((e) => e.path)).toHaveLength(1);
    });
  }

  // Reviewer 92, F5: a contact lists 10 of its tags ("Up to 10 will be displayed here"); a
  // person's tag beyond them was taken for one this sync added. Now its whole list is read
  // (GET /contacts/{id}/tags, one read) before the add.
  it("additive: a person's tag on a contact with 12 tags (beyond the 10 listed) stays when the row leaves it", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `T${String(i).padStart(2, '0')}`);
    await t.env.admin.seed({ tags: names.map((name) => ({ name })), contacts: [{ role: 'user', external_id: 'ext-1', email: 'p1@example.com', name: 'Person 1', tags: { data: names.map((name) => ({ name })) } }] });
    const run = (groups: string[]) => runSync({ collectResults: true, destination: intercomDestination, config: t.env.config, mode: 'additive', source: memorySource([person(1, {}, groups)] as ConformanceRecord[]), state: t.state, retry: FAST });
    await t.env.admin.clearRequests();
    await run(['T11']);
    const log = await t.env.admin.requests();
    expect(log.filter((e) => e.method === 'GET' && /\/contacts\/[^/]+\/tags$/.test(e.path))).toHaveLength(1);
    expect(log.filter((e) => e.method === 'POST' && /\/contacts\/[^/]+\/tags$/.test(e.path))).toEqual([]);
    await run([]);
    expect(await tagsOfP1()).toEqual(names);
  });

  // Fresh reviewer 93, F8: row p1 in VIP came back as p9 in vip (one tag: Intercom compares names
  // case-insensitively). p9's add was answered "already tagged" (the lookup saw VIP), then p1's
  // departure untagged the contact ("p9 is not in VIP"): left untagged, and every rerun said
  // unchanged. Now the departure compares names case-insensitively, and p9's "already tagged" is
  // p1's tag, this sync's own (removed when p9 leaves it).
  for (const mode of ['sync', 'additive', 'enrich'] as const satisfies readonly SyncMode[]) {
    it(`${mode}: a row whose id changes and whose tag name changes case keeps the contact tagged, and untags it when it leaves`, async () => {
      await t.env.admin.seed({ contacts: [{ role: 'user', external_id: 'ext-1', email: 'p1@example.com', name: 'Person 1' }] });
      const run = (id: string, groups: string[]) => runSync({ destination: intercomDestination, config: t.env.config, mode, source: memorySource([{ ...person(1, {}, groups), id }] as ConformanceRecord[]), state: t.state, retry: FAST });
      await run('p1', ['VIP']);
      await run('p9', ['vip']);
      expect(await tagsOfP1()).toEqual(['VIP']);
      await t.env.admin.clearRequests();
      await run('p9', ['vip']);
      expect((await t.env.admin.requests()).filter((e) => e.method !== 'GET' && !e.path.endsWith('/search'))).toEqual([]);
      await run('p9', []);
      expect(await tagsOfP1()).toEqual([]);
    });
  }

  // Fresh reviewer 95, F1: one 503 on that read, and the add sent again was no longer a first
  // send: its "already tagged" answer counted as the sync's own tag, removed when the row left it.
  it("additive: a person's tag beyond the 10 listed stays when the read of the contact's tags meets a 503", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `T${String(i).padStart(2, '0')}`);
    await t.env.admin.seed({ tags: names.map((name) => ({ name })), contacts: [{ role: 'user', external_id: 'ext-1', email: 'p1@example.com', name: 'Person 1', tags: { data: names.map((name) => ({ name })) } }] });
    const run = (groups: string[]) => runSync({ collectResults: true, destination: intercomDestination, config: t.env.config, mode: 'additive', source: memorySource([person(1, {}, groups)] as ConformanceRecord[]), state: t.state, retry: FAST });
    await t.env.admin.setFaults([{ kind: 'server_error', method: 'GET', path: '/contacts/[^/]+/tags$', times: 1 }]);
    await t.env.admin.clearRequests();
    await run(['T11']);
    await t.env.admin.setFaults([]);
    expect((await t.env.admin.requests()).filter((e) => e.method === 'GET' && /\/contacts\/[^/]+\/tags$/.test(e.path)).map((e) => e.status)).toEqual([503, 200]);
    await run([]);
    expect(await tagsOfP1()).toEqual(names);
  });

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
