import { runSync } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { readContacts, startEmulator } from './salesforce-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const ann = (firstName: string, groups: string[] = ['Summit']): ConformanceRecord => ({
  id: 'r1',
  snapshot: { properties: { Email: 'rematch@example.com', FirstName: firstName, LastName: 'Source', Title: 'CTO' }, groups },
});

// Fresh reviewer 88, F4: the Contact this sync wrote for a row is deleted (or merged away) in
// Salesforce and another Contact has the row's Email. Diffing against the state sent only the
// changed field onto that Contact ("Anna Other, Intern"), and every later run said unchanged.
describe('Salesforce: the record this sync wrote is gone and another has the key', () => {
  const t = perTestEmulator(startEmulator);

  for (const mode of ['sync', 'additive', 'enrich'] as const) {
    it(`${mode}: the other record is written whole (every field, its groups), then a rerun writes nothing`, async () => {
      const first = await runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode: mode === 'enrich' ? 'additive' : mode, source: memorySource([ann('Ann')]), state: t.state, retry: FAST });
      expect(first.results[0]?.outcome).toBe('created');
      const written = String(t.env.emulator.org.all('Contact')[0]?.Id);
      t.env.emulator.org.delete(written);
      t.env.emulator.seed({ Contact: [{ FirstName: 'Bob', LastName: 'Other', Title: 'Intern', Email: 'rematch@example.com' }] });
      const other = String(t.env.emulator.org.all('Contact')[0]?.Id);

      const second = await runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode, source: memorySource([ann('Anna')]), state: t.state, retry: FAST });
      expect(second.results[0]).toMatchObject({ outcome: 'updated', destinationId: other });
      expect(second.results[0]?.message).toContain(`(${written})`);
      expect(await readContacts(t.env.admin)).toEqual([
        { id: other, key: 'rematch@example.com', properties: { Email: 'rematch@example.com', FirstName: 'Anna', LastName: 'Source', Title: 'CTO', Phone: null }, groups: ['Summit'] },
      ]);

      t.env.emulator.clearRequests();
      const third = await runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode, source: memorySource([ann('Anna')]), state: t.state, retry: FAST });
      expect(third.results[0]?.outcome).toBe('unchanged');
      expect(t.env.emulator.requests.filter((e) => e.method !== 'GET')).toEqual([]);
    });
  }

  it('sync: the other record is not taken for one this sync created, so the row leaving does not delete it', async () => {
    await runSync({ destination: salesforceDestination, config: t.env.config, mode: 'sync', source: memorySource([ann('Ann')]), state: t.state, retry: FAST });
    t.env.emulator.org.delete(String(t.env.emulator.org.all('Contact')[0]?.Id));
    t.env.emulator.seed({ Contact: [{ FirstName: 'Bob', LastName: 'Other', Title: 'Intern', Email: 'rematch@example.com' }] });
    await runSync({ destination: salesforceDestination, config: t.env.config, mode: 'sync', source: memorySource([ann('Anna')]), state: t.state, retry: FAST });
    const left = await runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode: 'sync', source: memorySource([]), state: t.state, retry: FAST, guard: { allowEmptySource: true } });
    expect(left.results[0]).toMatchObject({ outcome: 'skipped', code: 'not_owned' });
    expect(t.env.emulator.org.all('Contact')).toHaveLength(1);
  });
});
