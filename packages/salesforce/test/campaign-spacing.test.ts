import { runSync } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const row = (id: string, groups: readonly string[]): ConformanceRecord => ({ id, snapshot: { properties: { Email: `${id}@example.com`, LastName: id }, groups: [...groups] } });

// Fresh reviewer 148, M1: source group names are read with runs of white space as one space; a campaign a person named with
// two spaces or a no-break space was then not found by its exact name, and a look-alike second one was created.
describe('Salesforce: a campaign named with other white space than the group', () => {
  const t = perTestEmulator(startEmulator);
  const run = (rows: readonly ConformanceRecord[]) =>
    runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode: 'sync', source: memorySource(rows), state: t.state, retry: FAST });
  const campaigns = () => t.env.emulator.org.all('Campaign').map((c) => String(c.Name)).sort();
  const membersOf = (name: string) => {
    const id = t.env.emulator.org.all('Campaign').find((c) => c.Name === name)?.Id;
    return t.env.emulator.org.all('CampaignMember').filter((m) => m.CampaignId === id).length;
  };

  it("is the group's (two spaces, a no-break space; % and _ in the name are literal): no second campaign", async () => {
    await t.env.admin.seed({ Campaign: [{ Name: 'Spring  Promo' }, { Name: 'Fall\u00a0Sale' }, { Name: '50%  Off_Now' }, { Name: '50X Off Now' }] });
    const summary = await run([row('a', ['Spring Promo', 'Fall Sale']), row('b', ['50% Off_Now'])]);
    expect(summary.results.map((r) => r.outcome)).toEqual(['created', 'created']);
    expect(campaigns()).toEqual(['50%  Off_Now', '50X Off Now', 'Fall\u00a0Sale', 'Spring  Promo'].sort());
    expect([membersOf('Spring  Promo'), membersOf('Fall\u00a0Sale'), membersOf('50%  Off_Now'), membersOf('50X Off Now')]).toEqual([1, 1, 1, 0]);
    // Fresh reviewer 149, L3: the names no campaign has exactly are read in one LIKE query, not one each.
    const likes = t.env.emulator.requests.filter((e) => e.method === 'GET' && /LIKE/.test(String(e.query?.q ?? '')));
    expect(likes).toHaveLength(1);
  });

  it('one named exactly is taken before a look-alike (as the sync created before names were read so)', async () => {
    await t.env.admin.seed({ Campaign: [{ Name: 'Spring Promo' }, { Name: 'Spring\u00a0Promo' }] });
    const summary = await run([row('a', ['Spring Promo'])]);
    expect(summary.results.map((r) => r.outcome)).toEqual(['created']);
    expect([membersOf('Spring Promo'), membersOf('Spring\u00a0Promo')]).toEqual([1, 0]);
  });

  it('two campaigns that are one name but for white space are ambiguous_group, as two of one name are', async () => {
    await t.env.admin.seed({ Campaign: [{ Name: 'VIP  Club' }, { Name: 'VIP\u00a0Club' }] });
    await expect(run([row('a', ['VIP Club'])])).rejects.toMatchObject({ code: 'ambiguous_group' });
    expect(campaigns()).toEqual(['VIP  Club', 'VIP\u00a0Club'].sort());
  });
});
