import { silentLogger, type MemberItem } from '@syncmodes/connector-kit';
import { describe, expect, it } from 'vitest';
import { facebookConfigSchema, toGraphError, type FacebookClient } from '../src/index';
import { AudienceMemory } from '../src/client/audience-memory';
import { sendMembers, type FacebookVerbContext } from '../src/verbs/send-members';

const config = facebookConfigSchema.parse({ adAccountId: 'act_1', accessToken: 'token-value', baseUrl: 'http://127.0.0.1:9' });
/** What a stub client of `act_1` needs besides its users requests: audience 42 is of its own ad account. */
const ownAccount = () => ({ memory: new AudienceMemory(config.adAccountId), audienceAccount: async () => config.adAccountId });
const members: MemberItem[] = [1, 2, 3].map((i) => ({ ref: i, recordId: `r${i}`, identity: { EMAIL: `p${i}@example.com` } }));

/** A verb context whose client answers every users request with one Graph error. */
function refusing(body: Record<string, unknown>): FacebookVerbContext {
  const refuse = async () => {
    throw toGraphError({ name: 'FacebookRequestError', status: 400, response: body, headers: {} }, ['token-value']);
  };
  const client = { ...ownAccount(), addUsers: refuse, removeUsers: refuse } as unknown as FacebookClient;
  return { config, client, logger: silentLogger, signal: new AbortController().signal, rateLimit: { observe: () => undefined } };
}

describe('a users request Graph refuses as a whole', () => {
  it('fails each member of the chunk with the Graph error (so the kit does not split it row by row)', async () => {
    const ctx = refusing({ message: "Unsupported post request. Object with ID '42' does not exist", code: 100, error_subcode: 33, fbtrace_id: 'T1' });
    const results = await sendMembers(ctx, { name: 'A', id: '42' }, members, 'add');
    expect(results).toHaveLength(3);
    for (const r of results) expect(r).toMatchObject({ ok: false, error: { code: 'graph_error', vendorCode: '100', retryable: false } });
  });

  it('throws retryable and run-stopping errors for the kit to retry or stop on', async () => {
    await expect(sendMembers(refusing({ message: 'unexpected', code: 2, is_transient: true }), { name: 'A', id: '42' }, members, 'add')).rejects.toMatchObject({ retryable: true });
    await expect(sendMembers(refusing({ message: 'expired', code: 190, error_subcode: 463 }), { name: 'A', id: '42' }, members, 'remove')).rejects.toMatchObject({ code: 'authentication_failed' });
  });
});

describe('a users answer that received fewer rows than were sent (re-check of stop 31: counted added, the audience had none)', () => {
  it('fails the call unexpected_response, retryable, so the kit sends it again', async () => {
    const answering = (body: Record<string, unknown>): FacebookVerbContext => {
      const answer = async () => body;
      return { config, client: { ...ownAccount(), addUsers: answer, removeUsers: answer } as unknown as FacebookClient, logger: silentLogger, signal: new AbortController().signal, rateLimit: { observe: () => undefined } };
    };
    await expect(sendMembers(answering({ audience_id: '42', num_received: 0, num_invalid_entries: 0 }), { name: 'A', id: '42' }, members, 'add')).rejects.toMatchObject({ code: 'unexpected_response', retryable: true });
    await expect(sendMembers(answering({ hello: 'world' }), { name: 'A', id: '42' }, members, 'add')).rejects.toMatchObject({ code: 'unexpected_response' });
    const results = await sendMembers(answering({ audience_id: '42', num_received: 3, num_invalid_entries: 0 }), { name: 'A', id: '42' }, members, 'add');
    expect(results.every((r) => r.ok)).toBe(true);
  });
});
