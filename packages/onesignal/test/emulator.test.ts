import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmulatorClient, type EmulatorServer } from '@syncmodes/connector-kit/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import { EMULATOR_APP_ID, EMULATOR_REST_API_KEY, INVALID_API_KEY, emulatorPlugin, type OneSignalData } from '../src/emulator/index';
import { takeViolations } from './spec-validation/validate-exchanges';

describe('OneSignal emulator', () => {
  const started: EmulatorServer[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((e) => e.stop()));
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const start = async (persistPath?: string) => {
    const emulator = emulatorPlugin.create({ persistPath });
    started.push(emulator);
    const url = await emulator.start();
    return { emulator, url, admin: new EmulatorClient(url), config: emulatorPlugin.configFor(url) as { appId: string; restApiKey: string } };
  };
  const call = (url: string, method: string, path: string, body?: unknown, auth = `Key ${EMULATOR_REST_API_KEY}`) =>
    fetch(`${url}${path}`, { method, headers: { authorization: auth, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const user = (id: string) => `/apps/${EMULATOR_APP_ID}/users/by/external_id/${encodeURIComponent(id)}`;

  it('plugs into the CLI: config for a running emulator, seed help', async () => {
    const { url, config } = await start();
    expect(config).toEqual({ baseUrl: url, appId: EMULATOR_APP_ID, restApiKey: EMULATOR_REST_API_KEY });
    expect(emulatorPlugin.destination).toBe('onesignal');
    expect(emulatorPlugin.seedHelp).toMatch(/identity.*external_id.*properties.*tags/);
  });

  it('follows OneSignal\'s tag semantics: "" deletes, a key left out is kept', async () => {
    const { url, admin } = await start();
    await admin.seed({ users: [{ identity: { external_id: 'u1' }, properties: { tags: { a: '1', b: '2' } } }] });
    expect((await call(url, 'PATCH', user('u1'), { properties: { tags: { a: '', c: 3 } } })).status).toBe(202);
    const body = (await (await call(url, 'GET', user('u1'))).json()) as { identity: Record<string, string>; properties: { tags: Record<string, string> } };
    expect(body.properties.tags).toEqual({ b: '2', c: '3' });
    expect(body.identity).toMatchObject({ external_id: 'u1', onesignal_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('accepts only the documented `Key` scheme; no header is 401 auth-1, anything else 403 "Access denied.  …"', async () => {
    // "Your App API key with prefix `Key `": https://documentation.onesignal.com/reference/view-user (Authorization header);
    // 401 example (auth-1): same page; 403 for an invalid or mismatched key: the error catalogue of
    // OneSignal's official SDKs (INVALID_API_KEY) and https://documentation.onesignal.com/reference/view-outcomes (403 example).
    const { url, admin } = await start();
    await admin.seed([{ identity: { external_id: 'u1' } }]);
    for (const scheme of ['Key', 'key']) expect((await call(url, 'GET', user('u1'), undefined, `${scheme} ${EMULATOR_REST_API_KEY}`)).status).toBe(200);
    for (const auth of [`Basic ${EMULATOR_REST_API_KEY}`, `Bearer ${EMULATOR_REST_API_KEY}`, 'Key nope']) {
      const refused = await call(url, 'GET', user('u1'), undefined, auth);
      expect(refused.status, auth).toBe(403);
      expect(await refused.json()).toEqual({ errors: [INVALID_API_KEY] });
    }
    const missing = await fetch(`${url}${user('u1')}`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ errors: [{ code: 'auth-1', title: "This operation requires 'Authorization' in the HTTP header" }] });
  });

  it('refuses an app id its key does not belong to with the same 403 (nothing written anywhere)', async () => {
    // A key belongs to one app: https://documentation.onesignal.com/docs/en/keys-and-ids#api-keys ;
    // OneSignal answers any invalid or mismatched key with 403 INVALID_API_KEY (official SDKs' error catalogue).
    const { url, admin } = await start();
    await admin.seed([{ identity: { external_id: 'u1' }, properties: { tags: { a: '1' } } }]);
    const unknownApp = '/apps/11111111-1111-4111-8111-111111111111/users/by/external_id/u1';
    for (const [method, body] of [['GET', undefined], ['PATCH', { properties: { tags: { a: '2' } } }]] as const) {
      const refused = await call(url, method, unknownApp, body);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({ errors: [INVALID_API_KEY] });
    }
    const data = await admin.records<OneSignalData>();
    expect(Object.keys(data.apps)).toEqual([EMULATOR_APP_ID]);
    expect(data.apps[EMULATOR_APP_ID]?.users[0]?.properties.tags).toEqual({ a: '1' });
  });

  it('rejects malformed seeds with a reason, and keeps apps apart', async () => {
    const { url, admin } = await start();
    await expect(admin.seed({ people: [] })).rejects.toThrow(/seed must be/);
    await expect(admin.seed({ users: [{ identity: { external_id: '' } }] })).rejects.toThrow(/identity.external_id must be a non-empty string/);
    await expect(admin.seed({ users: [{ properties: { tags: { a: { nested: true } } } }] })).rejects.toThrow(/tags.a must be a string/);
    await admin.seed({ app_id: 'other-app', tag_limit: 3, users: [{ identity: { external_id: 'u1' } }] });
    await expect(admin.seed({ app_id: 'other-app', users: [{ identity: { external_id: 'u1' } }] })).rejects.toThrow(/already exists/);
    const data = await admin.records<OneSignalData>();
    expect(Object.keys(data.apps)).toEqual(['other-app']);
    expect(data.apps['other-app']?.tag_limit).toBe(3);
    await admin.seed({ users: [{ identity: { external_id: 'd1' } }] });
    expect((await call(url, 'GET', `/apps/${EMULATOR_APP_ID}/users/by/external_id/d1`)).status).toBe(200);
    expect((await call(url, 'GET', '/apps/other-app/users/by/external_id/d1')).status).toBe(404);
    expect((await call(url, 'GET', '/apps/my-real-app-id/users/by/external_id/d1')).status).toBe(403);
  });

  it('persists its data to a file and loads it again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onesignal-emulator-'));
    dirs.push(dir);
    const path = join(dir, 'onesignal.json');
    const first = await start(path);
    await first.admin.seed({ users: [{ identity: { external_id: 'u1' } }] });
    await call(first.url, 'PATCH', user('u1'), { properties: { tags: { plan: 'pro' } } });
    await first.emulator.stop(); // saves (saving is batched while running)
    const second = await start(path);
    const users = (await second.admin.records<OneSignalData>()).apps[EMULATOR_APP_ID]?.users ?? [];
    expect(users.map((u) => u.properties.tags)).toEqual([{ plan: 'pro' }]);
  });

  it('answers a user it does not hold with the documented 404 of view user, and unknown routes in OneSignal\'s shape', async () => {
    // 404 for view user: https://documentation.onesignal.com/reference/view-user (404 example).
    const { url } = await start();
    const missing = await call(url, 'GET', user('nobody'));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ errors: [{ title: 'User not found' }] });
    const unknown = await call(url, 'GET', '/notifications');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ errors: [{ title: 'No route GET /notifications' }] });
    // The independent validator sees both: this request lacks the description's required app_id, and 404 is not documented for it.
    expect(takeViolations((v) => v.operation === 'get_notifications').map((v) => v.part).sort()).toEqual(['request', 'status']);
  });
});
