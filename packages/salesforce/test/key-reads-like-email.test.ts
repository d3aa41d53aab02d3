import { runSync } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const row = (id: string, customerId: string, email: string): ConformanceRecord => ({ id, snapshot: { properties: { Customer_Id__c: customerId, Email: email, LastName: id }, groups: [] } });

// The kit refuses a row whose match key is another row's identifier (identityKeys): one
// destination record would be found by either. Salesforce's identifiers are Emails, its key a
// field's bare value: a Customer_Id__c that reads like another row's Email names nobody else
// (Salesforce's duplicate rules match by Email, not by Customer_Id__c), so both rows are written.
describe('Salesforce: an external-id match value that reads like another row\'s Email', () => {
  const t = perTestEmulator(startEmulator);

  for (const mode of ['sync', 'additive'] as const) {
    it(`${mode}: both rows are created, each with its own values`, async () => {
      const rows = [row('a', 'ann@example.com', 'a.other@example.com'), row('b', 'c-2', 'ann@example.com')];
      const summary = await runSync({ collectResults: true, destination: salesforceDestination, config: { ...t.env.config, matchField: 'Customer_Id__c' }, mode, source: memorySource(rows), state: t.state, retry: FAST });
      expect(Object.fromEntries(summary.results.map((r) => [r.id, r.code ?? r.outcome]))).toEqual({ a: 'created', b: 'created' });
      expect(t.env.emulator.org.all('Contact').map((c) => [c.Customer_Id__c, c.Email, c.LastName]).sort()).toEqual([
        ['ann@example.com', 'a.other@example.com', 'a'],
        ['c-2', 'ann@example.com', 'b'],
      ]);
    });
  }
});
