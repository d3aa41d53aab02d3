import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStateStore, csvSource, runSync } from '@syncmodes/connector-kit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { onesignalDestination } from '../src/index';
import { isConnectionCheck, readUsers, startEmulator } from './onesignal-harness';
import { PEOPLE_CSV, PEOPLE_MAPPING, PEOPLE_OPTIONS, peopleRows, utcSeconds } from './people-sample';

const seeded = (index: number) => index % 5 < 2; // 400 of the 1,000 people use the app
const APP_TAGS = { app_version: '5.2.1', level: '7' }; // set by the app's SDK: never touched

describe('people-1000.csv against an emulator holding 400 of them', () => {
  let env: Awaited<ReturnType<typeof startEmulator>>;
  let state: SqliteStateStore;
  let rows: Awaited<ReturnType<typeof peopleRows>>;
  let tmp: string;
  beforeAll(async () => {
    rows = await peopleRows();
    tmp = mkdtempSync(join(tmpdir(), 'onesignal-people-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  beforeEach(async () => {
    env = await startEmulator();
    state = new SqliteStateStore(':memory:');
    await env.admin.seed({
      users: rows
        .filter((r) => seeded(r.index))
        .map((r) => ({ identity: { external_id: r.externalId }, properties: { tags: { ...APP_TAGS, ...(r.index % 10 === 0 ? { in_beta_testers: '1' } : {}) } } })),
    });
  });
  afterEach(async () => {
    state.close();
    await env.emulator.stop();
  });

  const sync = (path = PEOPLE_CSV) =>
    runSync({
      collectResults: true,
      destination: onesignalDestination,
      config: { ...env.config, ...PEOPLE_OPTIONS },
      source: csvSource(path, PEOPLE_MAPPING),
      state,
      sourceKey: PEOPLE_MAPPING.idColumn,
    });
  const idOf = (path: string) => decodeURIComponent(path.split('/').pop() ?? '');

  it('updates exactly the existing users, creates none, and a rerun sends nothing', async () => {
    const first = await sync();
    expect(first.counts).toEqual({ created: 0, updated: 400, deleted: 0, unchanged: 0, skipped: 600, failed: 0 });
    expect(new Set(first.results.filter((r) => r.outcome === 'skipped').map((r) => r.code))).toEqual(new Set(['not_found']));

    const log = await env.admin.requests();
    // One documented view-user read per person (https://documentation.onesignal.com/reference/view-user),
    // then one update per user found: no create, no delete, no update of a user not found;
    // plus `connect`'s one read proving the key and the app id.
    expect(log.filter(isConnectionCheck).map((e) => e.status)).toEqual([404]);
    const reads = log.filter((e) => e.method === 'GET' && !isConnectionCheck(e));
    const patches = log.filter((e) => e.method === 'PATCH');
    expect(reads).toHaveLength(1_000);
    expect(reads.filter((e) => e.status === 404)).toHaveLength(600);
    expect(patches.every((e) => e.status === 202)).toBe(true);
    const updatedIds = new Set(patches.map((e) => idOf(e.path)));
    expect(updatedIds).toEqual(new Set(rows.filter((r) => seeded(r.index)).map((r) => r.externalId)));
    expect(log).toHaveLength(1_401);

    const users = await readUsers(env.admin);
    expect(users).toHaveLength(400);
    const byId = new Map(users.map((u) => [u.identity.external_id, u.properties.tags]));
    for (const r of rows.filter((x) => seeded(x.index))) {
      const expected: Record<string, string> = {
        ...APP_TAGS,
        ...(r.index % 10 === 0 ? { in_beta_testers: '1' } : {}),
        first_name: String(r.row.first_name),
        last_name: String(r.row.last_name),
        email: String(r.row.email),
        phone: String(r.row.phone),
        job_title: String(r.row.job_title),
        date_of_birth: utcSeconds(String(r.row.date_of_birth)),
        [`in_${String(r.groups[0]).toLowerCase()}`]: '1',
      };
      expect(byId.get(r.externalId)).toEqual(expected);
    }

    await env.admin.clearRequests();
    const rerun = await sync();
    expect(rerun.counts).toEqual({ created: 0, updated: 0, deleted: 0, unchanged: 400, skipped: 600, failed: 0 });
    expect(await env.admin.requests()).toEqual([]);
  }, 90_000); // 1,000 reads and 400 updates, then a rerun

  it('a group change sends exactly the tag deletions and additions it implies', async () => {
    await sync();
    await env.admin.clearRequests();
    // 20 existing users change sex; 5 more join a second group.
    const flipped = rows.filter((r) => seeded(r.index)).slice(0, 20);
    const joined = rows.filter((r) => seeded(r.index)).slice(20, 25);
    const lines = readFileSync(PEOPLE_CSV, 'utf8').split(/\r?\n/);
    const changedLines = lines.map((line) => {
      const m = /^(\d+),([^,]+),([^,]*),([^,]*),(Male|Female),(.*)$/.exec(line);
      if (!m) return line;
      const id = m[2] as string;
      if (flipped.some((r) => r.externalId === id)) return `${m[1]},${id},${m[3]},${m[4]},${m[5] === 'Male' ? 'Female' : 'Male'},${m[6]}`;
      if (joined.some((r) => r.externalId === id)) return `${m[1]},${id},${m[3]},${m[4]},"${m[5]};VIP Customers",${m[6]}`;
      return line;
    });
    const changed = join(tmp, 'people-groups-changed.csv');
    writeFileSync(changed, changedLines.join('\n'));

    const summary = await sync(changed);
    expect(summary.counts).toEqual({ created: 0, updated: 25, deleted: 0, unchanged: 375, skipped: 600, failed: 0 });
    const log = await env.admin.requests();
    const patches = log.filter((e) => e.method === 'PATCH');
    const sent = new Map(patches.map((e) => [idOf(e.path), (e.body as { properties: { tags: Record<string, string> } }).properties.tags]));
    expect(patches.map((e) => `${e.method} ${e.status}`)).toEqual(Array(25).fill('PATCH 202'));
    expect(log.filter((e) => e.method === 'GET' && !isConnectionCheck(e)).map((e) => e.status)).toEqual(Array(25).fill(200));
    expect(log.filter(isConnectionCheck)).toHaveLength(1);
    for (const r of flipped) {
      const was = String(r.groups[0]).toLowerCase();
      const now = was === 'male' ? 'female' : 'male';
      expect(sent.get(r.externalId)).toEqual({ [`in_${was}`]: '', [`in_${now}`]: '1' });
    }
    for (const r of joined) expect(sent.get(r.externalId)).toEqual({ in_vip_customers: '1' });
    const users = new Map((await readUsers(env.admin)).map((u) => [u.identity.external_id, u.properties.tags]));
    const first = flipped[0] as (typeof flipped)[0];
    expect(users.get(first.externalId)?.[`in_${String(first.groups[0]).toLowerCase()}`]).toBeUndefined();
  });
});
