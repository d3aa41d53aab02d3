import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmulatorClient, type EmulatorServer } from '@syncmodes/connector-kit/emulator';
import { CustomAudience } from 'facebook-nodejs-business-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { FacebookClient, SCHEMA_KEYS, facebookConfigSchema, sha256Hex, TargetedFacebookAdsApi } from '../src/index';
import { createFacebookEmulator, EMULATOR_ACCESS_TOKEN, emulatorPlugin, type FacebookEmulatorData } from '../src/emulator/index';

const TOKEN = `access_token=${EMULATOR_ACCESS_TOKEN}`;
const hash = (i: number) => sha256Hex(`person${i}@example.com`);
const payload = (rows: string[][], schema = ['EMAIL']) => ({ schema, data: rows });

describe('the Facebook Marketing API emulator', () => {
  let emulator: EmulatorServer;
  let url: string;
  let admin: EmulatorClient;
  const start = async (options: Parameters<typeof createFacebookEmulator>[0] = {}) => {
    emulator = createFacebookEmulator(options);
    url = await emulator.start();
    admin = new EmulatorClient(url);
  };
  afterEach(async () => {
    await emulator?.stop();
  });
  const post = (path: string, body: unknown) => fetch(`${url}${path}?${TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = async (r: Response) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> });
  const newAudience = async (name = 'A') => String((await json(await post('/v24.0/act_1000/customaudiences', { name, subtype: 'CUSTOM', customer_file_source: 'USER_PROVIDED_ONLY' }))).body.id);

  it('answers Graph error shapes: unknown token 190, expired token 190/463, missing token 104, unknown object 100/33, unknown path 2500', async () => {
    await start();
    const bad = await json(await fetch(`${url}/v24.0/act_1000/customaudiences?access_token=nope`));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ type: 'OAuthException', code: 190, message: expect.stringMatching(/Invalid OAuth access token/), fbtrace_id: expect.any(String) });
    expect((await json(await fetch(`${url}/v24.0/act_1000/customaudiences`))).body.error).toMatchObject({ code: 104 });
    expect((await json(await fetch(`${url}/v24.0/424242?${TOKEN}`))).body.error).toMatchObject({ code: 100, error_subcode: 33 });
    expect((await json(await fetch(`${url}/nope/x?${TOKEN}`))).body.error).toMatchObject({ code: 2500 });
    await fetch(`${url}/__emulator/settings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tokenExpired: true }) });
    expect((await json(await fetch(`${url}/v24.0/act_1000/customaudiences?${TOKEN}`))).body.error).toMatchObject({ code: 190, error_subcode: 463 });
  });

  it('creates and lists audiences per ad account, paging with full next URLs the SDK follows', async () => {
    await start();
    await admin.seed({ audiences: Array.from({ length: 1_100 }, (_, i) => ({ name: `Seeded ${i}` })) });
    await newAudience('Mine');
    await admin.seed({ audiences: [{ name: 'Other account', accountId: 'act_2000' }] });
    const client = new FacebookClient(facebookConfigSchema.parse({ adAccountId: 'act_1000', accessToken: EMULATOR_ACCESS_TOKEN, baseUrl: url }));
    const listed = await client.listAudiences();
    expect(listed).toHaveLength(1_101);
    expect(listed.at(-1)?.name).toBe('Mine');
    const gets = (await admin.requests()).filter((e) => e.method === 'GET');
    expect(gets.map((e) => e.query.limit)).toEqual(['500', '500', '500']);
    expect(gets.every((e) => e.query.access_token === '[redacted]')).toBe(true);
  });

  it('refuses creating an audience without a name or customer_file_source', async () => {
    await start();
    expect((await json(await post('/v24.0/act_1000/customaudiences', { subtype: 'CUSTOM', customer_file_source: 'USER_PROVIDED_ONLY' }))).body.error).toMatchObject({ code: 100 });
    expect((await json(await post('/v24.0/act_1000/customaudiences', { name: 'x', subtype: 'CUSTOM' }))).body.error).toMatchObject({ code: 100 });
  });

  it('adds and removes hashed rows, answering num_received / num_invalid_entries / invalid_entry_samples', async () => {
    await start({ settings: { lowAudienceSize: 0 } });
    const id = await newAudience();
    const added = await json(await post(`/v24.0/${id}/users`, { payload: payload([[hash(1)], [hash(2)], ['ada@example.com'], ['']]) }));
    expect(added.body).toMatchObject({ audience_id: id, num_received: 4, num_invalid_entries: 2, invalid_entry_samples: { 'ada@example.com': 'EMAIL' } });
    const removed = await json(await fetch(`${url}/v24.0/${id}/users?${TOKEN}&payload=${encodeURIComponent(JSON.stringify(payload([[hash(1)]])))}`, { method: 'DELETE' }));
    expect(removed.body).toMatchObject({ num_received: 1, num_invalid_entries: 0 });
    const data = await admin.records<FacebookEmulatorData>();
    expect(data.audiences[0]?.members).toEqual([{ EMAIL: hash(2) }]);
  });

  it('merges rows naming the same person and removes a person by any identifying value', async () => {
    await start({ settings: { lowAudienceSize: 0 } });
    const id = await newAudience();
    const phone = sha256Hex('12091727124');
    await post(`/v24.0/${id}/users`, { payload: payload([[hash(1), ''], [hash(1), phone]], ['EMAIL', 'PHONE']) });
    expect((await admin.records<FacebookEmulatorData>()).audiences[0]?.members).toEqual([{ EMAIL: hash(1), PHONE: phone }]);
    await fetch(`${url}/v24.0/${id}/users?${TOKEN}&payload=${encodeURIComponent(JSON.stringify(payload([[phone]], ['PHONE'])))}`, { method: 'DELETE' });
    expect((await admin.records<FacebookEmulatorData>()).audiences[0]?.size).toBe(0);
  });

  it('refuses more than 10,000 rows and rows that do not match the schema (#100)', async () => {
    await start();
    const id = await newAudience();
    const tooMany = await json(await post(`/v24.0/${id}/users`, { payload: payload(Array.from({ length: 10_001 }, (_, i) => [hash(i)])) }));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatchObject({ code: 100, message: expect.stringMatching(/at most 10000 rows/) });
    const ok = await json(await post(`/v24.0/${id}/users`, { payload: payload(Array.from({ length: 10_000 }, (_, i) => [hash(i)])) }));
    expect(ok.body).toMatchObject({ num_received: 10_000, num_invalid_entries: 0 });
    expect((await json(await post(`/v24.0/${id}/users`, { payload: payload([[hash(1), 'extra']]) }))).body.error).toMatchObject({ message: expect.stringMatching(/does not match schema/) });
    expect((await json(await post(`/v24.0/${id}/users`, { payload: payload([[hash(1)]], ['EMAIL_SHA999']) }))).body.error).toMatchObject({ code: 100 });
  });

  it('takes a 1,000-row removal through the SDK with its payload in the query string (large request head)', async () => {
    await start({ settings: { lowAudienceSize: 0 } });
    const id = await newAudience();
    const rows = Array.from({ length: 1_000 }, (_, i) => [hash(i), ...SCHEMA_KEYS.slice(2).map(() => '')]);
    const schema = ['EMAIL', ...SCHEMA_KEYS.slice(2)];
    await post(`/v24.0/${id}/users`, { payload: payload(rows, schema) });
    const api = new TargetedFacebookAdsApi(EMULATOR_ACCESS_TOKEN, url);
    const answer = (await new CustomAudience(id, {}, undefined, api).deleteUsers({ payload: payload(rows, schema) })) as { num_received: number };
    expect(answer.num_received).toBe(1_000);
    const del = (await admin.requests()).find((e) => e.method === 'DELETE');
    expect((del?.query.payload ?? '').length).toBeGreaterThan(64_000);
    expect((await admin.records<FacebookEmulatorData>()).audiences[0]?.size).toBe(0);
  });

  it('refuses a removal that would leave fewer than lowAudienceSize people (200 / 1870047)', async () => {
    await start({ settings: { lowAudienceSize: 3 } });
    const id = await newAudience();
    await post(`/v24.0/${id}/users`, { payload: payload([[hash(1)], [hash(2)], [hash(3)], [hash(4)]]) });
    const del = (i: number) => fetch(`${url}/v24.0/${id}/users?${TOKEN}&payload=${encodeURIComponent(JSON.stringify(payload([[hash(i)]])))}`, { method: 'DELETE' });
    expect((await json(await del(1))).status).toBe(200);
    const refused = await json(await del(2));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ type: 'OAuthException', code: 200, error_subcode: 1_870_047, error_user_title: 'Audience Size too Low' });
    expect((await json(await del(99))).status).toBe(200);
  });

  it('replaces an audience in a usersreplace session (batch_seq, last_batch_flag); plain updates wait for its end', async () => {
    await start({ settings: { lowAudienceSize: 0 } });
    const id = await newAudience();
    await post(`/v24.0/${id}/users`, { payload: payload([[hash(1)], [hash(2)]]) });
    const api = new TargetedFacebookAdsApi(EMULATOR_ACCESS_TOKEN, url);
    const replace = (seq: number, last: boolean, rows: string[][]) =>
      new CustomAudience(id, {}, undefined, api).createUsersReplace([], { session: { session_id: 9001, batch_seq: seq, last_batch_flag: last, estimated_num_total: 3 }, payload: payload(rows) });
    const first = await replace(1, false, [[hash(2)], [hash(3)]]);
    expect(first._data).toMatchObject({ session_id: '9001', num_received: 2 });
    const busy = await json(await post(`/v24.0/${id}/users`, { payload: payload([[hash(7)]]) }));
    expect(busy.body.error).toMatchObject({ code: 2650 });
    expect((await admin.records<FacebookEmulatorData>()).audiences[0]?.members.map((m) => m.EMAIL)).toEqual([hash(1), hash(2)]);
    await replace(2, true, [[hash(4)]]);
    expect((await admin.records<FacebookEmulatorData>()).audiences[0]?.members.map((m) => m.EMAIL)).toEqual([hash(2), hash(3), hash(4)]);
    expect((await json(await post(`/v24.0/${id}/usersreplace`, { payload: payload([[hash(1)]]) }))).body.error).toMatchObject({ code: 100 });
  });

  it('validates seeds whole, applies settings, and keeps its data in a file when asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-emulator-'));
    const file = join(dir, 'facebook.json');
    await start({ persistPath: file });
    await expect(admin.seed({ audiences: [{ name: 'ok' }, { members: [] }] })).rejects.toThrow(/invalid seed at audiences.1.name/);
    await expect(admin.seed({ audiences: [{ name: 'x', members: [{ EMAIL_HASH: 'x' }] }] })).rejects.toThrow(/invalid seed/);
    expect((await admin.records<FacebookEmulatorData>()).audiences).toEqual([]);
    await admin.seed({ audiences: [{ name: 'Kept', id: '31337', members: [{ EMAIL: hash(1), EXTERN_ID: 'C-1' }] }], settings: { lowAudienceSize: 7 } });
    await emulator.stop();
    const saved = JSON.parse(readFileSync(file, 'utf8')) as FacebookEmulatorData;
    expect(saved.audiences[0]).toMatchObject({ id: '31337', name: 'Kept', accountId: 'act_1000', size: 1, members: [{ EMAIL: hash(1), EXTERN_ID: 'C-1' }] });
    await start({ persistPath: file });
    const loaded = await admin.records<FacebookEmulatorData>();
    expect(loaded.audiences[0]?.members).toEqual([{ EMAIL: hash(1), EXTERN_ID: 'C-1' }]);
    expect(loaded.settings.lowAudienceSize).toBe(7);
  });

  it('is the CLI plugin for "facebook", with the emulator token and default ad account', () => {
    expect(emulatorPlugin.destination).toBe('facebook');
    expect(emulatorPlugin.configFor('http://127.0.0.1:1')).toEqual({ baseUrl: 'http://127.0.0.1:1', adAccountId: 'act_1000', accessToken: EMULATOR_ACCESS_TOKEN });
  });
});
