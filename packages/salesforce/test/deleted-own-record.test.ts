import { runSync, type SyncMode } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { readContacts, startEmulator } from './salesforce-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const row = (groups: string[], LastName = 'Ann'): ConformanceRecord => ({ id: 'r1', snapshot: { properties: { Email: 'ann@example.com', LastName }, groups } });

// A create for a record this sync wrote before and no longer finds carries the removals of the groups its row dropped
// (reviewer 88, F6: an Intercom contact restored from its archive kept a dropped tag). When the create makes a new record
// instead — here the sync's Contact was deleted by a person, and its campaign members with it — nothing is removed from it:
// those removals are done without a call, and state holds only what the new Contact is in.
describe('Salesforce: the sync’s own Contact deleted by a person, and the row left one of its campaigns', () => {
  const t = perTestEmulator(startEmulator);

  for (const mode of ['sync', 'additive'] as const satisfies readonly SyncMode[]) {
    it(`${mode}: a new Contact in the row's campaigns only, no removal sent, and a rerun sends nothing`, async () => {
      const run = (groups: string[], LastName?: string) => runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode, source: memorySource([row(groups, LastName)]), state: t.state, retry: FAST });
      await run(['Summit', 'Webinar']);
      const first = (await readContacts(t.env.admin))[0];
      expect([...(first?.groups ?? [])].sort()).toEqual(['Summit', 'Webinar']);
      expect(t.env.emulator.org.delete(first?.id as string).success).toBe(true);
      expect(t.env.emulator.org.all('CampaignMember')).toEqual([]);
      t.env.emulator.clearRequests();

      const again = await run(['Webinar'], 'Ann B');
      expect(again.results[0]).toMatchObject({ outcome: 'created' });
      const contacts = await readContacts(t.env.admin);
      expect(contacts.map((c) => [c.properties.LastName, c.groups])).toEqual([['Ann B', ['Webinar']]]);
      expect(contacts[0]?.id).not.toBe(first?.id);
      // Only the lookups (by Email, then by the Id this sync wrote, which may hold another Email now), the create and its
      // add: the campaign it left is not even looked up, and no member of it is read or deleted.
      expect(t.env.emulator.requests.map((e) => `${e.method} ${e.path.replace(/^\/services\/data\/v[\d.]+/, '')} ${String(e.query?.q ?? '')}`.trim())).toEqual([
        'GET /sobjects/Contact/describe',
        "GET /query SELECT Id, Name, NumberOfContacts, NumberOfLeads FROM Campaign WHERE Name IN ('Webinar') ORDER BY Id",
        "GET /query SELECT Id, Email FROM Contact WHERE Email IN ('ann@example.com') ORDER BY Id",
        `GET /query SELECT Id, Email FROM Contact WHERE Id IN ('${first?.id}') ORDER BY Id`,
        'POST /composite/sobjects',
        'POST /composite/sobjects',
      ]);

      t.env.emulator.clearRequests();
      const rerun = await run(['Webinar'], 'Ann B');
      expect(rerun.results[0]).toMatchObject({ outcome: 'unchanged' });
      expect(t.env.emulator.requests.filter((e) => e.method !== 'GET')).toEqual([]);
    });
  }
});
