import { MemoryStateStore, runSync } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { intercomDestination } from '../src/index';
import type { IntercomConfig } from '../src/config';
import { FAST, person } from './helpers';
import { records, startEmulator } from './intercom-harness';

/**
 * Fresh reviewer 143, F3: a row still in the source whose own contact was given another
 * external_id (or email) in Intercom was written onto that contact — read by id when search
 * no longer found its key — and later runs called it unchanged. Salesforce refuses that case
 * (`match_field_changed`); Intercom now does too. A row whose own key changed in the source
 * (its contact still holding the old one) is still updated in place, search lagging or not.
 */
describe('Intercom: a row whose own contact no longer holds its key', () => {
  const t = perTestEmulator(() => startEmulator({ searchLagMs: 0 }));
  const put = (id: string, body: object) =>
    fetch(`${t.env.url}/contacts/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${t.env.config.accessToken}`, 'intercom-version': '2.14', 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const cases: { matchBy: IntercomConfig['matchBy']; change: object }[] = [
    { matchBy: 'external_id', change: { external_id: 'ext-9' } },
    { matchBy: 'external_id_then_email', change: { external_id: 'ext-9' } },
    { matchBy: 'external_id_then_email', change: { external_id: 'ext-9', email: 'p9@example.com' } },
    { matchBy: 'email', change: { email: 'p9@example.com' } },
  ];
  for (const { matchBy, change } of cases) {
    for (const mode of ['sync', 'additive', 'enrich'] as const) {
      it(`matchBy ${matchBy}, ${mode}: its contact given ${Object.keys(change).join(' and ')} in Intercom: match_field_changed, nothing written, no second contact`, async () => {
        const state = new MemoryStateStore();
        const run = (rs: ConformanceRecord[], m = mode) => runSync({ collectResults: true, destination: intercomDestination, config: { ...t.env.config, matchBy }, mode: m, source: memorySource(rs), state, retry: FAST });
        const first = await run([person(1), person(2)], 'additive');
        const own = first.results.find((r) => r.id === 'p1')?.destinationId as string;
        expect((await put(own, change)).status).toBe(200);
        const before = (await records(t.env.admin)).contacts;
        const next = await run([person(1, { name: 'Renamed' }), person(2, { name: 'Renamed' })]);
        expect(next.results.find((r) => r.id === 'p1')).toMatchObject({ code: 'match_field_changed', destinationId: own });
        expect(next.results.find((r) => r.id === 'p2')).toMatchObject({ outcome: 'updated' });
        const after = (await records(t.env.admin)).contacts;
        expect(after.find((c) => c.id === own)).toEqual(before.find((c) => c.id === own));
        expect(after).toHaveLength(2);
        // Refused again on the next run, not taken as unchanged.
        const again = await run([person(1, { name: 'Renamed' }), person(2, { name: 'Renamed' })]);
        expect(again.results.find((r) => r.id === 'p1')).toMatchObject({ code: 'match_field_changed' });
      });
    }
  }

  for (const searchLagMs of [0, 600_000]) {
    it(`a row whose key changed in the source (search lag ${searchLagMs} ms): its contact, holding the old key, is updated in place`, async () => {
      await t.env.emulator.stop();
      t.env = await startEmulator({ searchLagMs });
      const state = new MemoryStateStore();
      const run = (rs: ConformanceRecord[]) => runSync({ collectResults: true, destination: intercomDestination, config: { ...t.env.config, matchBy: 'external_id' }, mode: 'sync', source: memorySource(rs), state, retry: FAST });
      const first = await run([person(1)]);
      const own = first.results[0]?.destinationId;
      const next = await run([person(1, { external_id: 'ext-1b', name: 'Renamed' })]);
      expect(next.results[0]).toMatchObject({ outcome: 'updated', destinationId: own });
      expect((await records(t.env.admin)).contacts.map((c) => [c.id, c.external_id, c.name])).toEqual([[own, 'ext-1b', 'Renamed']]);
    });
  }
});
