import { runSync } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const row = (id: string, customerId: string, email: string): ConformanceRecord => ({ id, snapshot: { properties: { Customer_Id__c: customerId, Email: email, LastName: id }, groups: [] } });

// A spreadsheet writes a long external id such as 447900900123 as `4.479E+11`: the value is no
// longer the id, and 447900911999 looks the same. Upserted, it created a Contact under the
// wrong key; now the row is refused and nothing is written for it.
describe('Salesforce: a match value a spreadsheet wrote in scientific notation', () => {
  const t = perTestEmulator(startEmulator);

  for (const mode of ['sync', 'additive', 'enrich'] as const) {
    it(`${mode}: the row fails scientific_notation, alone, and nothing is sent for it`, async () => {
      t.env.emulator.org.create('Contact', { Customer_Id__c: '4.479E+11', Email: 'old@example.com', LastName: 'Old' });
      const rows = [row('a', '4.479E+11', 'ann@example.com'), row('b', '4,479E+11', 'bob@example.com'), row('c', 'c-3', 'cy@example.com')];
      const summary = await runSync({ collectResults: true, destination: salesforceDestination, config: { ...t.env.config, matchField: 'Customer_Id__c' }, mode, source: memorySource(rows), state: t.state, retry: FAST });
      const byId = Object.fromEntries(summary.results.map((r) => [r.id, r.code ?? r.outcome]));
      expect(byId).toEqual({ a: 'scientific_notation', b: 'scientific_notation', c: mode === 'enrich' ? 'not_found' : 'created' });
      expect(summary.results.find((r) => r.id === 'a')?.message).toMatch(/^The match field Customer_Id__c is written in a spreadsheet's scientific notation/);
      expect(t.env.emulator.org.all('Contact').map((c) => [c.Customer_Id__c, c.Email]).sort()).toEqual(
        mode === 'enrich' ? [['4.479E+11', 'old@example.com']] : [['4.479E+11', 'old@example.com'], ['c-3', 'cy@example.com']],
      );
    });
  }
});
