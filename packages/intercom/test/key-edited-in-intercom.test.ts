import { runSync, type SyncMode } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { intercomDestination } from '../src/index';
import { FAST, outcomes } from './helpers';
import { records, startEmulator } from './intercom-harness';

const row = (id: string, email: string, name: string): ConformanceRecord => ({ id, snapshot: { properties: { email, name }, groups: [] } });

// The contact this sync wrote for a row, found by its id because search finds none with the row's email: a teammate changed
// its email in Intercom (or merged it into another person's). It was updated in place, and deleted when the row left — it may be
// someone else now (fresh reviewer 109, for Salesforce; the same kind here). Neither written nor deleted; no second contact.
describe('Intercom (matchBy email): the email of the contact this sync wrote is changed in Intercom', () => {
  const t = perTestEmulator(startEmulator);
  const config = () => ({ ...t.env.config, matchBy: 'email' as const });
  const run = (mode: SyncMode, rows: ConformanceRecord[]) =>
    runSync({ collectResults: true, destination: intercomDestination, config: config(), mode, source: memorySource(rows), state: t.state, retry: FAST, guard: { maxDeletes: 10 } });
  const editEmail = async (id: string, email: string) => {
    const answer = await fetch(`${t.env.url}/contacts/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${t.env.config.accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
    expect(answer.status).toBe(200);
  };

  for (const mode of ['sync', 'additive'] as const satisfies readonly SyncMode[]) {
    it(`${mode}: the row's next change fails match_field_changed; nothing written, no second contact; put back, it is updated`, async () => {
      const first = await run(mode, [row('ann', 'ann@example.com', 'Ann')]);
      const id = String(first.results[0]?.destinationId);
      await editEmail(id, 'ann@work.example.com');

      const second = await run(mode, [row('ann', 'ann@example.com', 'Ann B')]);
      expect(second.results[0]).toMatchObject({ outcome: 'skipped', code: 'match_field_changed', destinationId: id });
      expect((await records(t.env.admin)).contacts.map((c) => [c.id, c.email, c.name])).toEqual([[id, 'ann@work.example.com', 'Ann']]);

      await editEmail(id, 'ann@example.com');
      const fixed = await run(mode, [row('ann', 'ann@example.com', 'Ann B')]);
      expect(fixed.results[0]).toMatchObject({ outcome: 'updated', destinationId: id });
    });
  }

  it('sync: the row leaving does not archive it; it is kept and no longer tracked', async () => {
    const first = await run('sync', [row('ann', 'ann@example.com', 'Ann'), row('bob', 'bob@example.com', 'Bob')]);
    const id = String(first.results[0]?.destinationId);
    await editEmail(id, 'zed@example.com');
    const left = await run('sync', [row('bob', 'bob@example.com', 'Bob')]);
    expect(outcomes(left)).toMatchObject({ ann: 'skipped:match_field_changed' });
    expect((await records(t.env.admin)).contacts.find((c) => c.id === id)).toMatchObject({ email: 'zed@example.com' });
    expect((await records(t.env.admin)).contacts.find((c) => c.id === id)?.archived ?? false).toBe(false);
  });

  it('a row whose email changes in the source to the one the contact was given in Intercom is updated in place (fresh reviewer 110, F1)', async () => {
    const first = await run('sync', [row('ann', 'ann@example.com', 'Ann')]);
    const id = String(first.results[0]?.destinationId);
    await editEmail(id, 'ann@new.example.com');
    const moved = await run('sync', [row('ann', 'ann@new.example.com', 'Ann B')]);
    expect(moved.results[0]).toMatchObject({ outcome: 'updated', destinationId: id });
    expect((await records(t.env.admin)).contacts.map((c) => [c.id, c.email, c.name])).toEqual([[id, 'ann@new.example.com', 'Ann B']]);
  });
});

// Fresh reviewer 110, F2: a user whose external_id was changed in Intercom still held the row's email, and was written to —
// search itself takes a user with the row's email and another external_id for someone else.
describe('Intercom (external_id_then_email): the external_id of the user this sync wrote is changed in Intercom', () => {
  const t = perTestEmulator(startEmulator);
  it('the row fails match_field_changed; nothing is written to that user', async () => {
    const run = (name: string) =>
      runSync({ collectResults: true, destination: intercomDestination, config: t.env.config, mode: 'sync', source: memorySource([{ id: 'ann', snapshot: { properties: { external_id: 'X1', email: 'ann@example.com', name }, groups: [] } }]), state: t.state, retry: FAST });
    const first = await run('Ann');
    const id = String(first.results[0]?.destinationId);
    const answer = await fetch(`${t.env.url}/contacts/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${t.env.config.accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ external_id: 'Y9', name: 'Someone Y9' }) });
    expect(answer.status).toBe(200);
    const second = await run('Ann 2');
    expect(second.results[0]).toMatchObject({ outcome: 'skipped', code: 'match_field_changed', destinationId: id });
    expect((await records(t.env.admin)).contacts.map((c) => [c.id, c.external_id, c.name])).toEqual([[id, 'Y9', 'Someone Y9']]);
  });
});
