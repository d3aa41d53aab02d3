import { runSync, type SyncMode } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { intercomDestination } from '../src/index';
import { FAST, person } from './helpers';
import { records, startEmulator } from './intercom-harness';

// Fresh helper 101, F2 (major): a row whose unsubscribed_from_emails cell was emptied after this sync had written true
// sent null, and the contact was subscribed to emails again, reported updated. Intercom keeps true or false, so a
// cleared opt-out is "subscribed": the row fails alone (required_field_missing), nothing written; the other rows go.
describe('Intercom: an emptied unsubscribed_from_emails never subscribes a contact again', () => {
  const t = perTestEmulator(startEmulator);
  const unsubscribed = async (externalId: string) => (await records(t.env.admin)).contacts.find((c) => c.external_id === externalId)?.unsubscribed_from_emails;

  for (const mode of ['sync', 'additive', 'enrich'] as const satisfies readonly SyncMode[]) {
    it(`${mode}: the row that empties it fails required_field_missing and nothing is sent for it; a first match with it empty is updated without it`, async () => {
      await t.env.admin.seed({
        contacts: [1, 2, 3].map((i) => ({ role: 'user', external_id: `ext-${i}`, email: `p${i}@example.com`, name: `Person ${i}`, unsubscribed_from_emails: i === 3 })),
      });
      const run = (rows: ConformanceRecord[]) => runSync({ collectResults: true, destination: intercomDestination, config: t.env.config, mode, source: memorySource(rows), state: t.state, retry: FAST });
      const first = await run([person(1, { unsubscribed_from_emails: 'true' }), person(2, { unsubscribed_from_emails: 'true' }), person(3, { unsubscribed_from_emails: null, name: 'Person Three' })]);
      expect(first.counts).toMatchObject({ updated: 3, failed: 0 });
      // A first match sends no empty value: contact 3 keeps its opt-out.
      expect(await unsubscribed('ext-3')).toBe(true);
      expect([await unsubscribed('ext-1'), await unsubscribed('ext-2')]).toEqual([true, true]);

      await t.env.admin.clearRequests();
      const second = await run([person(1, { unsubscribed_from_emails: null, name: 'Person One' }), person(2, { unsubscribed_from_emails: 'true', name: 'Person Two' }), person(3, { unsubscribed_from_emails: null, name: 'Person Three' })]);
      expect(Object.fromEntries(second.results.map((r) => [r.id, r.code ?? r.outcome]))).toEqual({ p1: 'required_field_missing', p2: 'updated', p3: 'unchanged' });
      expect(second.results.find((r) => r.id === 'p1')?.message).toMatch(/^unsubscribed_from_emails is empty in the source: clearing it would subscribe the contact to emails again/);
      expect(await unsubscribed('ext-1')).toBe(true);
      const writes = (await t.env.admin.requests()).filter((e) => e.method === 'PUT' || (e.method === 'POST' && e.path === '/contacts'));
      expect(writes).toHaveLength(1);
      expect(writes[0]?.body).toMatchObject({ name: 'Person Two' });
    });
  }
});
