import { describe, expect, it } from 'vitest';
import { FacebookClient } from '../src/client/facebook-client';
import { facebookConfigSchema } from '../src/config';
import { ensureAudiences, findAudiences } from '../src/verbs/ensure-audiences';
import type { FacebookVerbContext } from '../src/verbs/send-members';
import { startFacebook } from './facebook-harness';

/** #12: every audience with a name is found, nothing is created, and ensure never picks among several. */
describe('findAudiences / ensureAudiences with names several audiences share (#12)', () => {
  it('finds every audience with the name, creates nothing; ensure refuses with ambiguous_group naming the ids; a deleted audience is gone', async () => {
    const env = await startFacebook();
    try {
      // Meta allows several audiences with one name in an ad account (names are labels, ids are keys):
      // https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
      await env.admin.seed({ audiences: [{ id: '111', name: 'VIP' }, { id: '222', name: 'VIP' }, { id: '333', name: 'Solo' }] });
      const config = facebookConfigSchema.parse(env.config);
      const client = new FacebookClient(config);
      const ctx = { config, client, logger: { debug() {}, info() {}, warn() {}, error() {} }, signal: new AbortController().signal, rateLimit: { observe() {} } } as unknown as FacebookVerbContext;
      try {
        const found = await findAudiences(ctx, ['VIP', 'Solo', 'Missing']);
        expect(Object.fromEntries([...found].map(([n, gs]) => [n, gs.map((g) => g.id)]))).toEqual({ VIP: ['111', '222'], Solo: ['333'], Missing: [] });
        await expect(ensureAudiences(ctx, ['VIP'], { create: true })).rejects.toMatchObject({ code: 'ambiguous_group', message: expect.stringContaining('ids 111, 222') });
        // Deleting an audience answers {"success": true}: https://developers.facebook.com/docs/marketing-api/reference/custom-audience/#Deleting
        const deleted = await fetch(`${env.baseUrl}/v24.0/222?access_token=${config.accessToken}`, { method: 'DELETE' });
        expect(await deleted.json()).toEqual({ success: true });
        expect((await ensureAudiences(ctx, ['VIP'], { create: true })).get('VIP')).toBe('111');
        expect((await env.admin.requests()).filter((e) => e.method === 'POST' && e.path.endsWith('/customaudiences'))).toEqual([]);
      } finally {
        client.close();
      }
    } finally {
      await env.emulator.stop();
    }
  });

  // Fresh reviewer 148, M1: group names are read with runs of white space as one space; an audience a person named with
  // two spaces or a no-break space was then not found, and a look-alike second one was created.
  it('an audience named with other white space than the group is found; one named exactly is taken before it; two look-alikes are ambiguous_group; nothing is created', async () => {
    const env = await startFacebook();
    try {
      await env.admin.seed({ audiences: [{ id: '444', name: 'Spring  Promo' }, { id: '555', name: 'VIP\u00a0Club' }, { id: '666', name: 'VIP  Club' }, { id: '777', name: 'Fall Sale' }, { id: '888', name: 'Fall\u00a0Sale' }] });
      const config = facebookConfigSchema.parse(env.config);
      const client = new FacebookClient(config);
      const ctx = { config, client, logger: { debug() {}, info() {}, warn() {}, error() {} }, signal: new AbortController().signal, rateLimit: { observe() {} } } as unknown as FacebookVerbContext;
      try {
        expect((await ensureAudiences(ctx, ['Spring Promo'], { create: true })).get('Spring Promo')).toBe('444');
        // Fresh reviewer 149, M1: one named exactly beside a look-alike is the group's, not ambiguous.
        expect((await ensureAudiences(ctx, ['Fall Sale'], { create: true })).get('Fall Sale')).toBe('777');
        await expect(ensureAudiences(ctx, ['VIP Club'], { create: true })).rejects.toMatchObject({ code: 'ambiguous_group', message: expect.stringContaining('ids 555, 666') });
        expect((await env.admin.requests()).filter((e) => e.method === 'POST' && e.path.endsWith('/customaudiences'))).toEqual([]);
      } finally {
        client.close();
      }
    } finally {
      await env.emulator.stop();
    }
  });
});
