import { SqliteStateStore, runSync } from '@syncmodes/connector-kit';
import { memorySource } from '@syncmodes/connector-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { facebookDestination } from '../src/index';
import { emailOf, isUsers, payloadOf, startFacebook } from './facebook-harness';

/**
 * Meta's documented way to add a large audience: several requests of one upload session —
 * a shared `session_id`, `batch_seq` from 1, `last_batch_flag` on the last, `estimated_num_total`.
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 */
describe('upload sessions for audiences over one request (#16)', () => {
  let env: Awaited<ReturnType<typeof startFacebook>> | undefined;
  afterEach(async () => {
    await env?.emulator.stop();
    env = undefined;
  });
  const person = (i: number) => ({ id: `p${i}`, snapshot: { properties: { EMAIL: emailOf(i) }, groups: ['Big'] } });

  it('sends 8 people as 3 requests of one session: batch_seq 1–3, last_batch_flag on the last, estimated_num_total 8', async () => {
    env = await startFacebook({}, { addBatchSize: 3 });
    const summary = await runSync({ collectResults: true, destination: facebookDestination, config: env.config, source: memorySource(Array.from({ length: 8 }, (_, i) => person(i))), state: new SqliteStateStore(':memory:') });
    expect(summary.counts).toMatchObject({ created: 8, failed: 0 });
    const adds = (await env.admin.requests()).filter((e) => isUsers(e, 'POST'));
    expect(adds.map((e) => payloadOf(e).data.length)).toEqual([3, 3, 2]);
    const sessions = adds.map((e) => (e.body as { session: { session_id: number; batch_seq: number; last_batch_flag: boolean; estimated_num_total: number } }).session);
    expect(new Set(sessions.map((s) => s.session_id)).size).toBe(1);
    expect(sessions.map((s) => [s.batch_seq, s.last_batch_flag, s.estimated_num_total])).toEqual([
      [1, false, 8],
      [2, false, 8],
      [3, true, 8],
    ]);
    expect((await env.members()).get('Big')?.size).toBe(8);
  });

  it('sends no session when the people fit one request', async () => {
    env = await startFacebook({}, { addBatchSize: 10 });
    await runSync({ collectResults: true, destination: facebookDestination, config: env.config, source: memorySource(Array.from({ length: 4 }, (_, i) => person(i))), state: new SqliteStateStore(':memory:') });
    const adds = (await env.admin.requests()).filter((e) => isUsers(e, 'POST'));
    expect(adds.map((e) => 'session' in (e.body as object))).toEqual([false]);
  });

  it('the emulator checks the session: a batch number twice, a batch after the last, or a bad batch_seq is refused (#100); the session id is echoed', async () => {
    env = await startFacebook();
    await env.admin.seed({ audiences: [{ id: '900', name: 'S' }] });
    const post = async (session: unknown) => {
      const body = { access_token: env?.config.accessToken, payload: { schema: ['EXTERN_ID'], data: [['x1']] }, session };
      const response = await fetch(`${env?.baseUrl}/v24.0/900/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as { session_id?: string; error?: { code: number; message: string } } };
    };
    expect(await post({ session_id: 77, batch_seq: 1, last_batch_flag: false, estimated_num_total: 2 })).toMatchObject({ status: 200, body: { session_id: '77' } });
    expect(await post({ session_id: 77, batch_seq: 1, last_batch_flag: false })).toMatchObject({ status: 400, body: { error: { code: 100, message: expect.stringMatching(/already received batch 1/) } } });
    expect(await post({ session_id: 77, batch_seq: 2, last_batch_flag: true })).toMatchObject({ status: 200 });
    expect(await post({ session_id: 77, batch_seq: 3, last_batch_flag: true })).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/already received its last batch/) } } });
    expect(await post({ session_id: 78, batch_seq: 0, last_batch_flag: true })).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/batch_seq/) } } });
  });
});

describe('"Audience Upload Blocked" (#16)', () => {
  it('an audience flagged for integrity restrictions refuses member changes as Meta documents (100 / 1713230); its members fail with audience_upload_blocked', async () => {
    // https://developers.facebook.com/documentation/ads-commerce/marketing-api/reference/custom-audience/users
    const env = await startFacebook();
    try {
      await env.admin.seed({ audiences: [{ id: '901', name: 'Flagged', uploadBlocked: true }] });
      const summary = await runSync({
        collectResults: true,
        destination: facebookDestination,
        config: env.config,
        source: memorySource([1, 2].map((i) => ({ id: `p${i}`, snapshot: { properties: { EMAIL: emailOf(i) }, groups: ['Flagged'] } }))),
        state: new SqliteStateStore(':memory:'),
      });
      expect(summary.results.map((r) => `${r.outcome}:${r.code}:${r.retryable}`)).toEqual(['failed:audience_upload_blocked:false', 'failed:audience_upload_blocked:false']);
      const [add] = (await env.admin.requests()).filter((e) => isUsers(e, 'POST'));
      expect(add?.status).toBe(400);
      const answer = await fetch(`${env.baseUrl}/v24.0/901/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ access_token: env.config.accessToken, payload: { schema: ['EXTERN_ID'], data: [['x']] } }),
      });
      expect(((await answer.json()) as { error: unknown }).error).toMatchObject({ message: 'Invalid parameter', code: 100, error_subcode: 1_713_230, error_user_title: 'Audience Upload Blocked' });
    } finally {
      await env.emulator.stop();
    }
  });
});
