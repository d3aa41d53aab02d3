import { runSync } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const row = (id: string, groups: readonly string[]): ConformanceRecord => ({ id, snapshot: { properties: { Email: `${id}@example.com`, LastName: id }, groups: [...groups] } });

// Reviewer 88, F8: a campaign renamed in Salesforce was reported "deleted". The sync manages
// campaigns by name, so it creates the name again and repopulates it; the notice now says the
// name is gone (deleted, or renamed) and what to do if it was renamed.
describe('Salesforce: a managed campaign renamed by a person', () => {
  const t = perTestEmulator(startEmulator);

  it('is reported as no longer existing under its name (deleted, or renamed), recreated and repopulated; the renamed campaign keeps its members', async () => {
    const run = () => runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode: 'sync', source: memorySource([row('a', ['VIP']), row('b', ['VIP'])]), state: t.state, retry: FAST });
    await run();
    const vip = t.env.emulator.org.all('Campaign').find((c) => c.Name === 'VIP');
    expect(t.env.emulator.org.update(String(vip?.Id), { Name: 'VIP 2026' }).success).toBe(true);

    const next = await run();
    expect(next.notices?.map((n) => n.code)).toEqual(['group_recreated']);
    expect(next.notices?.[0]?.message).toMatch(/group "VIP" no longer exists under that name \(deleted, or renamed\) although this sync added 2 member\(s\) \(or was adding them when a run stopped\): created again and repopulated with every current member \(2 record\(s\) to add again\)\. If it was renamed: the sync manages groups by name, so the renamed group is no longer this sync's, and the members it had there stay there\./);
    expect(next.notices?.[0]?.message).not.toMatch(/was deleted/);
    const campaigns = new Map(t.env.emulator.org.all('Campaign').map((c) => [String(c.Id), String(c.Name)]));
    const members = t.env.emulator.org.all('CampaignMember').map((m) => campaigns.get(String(m.CampaignId))).sort();
    expect(members).toEqual(['VIP', 'VIP', 'VIP 2026', 'VIP 2026']);
  });
});
