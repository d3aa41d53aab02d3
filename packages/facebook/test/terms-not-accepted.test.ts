import { AuthError, runSync, SqliteStateStore } from '@syncmodes/connector-kit';
import type { EmulatorServer } from '@syncmodes/connector-kit/emulator';
import { memorySource, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toGraphError } from '../src/client/graph-errors';
import { EMULATOR_AD_ACCOUNT_ID } from '../src/emulator/audience-store';
import { facebookDestination } from '../src/index';
import { emailOf, isUsers, startFacebook } from './facebook-harness';
import { FAST_RETRY } from './helpers';

// Meta refuses customer-list audiences until the token's user accepts the Custom Audience
// Terms of Service (per user and business): code 200 / subcode 1870034 "Custom Audience Terms
// Not Accepted" (https://developers.facebook.com/docs/marketing-api/error-reference); older
// answers say it with 2655 or 2663 "Terms of service has not been accepted"
// (https://github.com/facebook/facebook-php-business-sdk/issues/43).

const TOKEN = 'EAAB-secret-token-value';
const ACCOUNT_DIGITS = EMULATOR_AD_ACCOUNT_ID.replace('act_', '');
const sdkError = (body: Record<string, unknown>) => ({
  name: 'FacebookRequestError',
  message: String(body.message ?? ''),
  status: 400,
  response: body,
  headers: {},
  url: `https://graph.facebook.com/v24.0/act_1000/customaudiences?access_token=${TOKEN}`,
  method: 'POST',
});

describe('Custom Audience Terms of Service not accepted → terms_not_accepted', () => {
  it.each([
    ['200 / 1870034', { message: 'Permissions error', code: 200, error_subcode: 1_870_034, error_user_title: 'Custom Audience Terms Not Accepted' }],
    ['2663', { message: '(#2663) Terms of service has not been accepted. To accept, go to https://www.facebook.com/customaudiences/app/tos/?act=1000', code: 2663 }],
    ['2655', { message: '(#2655) Terms of service has not been accepted', code: 2655 }],
  ])('%s stops the run, says where to accept them for the ad account, never carries the token', (_label, body) => {
    const e = toGraphError(sdkError(body), [TOKEN], 'act_1000');
    expect(e).toBeInstanceOf(AuthError);
    expect(e.code).toBe('terms_not_accepted');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('https://business.facebook.com/ads/manage/customaudiences/tos/?act=1000');
    expect(e.message).toMatch(/Custom Audience Terms of Service/);
    expect(JSON.stringify({ ...e, message: e.message })).not.toContain(TOKEN);
  });

  it('another code-200 refusal is still permission_denied, and the low-audience refusal low_audience_size', () => {
    expect(toGraphError(sdkError({ message: '(#200) Permissions error', code: 200 }), [TOKEN], 'act_1000').code).toBe('permission_denied');
    expect(toGraphError(sdkError({ message: 'Permissions error', code: 200, error_subcode: 1_870_047 }), [TOKEN], 'act_1000').code).toBe('low_audience_size');
  });
});

describe('a run whose token has not accepted the terms (emulator, official SDK over HTTP)', () => {
  let target: Awaited<ReturnType<typeof startFacebook>>;
  let emulator: EmulatorServer | undefined;
  let state: SqliteStateStore;
  const people = Array.from({ length: 30 }, (_, i): ConformanceRecord => ({ id: `r${i + 1}`, snapshot: { properties: { EMAIL: emailOf(i + 1) }, groups: ['Customers'] } }));
  const run = (records: readonly ConformanceRecord[], mode = 'sync') =>
    runSync({ collectResults: true, destination: facebookDestination, config: target.config, mode, source: memorySource(records), state, sourceKey: 'id', retry: FAST_RETRY, guard: { maxDeletes: 10_000 } });
  const setTerms = (termsAccepted: boolean) => fetch(`${target.baseUrl}/__emulator/settings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ termsAccepted }) });

  beforeEach(() => {
    state = new SqliteStateStore(':memory:');
  });
  afterEach(async () => {
    state.close();
    await emulator?.stop();
    emulator = undefined;
  });

  it('creating the audience is refused: the run stops terms_not_accepted with the link, every record not_sent; once accepted, the next run adds everyone', async () => {
    target = await startFacebook({ termsAccepted: false });
    emulator = target.emulator;
    const stopped = await run(people);
    expect(stopped.status).toBe('stopped');
    expect(stopped.reason?.code).toBe('terms_not_accepted');
    expect(stopped.reason?.message).toContain(`customaudiences/tos/?act=${ACCOUNT_DIGITS}`);
    expect(stopped.results).toHaveLength(30);
    expect(new Set(stopped.results.map((r) => `${r.outcome}:${r.code}`))).toEqual(new Set(['skipped:not_sent']));
    const log = await target.admin.requests();
    expect(log.filter((e) => e.method === 'POST' && e.path.endsWith('/customaudiences')).map((e) => e.status)).toEqual([400]);
    expect(log.filter((e) => isUsers(e, 'POST'))).toEqual([]);

    await setTerms(true);
    const resumed = await run(people);
    expect(resumed.status).toBe('completed');
    expect(resumed.counts).toMatchObject({ created: 30, failed: 0 });
    expect((await target.members()).get('Customers')?.size).toBe(30);
  });

  it('terms withdrawn after the audience exists: removals and adds stop the run; nothing is lost, the next run sends them', async () => {
    target = await startFacebook();
    emulator = target.emulator;
    expect((await run(people)).counts).toMatchObject({ created: 30 });
    await setTerms(false);
    const changed = [...people.slice(5), ...[31, 32].map((i): ConformanceRecord => ({ id: `r${i}`, snapshot: { properties: { EMAIL: emailOf(i) }, groups: ['Customers'] } }))];
    const stopped = await run(changed);
    expect(stopped.status).toBe('stopped');
    expect(stopped.reason?.code).toBe('terms_not_accepted');
    expect(stopped.counts).toMatchObject({ created: 0, deleted: 0 });
    expect((await target.members()).get('Customers')?.size).toBe(30);

    await setTerms(true);
    const resumed = await run(changed);
    expect(resumed.status).toBe('completed');
    expect(resumed.counts).toMatchObject({ created: 2, deleted: 5, failed: 0 });
    const members = (await target.members()).get('Customers');
    expect(members?.size).toBe(27);
  });
});
