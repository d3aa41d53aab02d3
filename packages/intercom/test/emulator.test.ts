import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStateStore, parseConfig, runSync } from '@syncmodes/connector-kit';
import { EmulatorClient } from '@syncmodes/connector-kit/emulator';
import { memorySource } from '@syncmodes/connector-kit/testing';
import { IntercomClient } from 'intercom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileQuery, emulatorPlugin, Workspace, type CustomAttribute } from '../src/emulator/index';
import { intercomDestination } from '../src/index';
import { FAST, person } from './helpers';
import { records } from './intercom-harness';

describe('the Intercom emulator', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const undo of cleanup.splice(0).reverse()) await undo();
  });

  it('runs as the CLI plugin, keeps its data in a file across restarts, and answers the read routes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'intercom-emulator-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const persistPath = join(dir, 'intercom.json');

    const first = emulatorPlugin.create({ persistPath });
    const url = await first.start();
    cleanup.push(() => first.stop());
    const config = parseConfig(intercomDestination, emulatorPlugin.configFor(url));
    const state = new SqliteStateStore(':memory:');
    cleanup.push(() => state.close());
    await runSync({ collectResults: true, destination: intercomDestination, config, source: memorySource([person(1, {}, ['VIP']), person(2)]), state, retry: FAST });
    await runSync({ collectResults: true, destination: intercomDestination, config, mode: 'sync', source: memorySource([person(1, {}, ['VIP'])]), state, retry: FAST, guard: { maxDeletes: 5 } });
    const before = await records(new EmulatorClient(url));
    await first.stop();

    const second = emulatorPlugin.create({ persistPath });
    const url2 = await second.start();
    cleanup.push(() => second.stop());
    expect(await records(new EmulatorClient(url2))).toEqual(before);
    expect(before.contacts.map((c) => [c.external_id, c.archived])).toEqual([
      ['ext-1', false],
      ['ext-2', true],
    ]);

    const client = new IntercomClient({ token: String(config.accessToken), baseUrl: url2, maxRetries: 0 });
    const listed = await client.contacts.list();
    expect(listed.data.map((c) => c.external_id)).toEqual(['ext-1']);
    const one = await client.contacts.find({ contact_id: listed.data[0]?.id as string });
    expect(one).toMatchObject({ email: 'p1@example.com', tags: { data: [{ type: 'tag' }] } });
    const found = await client.contacts.search({ query: { field: 'tag_id', operator: '=', value: before.tags[0]?.id as string } });
    expect(found.data.map((c) => c.external_id)).toEqual(['ext-1']);
  });

  it('never acknowledges a write it could not save: answers 500 while the file cannot be written, and saves everything once it can (first trial of stop 26: acknowledged creates were lost on a full disk)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'intercom-emulator-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const persistPath = join(dir, 'intercom.json');
    const emulator = emulatorPlugin.create({ persistPath });
    const url = await emulator.start();
    cleanup.push(() => emulator.stop());
    const config = parseConfig(intercomDestination, emulatorPlugin.configFor(url));
    const create = (email: string) =>
      fetch(`${url}/contacts`, { method: 'POST', headers: { authorization: `Bearer ${String(config.accessToken)}`, 'content-type': 'application/json' }, body: JSON.stringify({ role: 'user', email }) });
    expect((await create('a@example.com')).status).toBe(200);
    // The save's temp file cannot be written (a folder stands in its way), as on a full disk.
    const blocker = `${persistPath}.${process.pid}.tmp`;
    mkdirSync(blocker);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    cleanup.push(() => error.mockRestore());
    expect((await create('b@example.com')).status).toBe(500);
    expect(error.mock.calls.some((c) => String(c[0]).includes(`cannot save its data to ${persistPath}`))).toBe(true);
    const saved = () => (JSON.parse(readFileSync(persistPath, 'utf8')) as { contacts: { email: string }[] }).contacts.map((c) => c.email).sort();
    expect(saved()).toEqual(['a@example.com']);
    // Data it holds unsaved is not confirmed by any answer, a read's included (a Bulk API job's status would say it ran).
    const list = () => fetch(`${url}/contacts`, { headers: { authorization: `Bearer ${String(config.accessToken)}` } });
    expect((await list()).status).toBe(500);
    rmSync(blocker, { recursive: true });
    expect((await list()).status).toBe(200);
    expect(saved()).toEqual(['a@example.com', 'b@example.com']);
    expect((await create('c@example.com')).status).toBe(200);
    // b was answered 500 but is in the emulator's data (a write whose answer was an error, as a vendor may): saved with the rest.
    expect(saved()).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);
  });

  it('refuses a wrong token with Intercom\'s 401, and reports settings changes', async () => {
    const emulator = emulatorPlugin.create();
    const url = await emulator.start();
    cleanup.push(() => emulator.stop());
    const response = await fetch(`${url}/contacts`, { headers: { authorization: 'Bearer wrong' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('x-ratelimit-limit')).toBeNull();
    expect(await response.json()).toMatchObject({ type: 'error.list', errors: [{ code: 'unauthorized', message: 'Access Token Invalid' }] });
    const set = await fetch(`${url}/__emulator/settings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ searchLagMs: 250, rateLimit: null }) });
    expect(await set.json()).toEqual({ searchLagMs: 250, rateLimit: null });
  });

  describe('search queries', () => {
    const ws = new Workspace({ now: () => Date.UTC(2024, 5, 1, 12) });
    const attributes = new Map<string, CustomAttribute>([['visits', { id: 1, name: 'visits', data_type: 'integer', description: '', messenger_writable: false, archived: false, created_at: 0 }]]);
    ws.attributes = attributes;
    const a = ws.createContact({ external_id: 'a', email: 'A@Example.com', custom_attributes: { visits: 3 } });
    const b = ws.createContact({ role: 'lead', email: 'b@example.org' });
    const match = (query: unknown) => ws.searchable().filter(compileQuery(query, attributes)).map((c) => c.id);

    it('matches emails case-insensitively, IN lists, nested groups, custom attributes and dates by day', () => {
      expect(match({ field: 'email', operator: '=', value: 'a@example.com' })).toEqual([a.id]);
      expect(match({ field: 'email', operator: 'IN', value: ['a@example.com', 'b@example.org'] })).toEqual([a.id, b.id]);
      expect(match({ operator: 'AND', value: [{ field: 'role', operator: '=', value: 'user' }, { operator: 'OR', value: [{ field: 'custom_attributes.visits', operator: '>', value: 2 }] }] })).toEqual([a.id]);
      expect(match({ field: 'created_at', operator: '=', value: Date.UTC(2024, 5, 1) / 1000 })).toEqual([a.id, b.id]);
      expect(match({ field: 'created_at', operator: '>', value: Date.UTC(2024, 5, 1, 23) / 1000 })).toEqual([]);
      expect(match({ field: 'email_domain', operator: '$', value: '.org' })).toEqual([b.id]);
    });

    it('refuses what Intercom refuses: IN without an array, IN on dates, deep nesting, more than 15 filters, unknown fields', () => {
      const refused = (query: unknown) => expect(() => compileQuery(query, attributes)).toThrow(expect.objectContaining({ status: 400, code: 'parameter_invalid' }));
      refused({ field: 'email', operator: 'IN', value: 'a@example.com' });
      refused({ field: 'created_at', operator: 'IN', value: [1] });
      refused({ field: 'tag_id', operator: 'IN', value: ['1'] });
      refused({ operator: 'OR', value: [{ operator: 'AND', value: [{ operator: 'OR', value: [{ field: 'email', operator: '=', value: 'x' }] }] }] });
      refused({ operator: 'OR', value: Array.from({ length: 16 }, () => ({ field: 'email', operator: '=', value: 'x' })) });
      refused({ field: 'shoe_size', operator: '=', value: '42' });
    });
  });
});
