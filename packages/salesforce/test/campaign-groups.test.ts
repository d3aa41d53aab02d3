import { ConfigError, SqliteStateStore, runSync, silentLogger, type VerbContext } from '@syncmodes/connector-kit';
import { memorySource } from '@syncmodes/connector-kit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SalesforceClient } from '../src/client/salesforce-client';
import { salesforceConfigSchema, type SalesforceConfig } from '../src/config';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const CAMPAIGN_DOCS = 'https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_campaign.htm';

/** The Campaign group verbs (`groups.find`, `groups.ensure`) against the emulator (issue #12 item 5). */
describe('Salesforce campaigns as groups: find and ensure', () => {
  let env: Awaited<ReturnType<typeof startEmulator>>;
  beforeEach(async () => {
    env = await startEmulator();
  });
  afterEach(async () => {
    await env.emulator.stop();
  });

  const context = async (extra: Partial<SalesforceConfig> = {}): Promise<VerbContext<SalesforceConfig, SalesforceClient>> => {
    const config = salesforceConfigSchema.parse({ ...env.config, ...extra });
    const client = await salesforceDestination.connect(config, { logger: silentLogger } as never);
    return { config, client, logger: silentLogger, signal: new AbortController().signal, rateLimit: { observe: () => undefined } };
  };
  const groups = salesforceDestination.verbs.groups;
  const campaignId = (name: string) => env.emulator.org.all('Campaign').filter((c) => c.Name === name).map((c) => String(c.Id));

  it(`find returns every campaign with a name, with the member count of the synced object (NumberOfContacts / NumberOfLeads — ${CAMPAIGN_DOCS})`, async () => {
    env.emulator.seed({
      Contact: [
        { LastName: 'A', Email: 'a@example.com', Campaigns: ['Spring', 'Solo'] },
        { LastName: 'B', Email: 'b@example.com', Campaigns: ['Solo'] },
      ],
      Lead: [{ LastName: 'L', Company: 'Acme', Email: 'l@example.com', Campaigns: ['Solo'] }],
      Campaign: [{ Name: "Spring" }, { Name: "O'Brien \\ Promo" }],
    });
    const ctx = await context();
    env.emulator.clearRequests();
    const found = await groups?.find?.(ctx, ['Spring', 'Solo', 'Missing', "O'Brien \\ Promo"]);
    const spring = campaignId('Spring');
    expect(spring).toHaveLength(2);
    expect(found?.get('Spring')).toEqual([
      { id: spring[0], members: 1 },
      { id: spring[1], members: 0 },
    ]);
    expect(found?.get('Solo')).toEqual([{ id: campaignId('Solo')[0], members: 2 }]);
    expect(found?.get('Missing') ?? []).toEqual([]);
    expect(found?.get("O'Brien \\ Promo")).toEqual([{ id: campaignId("O'Brien \\ Promo")[0], members: 0 }]);
    // Never creates: only queries were sent.
    expect(env.emulator.requests.every((e) => e.method === 'GET')).toBe(true);
    expect(env.emulator.org.all('Campaign')).toHaveLength(4);

    const leads = await groups?.find?.(await context({ object: 'Lead' }), ['Solo']);
    expect(leads?.get('Solo')).toEqual([{ id: campaignId('Solo')[0], members: 1 }]);
  });

  it('ensure creates one campaign for names that differ only in case (SOQL finds them as one name), and both names resolve to it', async () => {
    const ids = await groups?.ensure(await context(), ['VIP', 'vip', 'Other'], { create: true });
    expect(env.emulator.org.all('Campaign').map((c) => c.Name).sort()).toEqual(['Other', 'VIP']);
    expect(ids?.get('vip')).toBe(ids?.get('VIP'));
    expect(ids?.get('VIP')).toBe(campaignId('VIP')[0]);
  });

  it(`find sees a campaign deleted or emptied outside the sync (member counts follow; deleting a campaign removes its members — ${CAMPAIGN_DOCS})`, async () => {
    env.emulator.seed({ Contact: [1, 2, 3].map((i) => ({ LastName: `C${i}`, Email: `c${i}@example.com`, Campaigns: ['Gone', 'Emptied'] })) });
    const ctx = await context();
    expect((await groups?.find?.(ctx, ['Gone', 'Emptied']))?.get('Emptied')?.[0]?.members).toBe(3);
    const [gone] = campaignId('Gone');
    await ctx.client.api.destroy('Campaign', [gone as string]);
    const [emptied] = campaignId('Emptied');
    const members = env.emulator.org.all('CampaignMember').filter((m) => m.CampaignId === emptied).map((m) => String(m.Id));
    await ctx.client.api.destroy('CampaignMember', members);
    const found = await groups?.find?.(ctx, ['Gone', 'Emptied']);
    expect(found?.get('Gone') ?? []).toEqual([]);
    expect(found?.get('Emptied')).toEqual([{ id: emptied, members: 0 }]);
    expect(env.emulator.org.all('CampaignMember')).toEqual([]);
  });

  it('ensure never picks among several campaigns with one name: ConfigError ambiguous_group naming the ids, nothing created', async () => {
    env.emulator.seed({ Campaign: [{ Name: 'Twins' }, { Name: 'twins' }, { Name: 'Single' }] });
    const ctx = await context();
    const error = await groups?.ensure(ctx, ['Twins', 'Single', 'New'], { create: true }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'ambiguous_group' });
    const ids = env.emulator.org.all('Campaign').filter((c) => String(c.Name).toLowerCase() === 'twins').map((c) => String(c.Id));
    for (const id of ids) expect((error as Error).message).toContain(id);
    expect(env.emulator.org.all('Campaign').map((c) => c.Name)).toEqual(['Twins', 'twins', 'Single']);
    expect(await groups?.ensure(ctx, ['Single', 'New'], { create: true })).toEqual(new Map([['Single', campaignId('Single')[0]], ['New', campaignId('New')[0]]]));
  });

  it('a run whose records join a campaign name held by two campaigns adds nobody to either', async () => {
    env.emulator.seed({ Campaign: [{ Name: 'Twins' }, { Name: 'Twins' }] });
    const state = new SqliteStateStore(':memory:');
    try {
      const records = [1, 2].map((i) => ({ id: `r${i}`, snapshot: { properties: { Email: `r${i}@example.com`, LastName: `R${i}` }, groups: ['Twins'] } }));
      const outcome = await runSync({ collectResults: true, destination: salesforceDestination, config: env.config, source: memorySource(records), state, retry: FAST }).then(
        (summary) => ({ summary, error: undefined }),
        (error: unknown) => ({ summary: undefined, error }),
      );
      const code = outcome.error ? (outcome.error as { code?: string }).code : outcome.summary?.reason?.code;
      const failedCodes = outcome.summary?.results.map((r) => r.code) ?? [];
      expect([code, ...failedCodes]).toContain('ambiguous_group');
      expect(env.emulator.org.all('CampaignMember')).toEqual([]);
    } finally {
      state.close();
    }
  });
});
