import { runSync, type SyncMode } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const row = (groups: string[]): ConformanceRecord => ({ id: 'r1', snapshot: { properties: { Email: 'ann@example.com', LastName: 'Ann', Company: 'Acme' }, groups } });

// Reviewer 88, F5: a Lead this sync created and put in a campaign, converted by a person (the Lead is the sales team's
// now: Salesforce refuses updates to converted Leads, and its campaign history goes with the conversion). When its row left
// the source, sync mode deleted the Lead and additive and enrich took it out of the campaign.
describe('Salesforce: a Lead this sync made, converted by a person, then its row leaves the source', () => {
  const t = perTestEmulator(startEmulator);
  for (const mode of ['sync', 'additive', 'enrich'] as const satisfies readonly SyncMode[]) {
    it(`${mode}: the converted Lead and its campaign member are kept, skipped converted_lead, and no longer tracked`, async () => {
      const config = { ...t.env.config, object: 'Lead' };
      const run = (m: SyncMode, rows: ConformanceRecord[]) =>
        runSync({ collectResults: true, destination: salesforceDestination, config, mode: m, source: memorySource(rows), state: t.state, retry: FAST, guard: { allowEmptySource: true, maxDeletes: 10 } });
      await run(mode === 'enrich' ? 'additive' : mode, [row(['Summit'])]);
      const [lead] = t.env.emulator.org.all('Lead');
      const [member] = t.env.emulator.org.all('CampaignMember');
      expect(member?.LeadId).toBe(lead?.Id);
      t.env.emulator.org.convertLead(lead?.Id as string);
      t.env.emulator.clearRequests();

      const left = await run(mode, []);
      expect(left.results).toEqual([
        expect.objectContaining({
          id: 'r1',
          outcome: 'skipped',
          code: 'converted_lead',
          message: 'Left the source; kept in Salesforce as it is (groups too) and no longer tracked: This Lead was converted; Salesforce does not allow updating converted Leads. Sync Contacts for converted people.',
        }),
      ]);
      expect(t.env.emulator.requests.filter((e) => e.method !== 'GET')).toEqual([]);
      expect(t.env.emulator.org.all('Lead').map((l) => [l.Id, l.IsConverted])).toEqual([[lead?.Id, true]]);
      expect(t.env.emulator.org.all('CampaignMember').map((m) => m.Id)).toEqual([member?.Id]);

      t.env.emulator.clearRequests();
      const again = await run(mode, []);
      expect(again.results).toEqual([]);
      expect(t.env.emulator.requests.filter((e) => e.method !== 'GET')).toEqual([]);
    });
  }
});
