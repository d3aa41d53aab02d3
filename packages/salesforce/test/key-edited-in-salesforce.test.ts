import { runSync, type SyncMode } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const person = (id: string, email: string, Phone: string, groups: string[] = ['Summit']): ConformanceRecord => ({
  id,
  snapshot: { properties: { Email: email, LastName: id.toUpperCase(), Phone }, groups },
});

// Fresh helper 108, finding 1 (3drepo/3drepo.io#2512, restforce/restforce#243): a person in
// Salesforce changes the Email of the Contact this sync wrote (a new work address). Looked up
// by the row's Email alone, it was not found: sync and additive created a second Contact for
// the same person beside it (and moved state to it), enrich skipped the row `not_found`.
// The sync knows the Contact's Id: read by it, the Contact is updated in place.
describe('Salesforce: the Email of the Contact this sync wrote is changed in Salesforce', () => {
  const t = perTestEmulator(startEmulator);
  const run = (mode: SyncMode, records: ConformanceRecord[], recheck = false) =>
    runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode, source: memorySource(records), state: t.state, retry: FAST, recheck, guard: { maxDeletes: 10 } });
  const editEmail = (id: string, Email: string) => expect(t.env.emulator.org.update(id, { Email, Description: 'call notes' }).success).toBe(true);

  for (const mode of ['sync', 'additive', 'enrich'] as const satisfies readonly SyncMode[]) {
    it(`${mode}: the row's next change updates that Contact in place (no second Contact); a recheck finds it unchanged`, async () => {
      if (mode === 'enrich') t.env.emulator.seed({ Contact: [{ LastName: 'Seeded', Email: 'ann@example.com' }] });
      const first = await run(mode, [person('ann', 'ann@example.com', '111')]);
      expect(first.results[0]?.outcome).toBe(mode === 'enrich' ? 'updated' : 'created');
      const id = String(first.results[0]?.destinationId);
      editEmail(id, 'ann@work.example.com');

      const second = await run(mode, [person('ann', 'ann@example.com', '999')]);
      expect(second.results[0]).toMatchObject({ outcome: 'updated', destinationId: id });
      const contacts = t.env.emulator.org.all('Contact');
      expect(contacts).toHaveLength(1);
      // Only what the row changed is written: the Email the person set there stays, as any field edited there does.
      expect(contacts[0]).toMatchObject({ Id: id, Email: 'ann@work.example.com', Phone: '999', Description: 'call notes' });

      const rechecked = await run(mode, [person('ann', 'ann@example.com', '999')], true);
      expect(rechecked.results[0]).toMatchObject({ outcome: 'unchanged', destinationId: id });
      expect(t.env.emulator.org.all('Contact')).toHaveLength(1);
    });
  }

  it('sync: the row leaving deletes that Contact (this sync created it), found by its Id', async () => {
    const first = await run('sync', [person('ann', 'ann@example.com', '111'), person('bob', 'bob@example.com', '222')]);
    const id = String(first.results[0]?.destinationId);
    editEmail(id, 'ann@work.example.com');
    const left = await run('sync', [person('bob', 'bob@example.com', '222')]);
    expect(left.results.find((r) => r.id === 'ann')).toMatchObject({ outcome: 'deleted', destinationId: id });
    expect(t.env.emulator.org.all('Contact').map((c) => c.Email)).toEqual(['bob@example.com']);
  });

  it("sync: changed to another source row's Email, each row keeps its own Contact; a new row with that Email is refused, never written onto it", async () => {
    const first = await run('sync', [person('ann', 'ann@example.com', '111'), person('bob', 'bob@example.com', '222')]);
    const [ann, bob] = first.results.map((r) => String(r.destinationId));
    editEmail(String(ann), 'bob@example.com');

    const second = await run('sync', [person('ann', 'ann@example.com', '999'), person('bob', 'bob@example.com', '888')]);
    expect(second.results.map((r) => [r.id, r.outcome, r.destinationId])).toEqual([['ann', 'updated', ann], ['bob', 'updated', bob]]);
    expect(t.env.emulator.org.all('Contact').map((c) => [c.Id, c.Phone]).sort()).toEqual([[ann, '999'], [bob, '888']].sort());

    // Carol is new and has the Email that Ann's Contact now holds in Salesforce: that Contact is Ann's (this sync wrote it for
    // her), so Carol is not written onto it.
    editEmail(String(ann), 'carol@example.com');
    const third = await run('sync', [person('ann', 'ann@example.com', '777'), person('bob', 'bob@example.com', '888'), person('carol', 'carol@example.com', '333')]);
    const byRow = Object.fromEntries(third.results.map((r) => [r.id, r]));
    expect(byRow.ann).toMatchObject({ outcome: 'updated', destinationId: ann });
    expect(byRow.carol).toMatchObject({ outcome: 'failed', code: 'duplicate_destination_record' });
    expect(byRow.carol?.message).toContain('"ann"');
    expect(t.env.emulator.org.all('Contact')).toHaveLength(2);
    expect(t.env.emulator.org.get(String(ann))).toMatchObject({ LastName: 'ANN', Phone: '777', Email: 'carol@example.com' });
  });

  it('a bulk run (Bulk API 2.0 lookup of the whole object): Contacts whose Email was changed or cleared there are read by Id, none created', async () => {
    const people = (phone: string) => Array.from({ length: 250 }, (_, i) => person(`p${i}`, `p${i}@example.com`, `${phone}${i}`, []));
    const config = { ...t.env.config, bulkThreshold: 240, bulkPollIntervalMs: 5 };
    const bulk = (records: ConformanceRecord[]) => runSync({ collectResults: true, destination: salesforceDestination, config, mode: 'additive', source: memorySource(records), state: t.state, retry: FAST });
    const first = await bulk(people('1'));
    expect(first.counts).toMatchObject({ created: 250, failed: 0 });
    const ids = first.results.map((r) => String(r.destinationId));
    editEmail(String(ids[0]), 'p0@work.example.com');
    expect(t.env.emulator.org.update(String(ids[1]), { Email: null }).success).toBe(true);

    t.env.emulator.clearRequests();
    const second = await bulk(people('2'));
    expect(second.counts).toMatchObject({ updated: 250, created: 0, failed: 0 });
    expect(second.results.slice(0, 2).map((r) => r.destinationId)).toEqual(ids.slice(0, 2));
    expect(t.env.emulator.org.all('Contact')).toHaveLength(250);
    expect(t.env.emulator.requests.some((e) => e.path.endsWith('/jobs/query'))).toBe(true);
  });

  for (const bulkThreshold of [undefined, 0] as const) {
    it(`an external-id match field (Customer_Id__c, upserted)${bulkThreshold === 0 ? ', Bulk API 2.0' : ''}: the Contact whose key someone changed is updated by its Id, not upserted as a second one`, async () => {
      const row = (Phone: string): ConformanceRecord => ({ id: 'ann', snapshot: { properties: { Customer_Id__c: 'C-1', Email: 'ann@example.com', LastName: 'Ann', Phone }, groups: [] } });
      const config = { ...t.env.config, matchField: 'Customer_Id__c', ...(bulkThreshold === undefined ? {} : { bulkThreshold, bulkPollIntervalMs: 5 }) };
      const go = (Phone: string) => runSync({ collectResults: true, destination: salesforceDestination, config, mode: 'sync', source: memorySource([row(Phone)]), state: t.state, retry: FAST });
      const first = await go('111');
      expect(first.results[0]?.outcome).toBe('created');
      const id = String(first.results[0]?.destinationId);
      expect(t.env.emulator.org.update(id, { Customer_Id__c: 'C-1-old' }).success).toBe(true);

      const second = await go('999');
      expect(second.results[0]).toMatchObject({ outcome: 'updated', destinationId: id });
      expect(t.env.emulator.org.all('Contact').map((c) => [c.Id, c.Customer_Id__c, c.Phone])).toEqual([[id, 'C-1-old', '999']]);
    });
  }
});
