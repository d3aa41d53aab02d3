import { ConfigError, SqliteStateStore, runSync, type RunSyncOptions, type SyncRunSummary } from '@syncmodes/connector-kit';
import { memorySource, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EMULATOR_APP_ID } from '../src/emulator/index';
import { onesignalDestination } from '../src/index';
import { isConnectionCheck, readUsers, startEmulator } from './onesignal-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };

const person = (i: number, properties: Record<string, string | number | boolean | null> = {}, groups: string[] = []): ConformanceRecord => ({
  id: `p${i}`,
  snapshot: { properties: { external_id: `user-${i}`, plan: 'pro', city: `City ${i}`, ...properties }, groups },
});

type Env = Awaited<ReturnType<typeof startEmulator>>;

describe('OneSignal tags against the emulator', () => {
  let env: Env;
  let state: SqliteStateStore;
  beforeEach(async () => {
    env = await startEmulator();
    state = new SqliteStateStore(':memory:');
  });
  afterEach(async () => {
    state.close();
    await env.emulator.stop();
  });

  const run = (records: ConformanceRecord[], config: Record<string, unknown> = {}, extra: Partial<RunSyncOptions> = {}): Promise<SyncRunSummary> =>
    runSync({
      collectResults: true,
      destination: onesignalDestination,
      config: { ...env.config, ...config },
      source: memorySource(records),
      state,
      retry: FAST,
      ...extra,
    });
  const tagsOf = async (externalId: string) => (await readUsers(env.admin)).find((u) => u.identity.external_id === externalId)?.properties.tags;
  // Back-to-back runs write the same user within OneSignal's per-user second: the first
  // request of the second run may be answered 429 and resent after Retry-After. Those
  // answers are left out here; the rate-limit tests look at them.
  const patches = async () => (await env.admin.requests()).filter((e) => e.method === 'PATCH' && e.status !== 429);
  const sentTags = (e: { body: unknown }) => (e.body as { properties: { tags: Record<string, string> } }).properties.tags;
  const seed = (users: { id: string; tags?: Record<string, string> }[], extra: Record<string, unknown> = {}) =>
    env.admin.seed({ ...extra, users: users.map((u) => ({ identity: { external_id: u.id }, properties: { tags: u.tags ?? {} } })) });

  // Fresh reviewer 87, F10: a row whose value OneSignal's tags cannot hold was looked up first
  // (a view-user read, paced at one a second) and failed only after. Now it fails before any
  // request about it; the rows around it are read and written as before. In enrich it fails
  // (OneSignal is enrich only) whether or not the user exists: its row needs fixing either way.
  it('a row with a value the tags cannot hold fails before its lookup; no request names it', async () => {
    await seed([{ id: 'user-1' }, { id: 'user-2' }]);
    const summary = await run([person(1, { birthday: '17-05-1990' }), person(2, { birthday: 'soon' }), person(3, { birthday: '31-02-1990' })], { dateFormat: 'dd-MM-yyyy' });
    const byId = Object.fromEntries(summary.results.map((r) => [r.id, r.code ?? r.outcome]));
    expect(byId).toEqual({ p1: 'updated', p2: 'invalid_date', p3: 'invalid_date' });
    expect(summary.results.find((r) => r.id === 'p2')?.message).toMatch(/birthday/);
    const log = (await env.admin.requests()).filter((e) => !isConnectionCheck(e));
    expect(log.filter((e) => e.path.includes('user-2') || e.path.includes('user-3'))).toEqual([]);
    expect(log.filter((e) => e.path.includes('user-1')).map((e) => e.method)).toEqual(['GET', 'PATCH']);
    expect(await tagsOf('user-2')).toEqual({});
  });

  // Fresh reviewer 97, F3: `1990` and `0` in a dd-MM-yyyy column were sent as tags "1990" and
  // "0" (epoch seconds of 1970) and reported updated; a spreadsheet serial day likewise.
  it('a date tag holding a short whole number (a year, 0, a spreadsheet serial day) or a fraction fails its row alone with invalid_date', async () => {
    await seed([1, 2, 3, 4, 5].map((i) => ({ id: `user-${i}` })));
    const dates = ['1990', '17-05-1990', '0', '45383', '33010.5'];
    const summary = await run(dates.map((birthday, i) => person(i + 1, { birthday })), { dateTags: 'birthday', dateFormat: 'dd-MM-yyyy' });
    const byId = Object.fromEntries(summary.results.map((r) => [r.id, r.code ?? r.outcome]));
    expect(byId).toEqual({ p1: 'invalid_date', p2: 'updated', p3: 'invalid_date', p4: 'invalid_date', p5: 'invalid_date' });
    for (const id of ['p1', 'p3', 'p4']) expect(summary.results.find((r) => r.id === id)?.message).toMatch(/^Tag birthday is a number of fewer than 9 digits, .*dd-MM-yyyy/);
    expect(summary.results.find((r) => r.id === 'p5')?.message).toMatch(/^Tag birthday is a number of fewer than 9 digits before its decimal point.*dd-MM-yyyy/);
    expect((await patches()).map((e) => e.path)).toEqual([`/apps/${EMULATOR_APP_ID}/users/by/external_id/user-2`]);
    expect(await tagsOf('user-2')).toMatchObject({ birthday: String(Date.UTC(1990, 4, 17) / 1000) });
    for (const id of ['user-1', 'user-3', 'user-4', 'user-5']) expect(await tagsOf(id)).toEqual({});
  });

  it('writes properties and groups as tags in one request per user, with the documented conversions', async () => {
    await seed([{ id: 'user-1', tags: { app_version: '5.2.1' } }]);
    const summary = await run(
      [person(1, { birthday: '17-05-1990', signed_up: '2024-02-29T23:30:00-02:00', vip: 'yes', score: 1e21, ratio: 0.25, opted_in: true }, ['VIP Customers', 'Beta'])],
      { dateTags: 'birthday,signed_up', dateFormat: 'dd-MM-yyyy', booleanTags: ['vip'] },
    );
    expect(summary.counts).toMatchObject({ updated: 1, failed: 0 });
    const log = await patches();
    expect(log).toHaveLength(1);
    expect(log[0]?.path).toBe(`/apps/${EMULATOR_APP_ID}/users/by/external_id/user-1`);
    expect(sentTags(log[0] as { body: unknown })).toEqual({
      plan: 'pro',
      city: 'City 1',
      birthday: String(Date.UTC(1990, 4, 17) / 1000),
      signed_up: String(Date.UTC(2024, 2, 1, 1, 30) / 1000),
      vip: 'true',
      score: '1000000000000000000000',
      ratio: '0.25',
      opted_in: 'true',
      in_vip_customers: '1',
      in_beta: '1',
    });
    expect(await tagsOf('user-1')).toMatchObject({ app_version: '5.2.1', in_beta: '1', birthday: '642902400' });
  });

  it('deletes an emptied property with "" and a left group, sends no unchanged tag, and leaves tags it does not manage alone', async () => {
    await seed([{ id: 'user-1', tags: { app_version: '5.2.1', in_foreign: '1', city: 'Set by the app' } }]);
    await run([person(1, {}, ['alpha', 'beta'])]);
    await env.admin.clearRequests();
    const summary = await run([person(1, { city: null }, ['beta'])]);
    expect(summary.results[0]).toMatchObject({ outcome: 'updated' });
    const log = await patches();
    expect(log.map(sentTags)).toEqual([{ city: '', in_alpha: '' }]);
    const tags = await tagsOf('user-1');
    expect(tags).toEqual({ app_version: '5.2.1', in_foreign: '1', plan: 'pro', in_beta: '1' });
    // The emulator answers GET by external_id, so the data can be checked through the API itself.
    const response = await fetch(`${env.url}/apps/${EMULATOR_APP_ID}/users/by/external_id/user-1`, { headers: { authorization: `Key ${env.config.restApiKey}` } });
    expect(((await response.json()) as { properties: { tags: Record<string, string> } }).properties.tags).toEqual(tags);
  });

  it('never deletes a tag on first match: only tags this sync set before are ever deleted', async () => {
    await seed([{ id: 'user-1', tags: { city: 'Set by the app', in_alpha: '1' } }]);
    await run([person(1, { city: null }, [])]);
    expect(sentTags((await patches())[0] as { body: unknown })).toEqual({ plan: 'pro' });
    expect(await tagsOf('user-1')).toEqual({ city: 'Set by the app', in_alpha: '1', plan: 'pro' });
  });

  it('splits more than 100 tag changes into requests of at most 100, deletions first, keeping the per-user gap', async () => {
    const many = (prefix: string, n: number, value: string | null) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, value]));
    await seed([{ id: 'user-1' }]);
    await run([person(1, many('old_', 120, 'x'))]);
    const first = await patches();
    expect(first.map((e) => Object.keys(sentTags(e)).length)).toEqual([100, 22]);
    await env.admin.clearRequests();
    await run([person(1, { ...many('old_', 120, null), ...many('new_', 90, 'y') })]);
    const log = await patches();
    expect(log.map((e) => Object.keys(sentTags(e)).length)).toEqual([100, 100, 10]);
    expect(Object.values(sentTags(log[0] as { body: unknown })).every((v) => v === '')).toBe(true);
    expect(Object.values(sentTags(log[2] as { body: unknown })).every((v) => v === 'y')).toBe(true);
    // No 400 (over 100 changes); no 429 within the run (the per-user gap is kept; only the
    // run's first request may meet the previous run's last one).
    const statuses = (await env.admin.requests()).filter((e) => e.method === 'PATCH').map((e) => e.status);
    expect([202, 429]).toContain(statuses[0]);
    expect(statuses.slice(1).every((s) => s === 202)).toBe(true);
    const tags = (await tagsOf('user-1')) ?? {};
    expect(Object.keys(tags).filter((k) => k.startsWith('old_'))).toEqual([]);
    expect(Object.keys(tags).filter((k) => k.startsWith('new_'))).toHaveLength(90);
  });

  it('reports keys over the configured tag limit on the record (tag_limit_exceeded) while deletions still go', async () => {
    await seed([{ id: 'user-1' }, { id: 'user-2' }]);
    const first = await run([person(1, { a: '1', b: '2' }), person(2)], { tagLimit: 2 });
    expect(first.results.find((r) => r.id === 'p1')).toMatchObject({ outcome: 'failed', code: 'tag_limit_exceeded', retryable: false });
    expect(first.results.find((r) => r.id === 'p1')?.message).toMatch(/Not sent: a, b — the user would hold more than 2 tags managed by this sync \(the tagLimit option\)/);
    expect(first.results.find((r) => r.id === 'p2')).toMatchObject({ outcome: 'updated' });
    expect(await tagsOf('user-1')).toEqual({ plan: 'pro', city: 'City 1' });

    await run([person(1, { a: '1' })], { tagLimit: 3 });
    await env.admin.clearRequests();
    const second = await run([person(1, { plan: null, a: '1', b: '2', c: '3' })], { tagLimit: 2 });
    expect(second.results[0]).toMatchObject({ outcome: 'failed', code: 'tag_limit_exceeded' });
    const sent = (await patches()).map(sentTags);
    expect(sent).toEqual([{ plan: '' }]);
    expect(await tagsOf('user-1')).toEqual({ city: 'City 1', a: '1' });
  });

  it('maps the app\'s own tag limit (400) to tag_limit_exceeded and still sends the deletions', async () => {
    await seed([{ id: 'user-1', tags: { t1: '1', t2: '2', t3: '3' } }], { tag_limit: 5 });
    await run([person(1, { plan: 'pro', city: 'C' })]);
    await env.admin.clearRequests();
    const summary = await run([person(1, { plan: null, city: 'C', x: '1', y: '2', z: '3' })]);
    expect(summary.results[0]).toMatchObject({ outcome: 'failed', code: 'tag_limit_exceeded' });
    // No tagLimit option was set: the message says OneSignal refused, and what to do (reviewer 87).
    const message = summary.results[0]?.message ?? '';
    expect(message).toMatch(/Not sent: x, y, z — OneSignal refused the update because the user would hold more tags than the app's plan allows: OneSignal answered HTTP 400 to updating a user \(Tag limit exceeded: .*\)\. Only the deletions were sent\. Remove tags/);
    expect(message).not.toMatch(/managed by this sync/);
    const log = await patches();
    expect(log.map((e) => e.status)).toEqual([400, 202]);
    expect(sentTags(log[1] as { body: unknown })).toEqual({ plan: '' });
    expect(await tagsOf('user-1')).toEqual({ t1: '1', t2: '2', t3: '3', city: 'C' });
  });

  // Fresh reviewer 87, F1: the refused write left its write-ahead mark, which read as "maybe
  // written", so the next run cleared every tag the refused write would have set — the app's own.
  it('a first update the app\'s tag limit refused writes nothing: the next run, with those values emptied, deletes no tag it never set (the app\'s stays)', async () => {
    await seed([{ id: 'user-1', tags: { a: '1', b: '2', c: '3', d: '4', e: '5', f: '6', g: '7', h: '8', plan: 'set-by-app' } }], { tag_limit: 10 });
    const first = await run([person(1, { plan: 'gold', city: null, tier: 't1', zone: 'z' })]);
    expect(first.results[0]).toMatchObject({ outcome: 'failed', code: 'tag_limit_exceeded' });
    await env.admin.clearRequests();
    await run([person(1, { plan: null, city: null, tier: null, zone: null })]);
    const deleted = (await patches()).flatMap((p) => Object.entries(sentTags(p) ?? {}).filter(([, v]) => v === '').map(([k]) => k));
    expect(deleted).toEqual([]);
    expect((await tagsOf('user-1'))?.plan).toBe('set-by-app');
  });

  // Fresh reviewer 92, F3: a refusal after part of the update was applied took the write-ahead
  // mark back, so state held values the user no longer had, and tags this sync wrote were never cleared.
  it('a refusal after part of the update was applied (tagLimit: the other tags were sent) keeps the mark: the next run restores and clears what it must', async () => {
    await seed([{ id: 'user-1', tags: {} }]);
    await run([person(1, { plan: 'gold', city: 'X' })], { tagLimit: 3 });
    const partly = await run([person(1, { plan: null, city: 'Y', b: '2', c: '3', d: '4' })], { tagLimit: 3 });
    expect(partly.results[0]).toMatchObject({ outcome: 'failed', code: 'tag_limit_exceeded' });
    await run([person(1, { plan: 'gold', city: 'Y', b: null, c: null, d: null })], { tagLimit: 3 });
    expect(await tagsOf('user-1')).toEqual({ plan: 'gold', city: 'Y' });
  });

  it('a first update refused at its second request of 100 changes (the first applied) keeps the mark: emptied later, every tag this sync wrote is cleared', async () => {
    await seed([{ id: 'user-1', tags: {} }], { tag_limit: 150 });
    const many: Record<string, string | null> = {};
    for (let i = 0; i < 180; i++) many[`k${String(i).padStart(3, '0')}`] = 'v';
    const first = await run([{ ...person(1, many), snapshot: { properties: { external_id: 'user-1', ...many }, groups: [] } }]);
    expect(first.results[0]).toMatchObject({ outcome: 'failed', code: 'tag_limit_exceeded' });
    expect(Object.keys((await tagsOf('user-1')) ?? {}).length).toBe(100);
    const emptied = Object.fromEntries(Object.keys(many).map((k) => [k, null]));
    await run([{ ...person(1), snapshot: { properties: { external_id: 'user-1', ...emptied }, groups: [] } }]);
    expect(await tagsOf('user-1')).toEqual({});
  });

  it('looks users up with the documented view-user call and skips a missing one as not_found: no update, nothing created, create and delete never called', async () => {
    // GET answers 404 for a user the app does not have: https://documentation.onesignal.com/reference/view-user
    await seed([{ id: 'user-1' }]);
    const summary = await run([person(1), person(2)]);
    expect(summary.results.map((r) => `${r.id}:${r.outcome}:${r.code ?? ''}`)).toEqual(['p1:updated:', 'p2:skipped:not_found']);
    const log = await env.admin.requests();
    // `connect`'s one read proving the key and the app id, then one read per record.
    expect(log.map((e) => `${e.method} ${e.path.split('/').pop()} ${e.status}`).sort()).toEqual(['GET syncmodes-connection-check 404', 'GET user-1 200', 'GET user-2 404', 'PATCH user-1 202']);
    expect(log).toHaveLength(4);
    expect(log.filter((e) => e.method === 'POST' || e.method === 'DELETE')).toEqual([]);
    expect((await readUsers(env.admin)).map((u) => u.identity.external_id)).toEqual(['user-1']);
  });

  it('path-encodes the external_id', async () => {
    await seed([{ id: 'team/a b?c' }]);
    const summary = await run([person(1, { external_id: 'team/a b?c' })]);
    expect(summary.counts.updated).toBe(1);
    expect((await patches())[0]?.path).toBe(`/apps/${EMULATOR_APP_ID}/users/by/external_id/team%2Fa%20b%3Fc`);
  });

  it('a first match with every value empty sends nothing and is unchanged (no empty update); a value later set is sent', async () => {
    await seed([{ id: 'user-1', tags: { app_version: '5.2.1' } }]);
    const first = await run([person(1, { plan: '', city: null })]);
    expect(first.results.map((r) => `${r.id}:${r.outcome}`)).toEqual(['p1:unchanged']);
    expect((await env.admin.requests()).filter((e) => e.method !== 'GET')).toEqual([]);
    expect(await tagsOf('user-1')).toEqual({ app_version: '5.2.1' });
    await env.admin.clearRequests();
    const rerun = await run([person(1, { plan: '', city: null })]);
    expect(rerun.counts.unchanged).toBe(1);
    expect(await env.admin.requests()).toEqual([]);
    const set = await run([person(1, { plan: 'pro', city: null })]);
    expect(set.results.map((r) => `${r.id}:${r.outcome}`)).toEqual(['p1:updated']);
    expect((await patches()).map(sentTags)).toEqual([{ plan: 'pro' }]);
  });

  // A spreadsheet writes the external_id 447900900123 as 4.479E+11, which 447900911999 becomes too: no user is read or written by it.
  it('refuses an external_id in a spreadsheet\'s scientific notation (scientific_notation), sending nothing for it; 12e45 is an ordinary id', async () => {
    await seed([{ id: '4.479E+11' }, { id: '12e45' }]);
    const summary = await run([person(1, { external_id: '4.479E+11' }), person(2, { external_id: '1E+10' }), person(3, { external_id: '12e45' })]);
    expect(summary.results.map((r) => `${r.id}:${r.outcome}:${r.code ?? ''}`)).toEqual(['p1:failed:scientific_notation', 'p2:failed:scientific_notation', 'p3:updated:']);
    expect(summary.results[0]?.message).toMatch(/^The external_id is written in a spreadsheet's scientific notation/);
    expect((await env.admin.requests()).filter((e) => e.path.includes('E%2B') || e.path.includes('E+'))).toEqual([]);
  });

  // Fresh reviewer 154, F2: every row so written refused the run as match_key_not_mapped ("map a column").
  it('every external_id in scientific notation: each row fails scientific_notation; the run is not refused', async () => {
    const summary = await run([person(1, { external_id: '4.479E+11' }), person(2, { external_id: '4.48E+11' })]);
    expect(summary.status).toBe('completed');
    expect(summary.results.map((r) => r.code)).toEqual(['scientific_notation', 'scientific_notation']);
  });

  // Fresh reviewer 87, F3: the view of external_id ".." went to /users/by/ (URL normalisation) and the user was reported not_found.
  it('refuses the external_ids "." and ".." with unaddressable_external_id, sending nothing for them; "a..b" and "..." are ordinary ids', async () => {
    await seed([{ id: '..' }, { id: '.' }, { id: 'a..b' }]);
    const summary = await run([person(1, { external_id: '..' }), person(2, { external_id: '.' }), person(3, { external_id: 'a..b' }), person(4, { external_id: '...' })]);
    expect(summary.results.map((r) => `${r.id}:${r.outcome}:${r.code ?? ''}`)).toEqual(['p1:failed:unaddressable_external_id', 'p2:failed:unaddressable_external_id', 'p3:updated:', 'p4:skipped:not_found']);
    const paths = (await env.admin.requests()).map((e) => e.path);
    expect(paths.filter((p) => /\/external_id\/?$|\/external_id\/\.{1,2}$/.test(p))).toEqual([]);
    expect((await readUsers(env.admin)).find((u) => u.identity.external_id === '..')?.properties.tags ?? {}).toEqual({});
  });

  it('fails a record whose external_id changed, without a request (an update cannot move a user\'s external_id)', async () => {
    await seed([{ id: 'user-1' }]);
    await run([person(1)]);
    await env.admin.clearRequests();
    const summary = await run([person(1, { external_id: 'moved-1', city: 'Elsewhere' })]);
    expect(summary.results[0]).toMatchObject({ outcome: 'failed', code: 'external_id_changed', retryable: false });
    expect((await env.admin.requests()).filter((e) => e.method !== 'GET')).toEqual([]);
  });

  it('fails a record whose external_id changed to another user\'s with match_key_taken (as the README says), without a write', async () => {
    await seed([{ id: 'user-1' }, { id: 'user-2' }]);
    await run([person(1)]);
    await env.admin.clearRequests();
    const summary = await run([person(1, { external_id: 'user-2' })]);
    expect(summary.results[0]).toMatchObject({ outcome: 'failed', code: 'match_key_taken', retryable: false });
    // OneSignal cannot merge users (fresh helper 108, F2: the message said "merge the two records").
    expect(summary.results[0]?.message).toBe('Its new external_id already belongs to another OneSignal record (user-2); remove the external_id alias from the other OneSignal user (Remove alias; the user and its subscriptions stay), or fix the source. Not sent.');
    expect(summary.results[0]?.message).not.toContain('merge');
    expect((await env.admin.requests()).filter((e) => e.method !== 'GET')).toEqual([]);
  });

  it('refuses sync and additive at configuration time, with the reason', async () => {
    await expect(run([person(1)], {}, { mode: 'additive' })).rejects.toThrow(/Supported modes: enrich\. OneSignal users are created and deleted by the OneSignal SDKs/);
    await expect(run([person(1)], {}, { mode: 'sync' })).rejects.toThrow(/never creates or deletes a user/);
    expect(await env.admin.requests()).toEqual([]);
  });

  it('refuses unusable tag keys before any lookup or write (only connect\'s read of the key), and fails records without an external_id alone', async () => {
    await expect(run([person(1, { 'job title': 'x' })])).rejects.toThrow(ConfigError);
    await expect(run([person(1, { message: 'x', in_vip: '1' })])).rejects.toThrow(/"message" \(reserved by OneSignal\), "in_vip" \(starts with the group-tag prefix "in_"\)/);
    const unkeyed = { id: 'x', snapshot: { properties: { plan: 'pro' }, groups: [] } };
    await expect(run([unkeyed])).rejects.toMatchObject({ code: 'match_key_not_mapped' });
    // Tag keys are checked after `connect` (the kit's order), whose one read proves the key: nothing else went out.
    expect((await env.admin.requests()).filter((e) => !isConnectionCheck(e))).toEqual([]);
    await seed([{ id: 'user-1' }]);
    const summary = await run([unkeyed, person(1)]);
    const failed = summary.results.find((r) => r.id === 'x');
    expect(failed).toMatchObject({ outcome: 'failed', code: 'missing_match_key' });
    expect(failed?.message).toMatch(/external_id/);
    expect(summary.results.find((r) => r.id !== 'x')?.outcome).toBe('updated');
  });

  it('stops on a refused key without quoting it, leaving unsent records for the next run', async () => {
    await seed([{ id: 'user-1' }, { id: 'user-2' }]);
    const secret = 'wrong-key-that-must-not-leak';
    const summary = await run([person(1), person(2)], { restApiKey: secret });
    expect(summary.status).toBe('stopped');
    expect(summary.reason?.code).toBe('authentication_failed');
    expect(JSON.stringify(summary)).not.toContain(secret);
    expect(summary.counts.updated).toBe(0);
    const log = await env.admin.requests();
    expect(log.length).toBeGreaterThan(0);
    expect(log.every((e) => e.method === 'GET' && e.status === 403)).toBe(true);
  });

  it('stops with authentication_failed on an app id the key does not belong to, naming the app and the option; nothing written', async () => {
    // OneSignal answers an app id the key does not belong to like a wrong key: 403 "Access denied.  …"
    // (official SDKs' error catalogue, INVALID_API_KEY; https://documentation.onesignal.com/docs/en/keys-and-ids#api-keys).
    await seed([{ id: 'user-1' }, { id: 'user-2' }]);
    const appId = '11111111-1111-4111-8111-111111111111';
    const summary = await run([person(1), person(2)], { appId });
    expect(summary.status).toBe('stopped');
    expect(summary.reason).toMatchObject({ code: 'authentication_failed' });
    expect(summary.reason?.message).toMatch(new RegExp(`HTTP 403 to checking the REST API key and app id \\(viewing a user\\) of app ${appId}.*appId option`));
    // `connect` found out: its one read was the only request.
    expect(await env.admin.requests()).toHaveLength(1);
    const log = await env.admin.requests();
    expect(log.length).toBeGreaterThan(0);
    expect(log.every((e) => e.method === 'GET' && e.status === 403)).toBe(true);
    expect((await readUsers(env.admin)).every((u) => Object.keys(u.properties.tags).length === 0)).toBe(true);
  });

  // Fresh reviewer 99, F2: one tag written (PATCH {"properties":{"tags":{"job_title":"Pilot"}}})
  // was reported "Updated 2 field(s)": the external_id, never written, was counted.
  it('"Updated N field(s)" counts the tags written, not the external_id', async () => {
    await seed([{ id: 'user-1' }]);
    const summary = await run([{ id: 'p1', snapshot: { properties: { external_id: 'user-1', job_title: 'Pilot' }, groups: [] } }]);
    expect((await patches()).map(sentTags)).toEqual([{ job_title: 'Pilot' }]);
    expect(summary.results[0]).toMatchObject({ outcome: 'updated', message: 'Updated 1 field(s).' });
  });

  it('a dry run only reads: it looks users up and writes nothing', async () => {
    await seed([{ id: 'user-1' }]);
    const summary = await run([person(1), person(2)], {}, { dryRun: true });
    expect(summary.results.map((r) => `${r.id}:${r.outcome}:${r.code ?? ''}`)).toEqual(['p1:updated:', 'p2:skipped:not_found']);
    expect(summary.results[0]?.message).toMatch(/^Would: Updated 2 field\(s\)\.$/); // plan and city: external_id is no tag
    const log = await env.admin.requests();
    expect(log.map((e) => e.method)).toEqual(['GET', 'GET', 'GET']);
    expect(log.filter((e) => !isConnectionCheck(e))).toHaveLength(2);
  });

  it('keeps a user whose record left the source, and takes it out of the managed groups only', async () => {
    await seed([{ id: 'user-1', tags: { in_foreign: '1' } }, { id: 'user-2' }]);
    await run([person(1, {}, ['alpha']), person(2)]);
    await env.admin.clearRequests();
    const summary = await run([person(2)]);
    expect(summary.results.find((r) => r.id === 'p1')).toMatchObject({ outcome: 'skipped', code: 'delete_not_allowed' });
    expect((await patches()).map(sentTags)).toEqual([{ in_alpha: '' }]);
    expect(await tagsOf('user-1')).toEqual({ in_foreign: '1', plan: 'pro', city: 'City 1' });
    expect((await env.admin.requests()).filter((e) => e.method === 'DELETE')).toEqual([]);
  });

  // Fresh helper 101, F1: a group tag the user already had ("1": set by the app, by people or another tool) was taken as
  // this sync's when its row joined the group, and deleted when the row left it, or left the source — the README says a
  // tag is deleted only when this sync set it. It is someone else's: not sent, kept, forgotten when the row leaves.
  it('a group tag the user already had is not this sync\'s: never deleted when the row leaves the group or the source; one this sync set is', async () => {
    await seed([{ id: 'user-1', tags: { in_vip: '1', app_tag: 'x' } }, { id: 'user-2', tags: { in_vip: '1' } }, { id: 'user-3' }]);
    const first = await run([person(1, {}, ['VIP']), person(2, {}, ['VIP']), person(3, {}, ['VIP'])]);
    expect(first.counts).toMatchObject({ updated: 3, failed: 0 });
    const firstPatches = await patches();
    const to = (id: string, log: typeof firstPatches) => log.filter((e) => e.path.endsWith(`/${id}`)).map(sentTags);
    expect(to('user-1', firstPatches)).toEqual([{ plan: 'pro', city: 'City 1' }]);
    expect(to('user-3', firstPatches)).toEqual([{ plan: 'pro', city: 'City 3', in_vip: '1' }]);

    await env.admin.clearRequests();
    const second = await run([person(1, {}, []), person(3, {}, [])]);
    expect(second.counts.failed).toBe(0);
    expect(second.results.find((r) => r.id === 'p1')?.message).toMatch(/Left group "?VIP"?, where the OneSignal record already was when this sync added it \(someone else's membership\): kept there/);
    expect(second.results.find((r) => r.id === 'p2')).toMatchObject({ outcome: 'skipped', code: 'delete_not_allowed' });
    const secondPatches = await patches();
    expect(to('user-1', secondPatches)).toEqual([]);
    expect(to('user-2', secondPatches)).toEqual([]);
    expect(to('user-3', secondPatches)).toEqual([{ in_vip: '' }]);
    expect(await tagsOf('user-1')).toEqual({ in_vip: '1', app_tag: 'x', plan: 'pro', city: 'City 1' });
    expect(await tagsOf('user-2')).toEqual({ in_vip: '1', plan: 'pro', city: 'City 2' });
    expect(await tagsOf('user-3')).toEqual({ plan: 'pro', city: 'City 3' });
  });

  // Fresh reviewer 102 on the change above: F1, a tag this sync set, read back after the row's id changed, was taken for
  // someone else's and never removed; F2, the same for groups "VIP" and "vip" (one tag); F3, a group tag the app holds
  // with another value ("0", "true") was overwritten and later deleted; F4, an existing "1" counted over tagLimit.
  it('a tag this sync set stays its own after the row\'s id changes, or under another group of the same tag: removed when the last leaves', async () => {
    await seed([{ id: 'user-1' }, { id: 'user-2' }]);
    const row = (id: string, external: string, groups: string[]): ConformanceRecord => ({ id, snapshot: { properties: { external_id: external, plan: 'pro' }, groups } });
    await run([row('p1', 'user-1', ['VIP']), row('p2', 'user-2', ['VIP'])]);
    expect([await tagsOf('user-1'), await tagsOf('user-2')]).toEqual([{ plan: 'pro', in_vip: '1' }, { plan: 'pro', in_vip: '1' }]);
    // p1 comes back as p1b (same user); p2 is also in group "vip" (the same tag).
    await run([row('p1b', 'user-1', ['VIP']), row('p2', 'user-2', ['VIP', 'vip'])]);
    await run([row('p1b', 'user-1', ['VIP']), row('p2', 'user-2', ['vip'])]);
    expect(await tagsOf('user-2')).toEqual({ plan: 'pro', in_vip: '1' });
    const left = await run([row('p1b', 'user-1', []), row('p2', 'user-2', [])]);
    expect(left.counts.failed).toBe(0);
    expect([await tagsOf('user-1'), await tagsOf('user-2')]).toEqual([{ plan: 'pro' }, { plan: 'pro' }]);
  });

  // Fresh trial 145, F3: with an empty prefix, groups "User", "Journey" and "Template" were written as the tags `user`, `journey`
  // and `template`, keys OneSignal reserves for message personalization (a mapping target with such a key is refused).
  it('with an empty groupTagPrefix, a group whose tag is a key OneSignal reserves fails its user group_tag_clash, nothing sent for that user; the others go', async () => {
    await seed([{ id: 'user-1' }, { id: 'user-2' }, { id: 'user-3' }]);
    const summary = await run([person(1, {}, ['User']), person(2, {}, ['Journey', 'VIP']), person(3, {}, ['VIP'])], { groupTagPrefix: '' });
    expect(Object.fromEntries(summary.results.map((r) => [r.id, r.code ?? r.outcome]))).toEqual({ p1: 'group_tag_clash', p2: 'group_tag_clash', p3: 'updated' });
    expect(summary.results.find((r) => r.id === 'p2')?.message).toMatch(/membership tag is "journey", a key OneSignal reserves for message personalization .* Set a groupTagPrefix/);
    const written = (await patches()).map((e) => e.path);
    expect(written.some((p) => p.includes('user-1') || p.includes('user-2'))).toBe(false);
    expect([await tagsOf('user-1'), await tagsOf('user-2'), await tagsOf('user-3')]).toEqual([{}, {}, { plan: 'pro', city: 'City 3', vip: '1' }]);
  });

  it('a group tag the app holds with another value is neither overwritten nor deleted: the user fails group_tag_clash; an existing "1" does not count over tagLimit', async () => {
    await seed([{ id: 'user-1', tags: { in_vip: 'true' } }, { id: 'user-2', tags: { in_vip: '0' } }, { id: 'user-3', tags: { in_vip: '1' } }]);
    const first = await run([person(1, {}, ['VIP']), person(2, {}, ['VIP']), person(3, {}, ['VIP'])], { tagLimit: 2 });
    expect(Object.fromEntries(first.results.map((r) => [r.id, r.code ?? r.outcome]))).toEqual({ p1: 'group_tag_clash', p2: 'group_tag_clash', p3: 'updated' });
    expect(first.results.find((r) => r.id === 'p1')?.message).toMatch(/The tag "in_vip" of group "VIP" already holds a value other than "1"/);
    expect([await tagsOf('user-1'), await tagsOf('user-2'), await tagsOf('user-3')]).toEqual([{ in_vip: 'true' }, { in_vip: '0' }, { in_vip: '1', plan: 'pro', city: 'City 3' }]);
    await run([person(1), person(2), person(3)], { tagLimit: 2 });
    expect([await tagsOf('user-1'), await tagsOf('user-2'), (await tagsOf('user-3'))?.in_vip]).toEqual([{ in_vip: 'true', plan: 'pro', city: 'City 1' }, { in_vip: '0', plan: 'pro', city: 'City 2' }, '1']);
  });

  // Fresh reviewer 104, F1: two syncs sharing one state wrote one user's VIP tag; the first to leave deleted it while the
  // other's row still wanted it, and that one, its row unchanged, never set it again. The removal is now kept for it.
  it('two syncs sharing the state: the tag stays while the other sync\'s row wants it, and goes when the last leaves', async () => {
    await seed([{ id: 'user-1' }]);
    const row = (id: string, groups: string[]): ConformanceRecord => ({ id, snapshot: { properties: { external_id: 'user-1', plan: 'pro' }, groups } });
    await run([row('a1', ['VIP'])], {}, { syncName: 'A' });
    await run([row('b1', ['VIP'])], {}, { syncName: 'B' });
    const left = await run([row('a1', [])], {}, { syncName: 'A' });
    expect(left.results[0]?.message).toMatch(/Kept in group "VIP" in OneSignal because sync "B" sharing this state has it there/);
    expect(await tagsOf('user-1')).toEqual({ plan: 'pro', in_vip: '1' });
    await run([row('b1', [])], {}, { syncName: 'B' });
    expect(await tagsOf('user-1')).toEqual({ plan: 'pro' });
  });

  it('a tag this sync set that the app changed since ("0") is not deleted when the row leaves the group', async () => {
    await seed([{ id: 'user-1' }]);
    await run([person(1, {}, ['VIP'])]);
    expect((await tagsOf('user-1'))?.in_vip).toBe('1');
    await new Promise((resolve) => setTimeout(resolve, 1100)); // OneSignal's per-user second between writes
    const answer = await fetch(`${env.config.baseUrl}/apps/${EMULATOR_APP_ID}/users/by/external_id/user-1`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Key ${String(env.config.restApiKey)}` },
      body: JSON.stringify({ properties: { tags: { in_vip: '0' } } }),
    });
    expect(answer.status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // OneSignal's per-user second between writes
    const left = await run([person(1, {}, [])]);
    expect(left.counts.failed).toBe(0);
    expect((await tagsOf('user-1'))?.in_vip).toBe('0');
  });

  // Fresh reviewer 105: groups whose names differ but map to one tag ("VIP"/"vip", "VIP Customers"/"vip-customers") were
  // compared by name: a tag this sync set was kept for good after a rename (F1), the app's tag was deleted (F2), and a
  // removal another sync or a re-keyed row still wanted was sent (F3, F4). The kit now compares them by the tag (groupKey).
  describe('groups that are one tag', () => {
    const row = (id: string, groups: string[], external = 'user-1'): ConformanceRecord => ({ id, snapshot: { properties: { external_id: external, plan: 'pro' }, groups } });

    it('a rename (VIP → vip) keeps the tag this sync\'s: deleted when the row leaves', async () => {
      await seed([{ id: 'user-1' }]);
      await run([row('p1', ['VIP'])]);
      await run([row('p1', ['vip'])]);
      expect(await tagsOf('user-1')).toEqual({ plan: 'pro', in_vip: '1' });
      await run([row('p1', [])]);
      expect(await tagsOf('user-1')).toEqual({ plan: 'pro' });
    });

    it('the app\'s tag stays the app\'s under a second group of that tag: never deleted', async () => {
      await seed([{ id: 'user-1', tags: { in_vip: '1' } }]);
      await run([row('p1', ['VIP'])]);
      await run([row('p1', ['VIP', 'vip'])]);
      await run([row('p1', [])]);
      expect(await tagsOf('user-1')).toEqual({ in_vip: '1', plan: 'pro' });
    });

    // Fresh reviewer 106, F2: after the app removed its tag, the sync set it under a renamed group; it was counted the app's.
    it('the app removes its tag; the renamed group the sync then sets is the sync\'s: deleted when the row leaves', async () => {
      await seed([{ id: 'user-1', tags: { in_vip: '1' } }]);
      await run([row('p1', ['VIP'])]);
      await new Promise((resolve) => setTimeout(resolve, 1100)); // OneSignal's per-user second between writes
      const answer = await fetch(`${env.config.baseUrl}/apps/${EMULATOR_APP_ID}/users/by/external_id/user-1`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', authorization: `Key ${String(env.config.restApiKey)}` },
        body: JSON.stringify({ properties: { tags: { in_vip: '' } } }),
      });
      expect(answer.status).toBe(202);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await run([row('p1', ['vip'])]);
      expect((await tagsOf('user-1'))?.in_vip).toBe('1');
      await run([row('p1', [])]);
      expect((await tagsOf('user-1'))?.in_vip).toBeUndefined();
    });

    it('two syncs sharing the state with "VIP Customers" and "vip-customers": the tag goes when the last leaves', async () => {
      await seed([{ id: 'user-1' }]);
      await run([row('a1', ['VIP Customers'])], {}, { syncName: 'A' });
      await run([row('b1', ['vip-customers'])], {}, { syncName: 'B' });
      const left = await run([row('a1', [])], {}, { syncName: 'A' });
      expect(left.results[0]?.message).toMatch(/because sync "B" sharing this state has it there/);
      expect((await tagsOf('user-1'))?.in_vip_customers).toBe('1');
      await run([row('b1', [])], {}, { syncName: 'B' });
      expect((await tagsOf('user-1'))?.in_vip_customers).toBeUndefined();
    });

    it('a row re-keyed into "vip-customers" keeps the tag of "VIP Customers", this sync\'s: deleted when it leaves', async () => {
      await seed([{ id: 'user-1' }]);
      await run([row('p1', ['VIP Customers'])]);
      await run([row('p1b', ['vip-customers'])]);
      expect((await tagsOf('user-1'))?.in_vip_customers).toBe('1');
      const left = await run([row('p1b', [])]);
      expect(left.results.find((r) => r.id === 'p1b')?.message ?? '').not.toMatch(/someone else's/);
      expect((await tagsOf('user-1'))?.in_vip_customers).toBeUndefined();
    });
  });
});
