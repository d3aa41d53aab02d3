import { createHash } from 'node:crypto';
import type { RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import { runPool } from '../pool';
import type { BenchEntry, CallClass } from '../types';

/** The emulator's token and ad account (`EMULATOR_ACCESS_TOKEN`, `EMULATOR_AD_ACCOUNT_ID`); modules load lazily. */
const TOKEN = 'EMULATOR-FACEBOOK-TOKEN';
const AD_ACCOUNT = 'act_1000';
/** The one audience every record joins (the `audience` option). */
const AUDIENCE = 'Bench';
/** Most rows per add request (Meta: 10,000) and the connector's default per removal request. */
const ADD_ROWS = 10_000;
const REMOVE_ROWS = 1_000;
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** Facebook Custom Audiences (sync, additive): membership of one audience, hashed identifiers, 10,000 rows per add. */
export const facebookBench: BenchEntry = {
  id: 'facebook',
  modes: ['additive', 'sync'],
  audience: true,
  destination: async () => (await import('@syncmodes/facebook')).facebookDestination,
  async startEmulator() {
    const { createFacebookEmulator } = await import('@syncmodes/facebook/emulator');
    // No low-audience-size refusal: removals in `sync` mode are measured, not refused.
    const server = createFacebookEmulator({ settings: { lowAudienceSize: 0 } });
    const url = await server.start();
    return {
      server,
      url,
      // Meta cannot say who is in an audience, so existing members change nothing the connector sends; they are seeded for realism.
      seed: (indices) => server.seed({ audiences: [{ name: AUDIENCE, accountId: AD_ACCOUNT, members: indices.map((i) => ({ EMAIL: sha(`person${i}@example.com`) })) }] }),
      reset: () => server.reset(),
      stop: () => server.stop(),
    };
  },
  config: (url) => ({ adAccountId: AD_ACCOUNT, accessToken: TOKEN, baseUrl: url, audience: AUDIENCE }),
  properties: (i) => ({ EMAIL: `person${i}@example.com`, FN: `First${i}`, LN: `Last${i}`, COUNTRY: 'NO' }),
  classify(e: RequestLogEntry): CallClass {
    if (e.path.endsWith('/users')) return e.method === 'POST' ? 'create' : e.method === 'DELETE' ? 'delete' : 'other';
    // Finding (or creating) the audience: once per run (setup).
    return 'other';
  },
  minimum: (c) => ({ lookups: 0, writes: Math.ceil(c.created / ADD_ROWS) + Math.ceil(c.deleted / REMOVE_ROWS) }),
  naiveDescription: 'facebook-nodejs-business-sdk `CustomAudience#createUser` per record (one row per request, hashed EMAIL, FN, LN, COUNTRY)',
  naiveConcurrency: 2,
  naiveModules: () => Promise.all([import('facebook-nodejs-business-sdk'), import('@syncmodes/facebook')]),
  async naive(url, indices) {
    const { CustomAudience } = await import('facebook-nodejs-business-sdk');
    const { TargetedFacebookAdsApi } = await import('@syncmodes/facebook');
    const data = (await (await fetch(`${url}/__emulator/records`)).json()) as { audiences: { id: string; name: string }[] };
    const audienceId = data.audiences.find((a) => a.name === AUDIENCE)?.id;
    if (!audienceId) throw new Error('the naive baseline needs the audience to exist');
    const api = new TargetedFacebookAdsApi(TOKEN, url);
    return runPool(indices, this.naiveConcurrency, async (i) => {
      const p = this.properties(i, 1) as Record<string, string>;
      const row = [sha(p.EMAIL as string), sha((p.FN as string).toLowerCase()), sha((p.LN as string).toLowerCase()), sha((p.COUNTRY as string).toLowerCase())];
      await new CustomAudience(audienceId, {}, undefined, api).createUser([], { payload: { schema: ['EMAIL', 'FN', 'LN', 'COUNTRY'], data: [row] } });
    });
  },
};
