import { SqliteStateStore, runSync } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

// A match field marked "Unique, case sensitive": SOQL compares it case-sensitively ("Comparisons on strings are
// case-sensitive for unique case-sensitive fields"), and so does an upsert by it.
// https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm
// https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_upsert.htm

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const row = (id: string, key: string, email: string, last: string): ConformanceRecord => ({
  id,
  snapshot: { properties: { External_Key__c: key, Email: email, LastName: last }, groups: [] },
});
/** `n - 1` other new people, so that a run of 250 takes the Bulk API path (bulkThreshold 240). */
const others = (n: number) => Array.from({ length: Math.max(0, n - 1) }, (_, k) => row(`o${k}`, `cus_Other${k}`, `other${k}@example.com`, `Other${k}`));

describe('Salesforce: a unique case-sensitive external id is looked up as written', () => {
  const t = perTestEmulator(startEmulator);
  const run = (records: ConformanceRecord[], mode: string) =>
    runSync({ collectResults: true, destination: salesforceDestination, config: { ...t.env.config, matchField: 'External_Key__c', bulkThreshold: 240, bulkPollIntervalMs: 5 }, mode, source: memorySource(records), state: t.state, retry: FAST });
  const contact = (key: string) => t.env.emulator.org.all('Contact').filter((c) => c.External_Key__c === key);
  const fresh = async () => {
    await t.env.emulator.reset();
    t.state.close();
    t.state = new SqliteStateStore(':memory:');
  };

  for (const n of [1, 250]) {
    const path = n === 1 ? 'collections' : 'Bulk API';
    it(`a Contact holding one row's id and another row's Email is found, and both rows refused identity_unclear, never upserted onto it (${path})`, async () => {
      t.env.emulator.seed({ Contact: [{ External_Key__c: 'cus_AbC1', Email: 'bea@example.com', LastName: 'Bea' }] });
      const summary = await run([row('r1', 'cus_AbC1', 'ann@example.com', 'Ann'), row('r2', 'cus_Bea2', 'bea@example.com', 'Bea'), ...others(n - 1)], 'additive');
      expect(summary.results.filter((r) => r.outcome === 'failed').map((r) => [r.id, r.code])).toEqual([
        ['r1', 'identity_unclear'],
        ['r2', 'identity_unclear'],
      ]);
      expect(contact('cus_AbC1')).toMatchObject([{ Email: 'bea@example.com', LastName: 'Bea' }]);
      expect(t.env.emulator.org.all('Contact')).toHaveLength(1 + Math.max(0, n - 2));
    });

    it(`enrich finds the Contact holding the id as written, and a row whose id differs only in case is another person's: not found (${path})`, async () => {
      t.env.emulator.seed({ Contact: [{ External_Key__c: 'cus_AbC1', Email: 'ann@example.com', LastName: 'Old' }, ...others(n).map((o) => ({ ...o.snapshot.properties, LastName: 'Old' }))] });
      const summary = await run([row('r1', 'cus_AbC1', 'ann@example.com', 'Ann'), row('r2', 'cus_ABC2', 'cy@example.com', 'Cy'), ...others(n)], 'enrich');
      expect(summary.results.find((r) => r.id === 'r1')).toMatchObject({ outcome: 'updated' });
      expect(contact('cus_AbC1')).toMatchObject([{ LastName: 'Ann' }]);
      expect(summary.results.find((r) => r.id === 'r2')).toMatchObject({ outcome: 'skipped', code: 'not_found' });
      await fresh();
      t.env.emulator.seed({ Contact: [{ External_Key__c: 'cus_abc2', Email: 'cy@example.com', LastName: 'Old' }] });
      const other = await run([row('r2', 'cus_ABC2', 'cy@example.com', 'Cy'), ...others(n)], 'enrich');
      expect(other.results.find((r) => r.id === 'r2')).toMatchObject({ outcome: 'skipped', code: 'not_found' });
      expect(contact('cus_abc2')).toMatchObject([{ LastName: 'Old' }]);
    });

    it(`a row whose id differs only in case from a Contact's creates its own Contact beside it; the other is untouched (${path})`, async () => {
      t.env.emulator.seed({ Contact: [{ External_Key__c: 'cus_AbC1', Email: 'bea@example.com', LastName: 'Bea' }] });
      const summary = await run([row('r1', 'cus_abc1', 'ann@example.com', 'Ann'), ...others(n)], 'additive');
      expect(summary.results.find((r) => r.id === 'r1')).toMatchObject({ outcome: 'created' });
      expect(contact('cus_abc1')).toMatchObject([{ Email: 'ann@example.com', LastName: 'Ann' }]);
      expect(contact('cus_AbC1')).toMatchObject([{ Email: 'bea@example.com', LastName: 'Bea' }]);
    });
  }

  for (const object of ['Contact', 'Lead'] as const) {
    for (const n of [1, 250]) {
      const path = `${object}, ${n === 1 ? 'collections' : 'Bulk API'}`;
      const company = object === 'Lead' ? { Company: 'Acme' } : {};
      const as = (r: ConformanceRecord): ConformanceRecord => (object === 'Lead' ? { ...r, snapshot: { ...r.snapshot, properties: { ...r.snapshot.properties, Company: 'Acme' } } } : r);
      const runOn = (records: ConformanceRecord[], mode: string) =>
        runSync({ collectResults: true, destination: salesforceDestination, config: { ...t.env.config, object, matchField: 'External_Key__c', bulkThreshold: 240, bulkPollIntervalMs: 5 }, mode, source: memorySource(records.map(as)), state: t.state, retry: FAST });
      const held = (key: string) => t.env.emulator.org.all(object).filter((c) => c.External_Key__c === key);
      for (const mode of ['additive', 'sync', 'enrich'] as const) {
        it(`a row whose id changes only in case between runs updates its record in place, never a second one (${path}, ${mode})`, async () => {
          if (mode === 'enrich') t.env.emulator.seed({ [object]: [{ External_Key__c: 'cus_abc1', Email: 'ann@example.com', LastName: 'Old', ...company }] });
          const first = await runOn([row('r1', 'cus_abc1', 'ann@example.com', 'Ann'), ...others(n)], mode);
          expect(first.results.find((r) => r.id === 'r1')).toMatchObject({ outcome: mode === 'enrich' ? 'updated' : 'created' });
          const id = first.results.find((r) => r.id === 'r1')?.destinationId;
          const next = await runOn([row('r1', 'cus_ABC1', 'ann@example.com', 'Ann'), ...others(n)], mode);
          expect(next.results.find((r) => r.id === 'r1')).toMatchObject({ outcome: 'updated', destinationId: id });
          expect(held('cus_ABC1').map((c) => c.Id)).toEqual([id]);
          expect(held('cus_abc1')).toEqual([]);
        });
      }
      it(`a row whose id changes only in case onto another record's id is refused duplicate_value: nothing written to either (${path})`, async () => {
        await runOn([row('r1', 'cus_abc1', 'ann@example.com', 'Ann'), ...others(n)], 'additive');
        t.env.emulator.seed({ [object]: [{ External_Key__c: 'cus_ABC1', Email: 'bea@example.com', LastName: 'Bea', ...company }] });
        const next = await runOn([row('r1', 'cus_ABC1', 'ann@example.com', 'Ann2'), ...others(n)], 'additive');
        // Its own record is updated by id; Salesforce's Unique check refuses the value another record holds.
        expect(next.results.find((r) => r.id === 'r1')).toMatchObject({ outcome: 'failed', code: 'duplicate_value' });
        expect(held('cus_ABC1')).toMatchObject([{ LastName: 'Bea' }]);
        expect(held('cus_abc1')).toMatchObject([{ LastName: 'Ann' }]);
      });
    }
  }

  it('two rows whose ids differ only in case are refused duplicate_match_key (the kit compares keys case-insensitively): never merged, never guessed', async () => {
    const summary = await run([row('r1', 'cus_AbC1', 'ann@example.com', 'Ann'), row('r2', 'cus_abc1', 'bea@example.com', 'Bea')], 'additive');
    expect(summary.results.map((r) => [r.id, r.outcome, r.code])).toEqual([
      ['r1', 'failed', 'duplicate_match_key'],
      ['r2', 'failed', 'duplicate_match_key'],
    ]);
    expect(t.env.emulator.org.all('Contact')).toEqual([]);
  });
});
