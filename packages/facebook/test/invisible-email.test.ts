import { runSync, SqliteStateStore } from '@syncmodes/connector-kit';
import { memorySource } from '@syncmodes/connector-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { facebookDestination, sha256Hex } from '../src/index';
import { payloadOf, isUsers, startFacebook } from './facebook-harness';
import { FAST_RETRY } from './helpers';

/**
 * Reviewer 98, finding 2: emails with a zero-width space, a soft hyphen or a `mailto:` were
 * hashed as they were: reported created, never matching anyone. Meta hashes the trimmed,
 * lowercased address (https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences).
 */
describe('Facebook: invisible characters and mailto: in emails', () => {
  let env: Awaited<ReturnType<typeof startFacebook>> | undefined;
  afterEach(async () => {
    await env?.emulator.stop();
    env = undefined;
  });

  it('are removed before hashing: the audience holds the hashes of the clean addresses; what is still no address fails no_valid_identifier', async () => {
    env = await startFacebook();
    const emails = { c1: 'ada@example.com\u200b', c2: '\u200bbob@example.com', c3: 'dan@exam\u00adple.com', c4: 'mailto:eve@example.com', c5: 'mailto:\u200b' };
    const source = memorySource(Object.entries(emails).map(([id, EMAIL]) => ({ id, snapshot: { properties: { EMAIL }, groups: ['Customers'] } })));
    const summary = await runSync({ collectResults: true, destination: facebookDestination, config: env.config, mode: 'additive', source, state: new SqliteStateStore(':memory:'), sourceKey: 'id', retry: FAST_RETRY });
    expect(summary.counts).toMatchObject({ created: 4, failed: 1 });
    expect(summary.results.find((r) => r.id === 'c5')).toMatchObject({ outcome: 'failed', code: 'no_valid_identifier' });
    const clean = ['ada@example.com', 'bob@example.com', 'dan@example.com', 'eve@example.com'].map(sha256Hex).sort();
    expect([...((await env.members()).get('Customers') ?? [])].sort()).toEqual(clean);
    const sent = (await env.admin.requests()).filter((e) => isUsers(e, 'POST')).flatMap((e) => payloadOf(e).data.map((row) => row[1]));
    expect(sent.sort()).toEqual(clean);
  });

  it('an address and the same address with a zero-width space are one person: both rows fail duplicate_match_key, as for any two rows sharing an address; nobody is added twice', async () => {
    env = await startFacebook();
    const source = memorySource([
      { id: 'a', snapshot: { properties: { EMAIL: 'ada@example.com' }, groups: ['Customers'] } },
      { id: 'b', snapshot: { properties: { EMAIL: 'ada@example.com\u200b' }, groups: ['Customers'] } },
    ]);
    const summary = await runSync({ collectResults: true, destination: facebookDestination, config: env.config, mode: 'additive', source, state: new SqliteStateStore(':memory:'), sourceKey: 'id', retry: FAST_RETRY });
    expect(summary.results.map((r) => `${r.outcome}:${r.code}`)).toEqual(['failed:duplicate_match_key', 'failed:duplicate_match_key']);
    expect((await env.admin.requests()).filter((e) => isUsers(e, 'POST'))).toEqual([]);
  });
});
