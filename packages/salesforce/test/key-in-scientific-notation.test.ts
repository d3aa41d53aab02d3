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

  // Fresh reviewer 154, F2: a column in scientific notation throughout refused the run as match_key_not_mapped ("map a column").
  it('every row in scientific notation: each fails scientific_notation; the run is not refused', async () => {
    const rows = [row('a', '4.479E+11', 'ann@example.com'), row('b', '4.48E+11', 'bob@example.com')];
    const summary = await runSync({ collectResults: true, destination: salesforceDestination, config: { ...t.env.config, matchField: 'Customer_Id__c' }, mode: 'additive', source: memorySource(rows), state: t.state, retry: FAST });
    expect(summary.status).toBe('completed');
    expect(summary.results.map((r) => r.code)).toEqual(['scientific_notation', 'scientific_notation']);
  });

  // Fresh reviewer 154, F1: a Contact this sync created under such a value before it was refused must still be deleted when its
  // row leaves. Matched by Title here (a text field, not an external id, whose values were never refused when written).
  it('sync: a Contact created under such a value before it was refused is deleted when its row leaves', async () => {
    const config = { ...t.env.config, matchField: 'Title' };
    const titled = (id: string, title: string): ConformanceRecord => ({ id, snapshot: { properties: { Title: title, Email: `${id}@example.com`, LastName: id }, groups: [] } });
    const before = { ...salesforceDestination } as typeof salesforceDestination;
    delete (before as { refuseKey?: unknown }).refuseKey; // as before such values were refused
    await runSync({ destination: before, config, mode: 'sync', source: memorySource([titled('a', '4.479E+11'), titled('c', 'c-3')]), state: t.state, retry: FAST });
    expect(t.env.emulator.org.all('Contact')).toHaveLength(2);
    const left = await runSync({ collectResults: true, destination: salesforceDestination, config, mode: 'sync', source: memorySource([titled('c', 'c-3')]), state: t.state, retry: FAST, guard: { maxDeletes: 10 } });
    expect(left.results.find((r) => r.id === 'a')).toMatchObject({ outcome: 'deleted' });
    expect(t.env.emulator.org.all('Contact').map((c) => c.Title)).toEqual(['c-3']);
  });
});
