import { SqliteStateStore, runSync } from '@syncmodes/connector-kit';
import { memorySource, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { IntercomClient } from 'intercom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiExchange } from '../src/emulator/index';
import { intercomDestination } from '../src/index';
import { FAST, person } from './helpers';
import { startEmulator } from './intercom-harness';
import { IntercomContract } from './openapi-contract';

/** Operations the connector and the tests' readers use; every one must be exercised and valid. */
const OPERATIONS = [
  'ListContacts',
  'CreateContact',
  'ShowContact',
  'UpdateContact',
  'DeleteContact',
  'SearchContacts',
  'ArchiveContact',
  'UnarchiveContact',
  'attachTagToContact',
  'detachTagFromContact',
  'listTags',
  'createTag',
  'lisDataAttributes',
  'createDataAttribute',
];

describe('requests and responses match the Intercom 2.14 OpenAPI description', () => {
  const exchanges: ApiExchange[] = [];
  let contract: IntercomContract;
  let env: Awaited<ReturnType<typeof startEmulator>>;

  beforeAll(async () => {
    contract = await IntercomContract.load();
    env = await startEmulator({ onExchange: (e) => exchanges.push(e), rateLimit: { limit: 1_000, windowMs: 60_000 } });
    const run = (rs: ConformanceRecord[], config: Record<string, unknown> = {}, mode = 'sync') =>
      runSync({ collectResults: true, destination: intercomDestination, config: { ...env.config, ...config }, mode, source: memorySource(rs), state, retry: FAST, guard: { maxDeletes: 10 } });
    const state = new SqliteStateStore(':memory:');
    try {
      await env.admin.seed({
        data_attributes: [{ name: 'city', data_type: 'string' }],
        tags: [{ name: 'VIP' }],
        contacts: [{ role: 'user', external_id: 'ext-4', email: 'p4@example.com', archived: true }],
      });
      const lead = { id: 'lead', snapshot: { properties: { email: 'lead@example.com', name: 'Lee', 'custom_attributes.city': 'Rome' }, groups: ['alpha'] } };
      const people = [1, 2, 3, 4].map((i) => person(i, { 'custom_attributes.city': 'Oslo', 'custom_attributes.visits': String(i), signed_up_at: '2024-01-02' }, ['alpha', 'beta']));
      await run([...people, lead]); // searches, attribute create, creates, a 409 → unarchive → update, tags
      await run([person(1, { 'custom_attributes.city': null }, ['beta']), people[1] as ConformanceRecord, { ...lead, snapshot: { ...lead.snapshot, properties: { ...lead.snapshot.properties, name: null } } }]); // updates, clearing, untag, archive
      await run([person(2, { 'custom_attributes.city': 'Paris' })], { removal: 'delete' }); // delete
      const client = new IntercomClient({ token: env.config.accessToken, baseUrl: env.url, maxRetries: 0 });
      const listed = await client.contacts.list({ per_page: 2 });
      await listed.getNextPage();
      await client.contacts.find({ contact_id: listed.data[0]?.id as string });
      await client.contacts.find({ contact_id: '000000000000000000000000' }).catch(() => undefined); // 404
      await client.contacts.create({ email: 'x@example.com', custom_attributes: { nope: 1 } }).catch(() => undefined); // 400
      const limited = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rateLimit: { limit: 1, windowMs: 60_000 } }) };
      await fetch(`${env.url}/__emulator/settings`, limited);
      await client.tags.list().catch(() => undefined);
      await client.tags.list().catch(() => undefined); // 429
    } finally {
      state.close();
    }
  });
  afterAll(async () => {
    await env.emulator.stop();
  });

  it('exercises every operation the connector uses, with success and error answers', () => {
    const seen = new Set(exchanges.map((e) => contract.operationOf(e)));
    for (const operation of OPERATIONS) expect(seen, operation).toContain(operation);
    const statuses = new Set(exchanges.map((e) => e.status));
    for (const status of [200, 400, 404, 409, 429]) expect(statuses).toContain(status);
  });

  it('every request the connector sent and every answer the emulator gave validates', () => {
    expect(exchanges.length).toBeGreaterThan(30);
    expect(exchanges.flatMap((e) => contract.check(e))).toEqual([]);
  });

  it('catches a response that breaks the description (the check is not vacuous)', () => {
    const good = exchanges.find((e) => contract.operationOf(e) === 'CreateContact' && e.status === 200) as ApiExchange;
    const broken = { ...good, responseBody: { ...(good.responseBody as object), created_at: 'yesterday' } };
    expect(contract.check(broken).map((p) => p.problem)).toEqual([expect.stringContaining('must be integer')]);
    const badError = { ...good, status: 409, responseBody: { errors: 'nope' } };
    expect(contract.check(badError)).toHaveLength(1);
    const badRequest = { ...good, requestBody: { email: 42 } };
    expect(contract.check(badRequest).map((p) => p.problem)).toEqual([expect.stringContaining('request')]);
  });
});
