import { MemoryStateStore, runSync } from '@syncmodes/connector-kit';
import { memorySource, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { intercomDestination } from '../src/index';
import { FAST } from './helpers';
import { records, startEmulator } from './intercom-harness';

/**
 * Fresh trial 144, F1: a lead this sync created (a webinar feed, role lead, matched by email)
 * that Intercom converted into a user in place — the person signed up, or the users' sync gave
 * it an external_id — was archived when the row left the source, or deleted for good with
 * `removal: delete` (the users' sync then failed restore_failed on every run). It is kept now,
 * `lead_converted`, as Salesforce keeps a converted Lead.
 * https://developers.intercom.com/docs/references/1.4/rest-api/leads/convert-a-lead
 */
describe('Intercom, sync mode: a lead this sync created that became a user leaves the source', () => {
  let env: Awaited<ReturnType<typeof startEmulator>> | undefined;
  afterEach(async () => {
    await env?.emulator.stop();
  });
  const row = (email: string, name: string): ConformanceRecord => ({ id: email, snapshot: { properties: { email, name }, groups: [] } });

  for (const removal of ['archive', 'delete'] as const) {
    for (const searchLagMs of [0, 600_000]) {
      it(`removal ${removal}, search lag ${searchLagMs} ms: kept as it is (lead_converted), neither archived nor deleted; a lead still its own is removed`, async () => {
        env = await startEmulator({ searchLagMs });
        const e = env;
        const state = new MemoryStateStore();
        const config = { ...e.config, role: 'lead' as const, matchBy: 'email' as const, removal };
        const sync = (rs: ConformanceRecord[]) => runSync({ collectResults: true, destination: intercomDestination, config, mode: 'sync', source: memorySource(rs), state, retry: FAST, guard: { maxDeletes: 5 } });
        const first = await sync([row('lee@example.com', 'Lee'), row('ann@example.com', 'Ann'), row('keep@example.com', 'Keep')]);
        const lee = first.results.find((r) => r.id === 'lee@example.com')?.destinationId as string;
        const ann = first.results.find((r) => r.id === 'ann@example.com')?.destinationId as string;
        // Lee signs up: Intercom converts the lead into a user in place, with the product's user id.
        const converted = await fetch(`${e.url}/contacts/${lee}`, { method: 'PUT', headers: { authorization: `Bearer ${e.config.accessToken}`, 'intercom-version': '2.14', 'content-type': 'application/json' }, body: JSON.stringify({ role: 'user', external_id: 'prod-1' }) });
        expect(converted.status).toBe(200);
        const left = await sync([row('keep@example.com', 'Keep')]);
        expect(left.results.find((r) => r.id === 'lee@example.com')).toMatchObject({ outcome: 'skipped', code: 'lead_converted', destinationId: lee });
        expect(left.results.find((r) => r.id === 'ann@example.com')).toMatchObject({ outcome: 'deleted', destinationId: ann });
        const contacts = (await records(e.admin)).contacts;
        expect(contacts.find((c) => c.id === lee)).toMatchObject({ role: 'user', external_id: 'prod-1', archived: false });
        expect(contacts.some((c) => c.id === ann && !c.archived)).toBe(false);
        // No longer tracked: the next run leaves it alone.
        const again = await sync([row('keep@example.com', 'Keep')]);
        expect(again.results.find((r) => r.id === 'lee@example.com')).toBeUndefined();
        expect((await records(e.admin)).contacts.find((c) => c.id === lee)).toMatchObject({ archived: false });
      });
    }
  }

  // Fresh reviewer 146, M1: a users' sync kept a user it created as a "converted lead" once the product gave it an external_id.
  it('a user this sync created (role user, matched by email), given an external_id since: still its own, removed when its row leaves', async () => {
    env = await startEmulator({ searchLagMs: 0 });
    const e = env;
    const state = new MemoryStateStore();
    const config = { ...e.config, role: 'user' as const, matchBy: 'email' as const };
    const sync = (rs: ConformanceRecord[]) => runSync({ collectResults: true, destination: intercomDestination, config, mode: 'sync', source: memorySource(rs), state, retry: FAST, guard: { maxDeletes: 5 } });
    const first = await sync([row('ann@example.com', 'Ann'), row('keep@example.com', 'Keep')]);
    const ann = first.results.find((r) => r.id === 'ann@example.com')?.destinationId as string;
    const given = await fetch(`${e.url}/contacts/${ann}`, { method: 'PUT', headers: { authorization: `Bearer ${e.config.accessToken}`, 'intercom-version': '2.14', 'content-type': 'application/json' }, body: JSON.stringify({ external_id: 'prod-a' }) });
    expect(given.status).toBe(200);
    const left = await sync([row('keep@example.com', 'Keep')]);
    expect(left.results.find((r) => r.id === 'ann@example.com')).toMatchObject({ outcome: 'deleted', destinationId: ann });
  });
});
