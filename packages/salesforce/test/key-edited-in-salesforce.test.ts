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
const outcomes = (summary: { results: readonly { id: string; outcome: string; code?: string | undefined }[] }) =>
  Object.fromEntries(summary.results.map((r) => [r.id, r.code ? `${r.outcome}:${r.code}` : r.outcome]));

// Fresh helper 108, finding 1 (3drepo/3drepo.io#2512, restforce/restforce#243): a person in
// Salesforce changes the Email of the Contact this sync wrote (a new work address). Looked up
// by the row's Email alone, it was not found: sync and additive created a second Contact for
// the same person beside it (and moved state to it), enrich skipped the row `not_found`.
// The sync knows the Contact's Id and reads it by that Id — but what it holds now may be
// someone else (fresh reviewer 109: updated in place, a Contact merged into another person's
// was deleted when the row left, and a row was written onto a record another sync tracks for
// someone else): it is neither written nor deleted, and the row fails match_field_changed.
describe('Salesforce: the Email of the Contact this sync wrote is changed in Salesforce', () => {
  const t = perTestEmulator(startEmulator);
  const run = (mode: SyncMode, records: ConformanceRecord[], options: { recheck?: boolean; syncName?: string } = {}) =>
    runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode, source: memorySource(records), state: t.state, retry: FAST, guard: { maxDeletes: 10 }, ...options });
  const edit = (id: string, fields: Record<string, unknown>) => expect(t.env.emulator.org.update(id, { Description: 'edited in Salesforce', ...fields }).success).toBe(true);

  for (const mode of ['sync', 'additive', 'enrich'] as const satisfies readonly SyncMode[]) {
    it(`${mode}: the row's next change fails match_field_changed, nothing is written and no second Contact is created, run after run`, async () => {
      if (mode === 'enrich') t.env.emulator.seed({ Contact: [{ LastName: 'Seeded', Email: 'ann@example.com' }] });
      const first = await run(mode, [person('ann', 'ann@example.com', '111')]);
      expect(first.results[0]?.outcome).toBe(mode === 'enrich' ? 'updated' : 'created');
      const id = String(first.results[0]?.destinationId);
      edit(id, { Email: 'ann@work.example.com' });

      for (const recheck of [false, true]) {
        const again = await run(mode, [person('ann', 'ann@example.com', '999')], { recheck });
        expect(again.results[0]).toMatchObject({ outcome: 'skipped', code: 'match_field_changed', destinationId: id });
        expect(again.results[0]?.message).toContain('no second record was created');
        expect(t.env.emulator.org.all('Contact').map((c) => [c.Id, c.Email, c.Phone])).toEqual([[id, 'ann@work.example.com', '111']]);
      }
      // Put back in Salesforce: updated in place.
      edit(id, { Email: 'ann@example.com' });
      const fixed = await run(mode, [person('ann', 'ann@example.com', '999')]);
      expect(fixed.results[0]).toMatchObject({ outcome: 'updated', destinationId: id });
      expect(t.env.emulator.org.all('Contact').map((c) => [c.Id, c.Phone])).toEqual([[id, '999']]);
    });
  }

  it('sync: a row leaving whose Contact was merged in Salesforce into another current row\'s (keeping that Email) does not delete it; it is no longer tracked', async () => {
    const first = await run('sync', [person('ann', 'ann@example.com', '111'), person('bob', 'bob@example.com', '222'), person('cat', 'cat@example.com', '333')]);
    const [ann, bob] = first.results.map((r) => String(r.destinationId));
    // Bob's Contact merged into Ann's, Bob's Email kept: Salesforce deletes the losing record.
    edit(String(ann), { Email: 'bob@example.com' });
    t.env.emulator.org.delete(String(bob));

    const left = await run('sync', [person('bob', 'bob@example.com', '222'), person('cat', 'cat@example.com', '333')]);
    expect(outcomes(left)).toMatchObject({ ann: 'skipped:match_field_changed' });
    expect(t.env.emulator.org.get(String(ann))).toMatchObject({ Email: 'bob@example.com' });
    // Bob's next change goes to the merged Contact (it has his Email), and nothing is created.
    const next = await run('sync', [person('bob', 'bob@example.com', '999'), person('cat', 'cat@example.com', '333')]);
    expect(next.results.find((r) => r.id === 'bob')).toMatchObject({ outcome: 'updated', destinationId: ann });
    expect(t.env.emulator.org.all('Contact')).toHaveLength(2);
  });

  it('sync: a Contact re-purposed in Salesforce (Email and name another person\'s) is not deleted when its row leaves', async () => {
    const first = await run('sync', [person('ann', 'ann@example.com', '111'), person('bob', 'bob@example.com', '222')]);
    const ann = String(first.results[0]?.destinationId);
    edit(ann, { Email: 'zed@example.com', LastName: 'Zed' });
    const left = await run('sync', [person('bob', 'bob@example.com', '222')]);
    expect(outcomes(left)).toMatchObject({ ann: 'skipped:match_field_changed' });
    expect(t.env.emulator.org.get(ann)).toMatchObject({ LastName: 'Zed' });
  });

  it("changed to another source row's Email: that row keeps its own Contact; a new row with the Email is refused, never written onto it", async () => {
    const first = await run('sync', [person('ann', 'ann@example.com', '111'), person('bob', 'bob@example.com', '222')]);
    const [ann, bob] = first.results.map((r) => String(r.destinationId));
    edit(String(ann), { Email: 'bob@example.com' });
    const second = await run('sync', [person('ann', 'ann@example.com', '999'), person('bob', 'bob@example.com', '888')]);
    expect(second.results.map((r) => [r.id, r.outcome, r.destinationId])).toEqual([['ann', 'skipped', ann], ['bob', 'updated', bob]]);

    edit(String(ann), { Email: 'carol@example.com' });
    const third = await run('sync', [person('ann', 'ann@example.com', '777'), person('bob', 'bob@example.com', '888'), person('carol', 'carol@example.com', '333')]);
    expect(outcomes(third)).toMatchObject({ ann: 'skipped:match_field_changed' });
    expect(outcomes(third)).toMatchObject({ carol: 'failed:duplicate_destination_record' });
    expect(t.env.emulator.org.all('Contact')).toHaveLength(2);
    expect(t.env.emulator.org.get(String(ann))).toMatchObject({ LastName: 'ANN', Phone: '111' });
  });

  it('two syncs sharing one state: a Contact the other sync now writes for someone else (its Email changed to theirs) gets nothing of this row', async () => {
    const x = await run('sync', [person('ann', 'ann@example.com', '111')], { syncName: 'x' });
    const ann = String(x.results[0]?.destinationId);
    edit(ann, { Email: 'carol@example.com', LastName: 'Carol' });
    const y = await run('additive', [person('carol', 'carol@example.com', '555')], { syncName: 'y' });
    expect(y.results[0]).toMatchObject({ outcome: 'updated', destinationId: ann });
    const again = await run('sync', [person('ann', 'ann@example.com', '999')], { syncName: 'x' });
    expect(again.results[0]).toMatchObject({ outcome: 'skipped', code: 'match_field_changed' });
    expect(t.env.emulator.org.get(ann)).toMatchObject({ LastName: 'CAROL', Phone: '555' });
  });

  it('a bulk run (Bulk API 2.0 lookup of the whole object): Contacts whose Email was changed or cleared there are refused, none created', async () => {
    const people = (phone: string) => Array.from({ length: 250 }, (_, i) => person(`p${i}`, `p${i}@example.com`, `${phone}${i}`, []));
    const config = { ...t.env.config, bulkThreshold: 240, bulkPollIntervalMs: 5 };
    const bulk = (records: ConformanceRecord[]) => runSync({ collectResults: true, destination: salesforceDestination, config, mode: 'additive', source: memorySource(records), state: t.state, retry: FAST });
    const first = await bulk(people('1'));
    expect(first.counts).toMatchObject({ created: 250, failed: 0 });
    const ids = first.results.map((r) => String(r.destinationId));
    edit(String(ids[0]), { Email: 'p0@work.example.com' });
    expect(t.env.emulator.org.update(String(ids[1]), { Email: null }).success).toBe(true);

    t.env.emulator.clearRequests();
    const second = await bulk(people('2'));
    expect(second.counts).toMatchObject({ updated: 248, skipped: 2, created: 0, failed: 0 });
    expect(second.results.slice(0, 2).map((r) => [r.code, r.destinationId])).toEqual([['match_field_changed', ids[0]], ['match_field_changed', ids[1]]]);
    expect(t.env.emulator.org.all('Contact')).toHaveLength(250);
    expect(t.env.emulator.requests.some((e) => e.path.endsWith('/jobs/query'))).toBe(true);
  });

  for (const bulkThreshold of [undefined, 0] as const) {
    it(`an external-id match field (Customer_Id__c, upserted)${bulkThreshold === 0 ? ', Bulk API 2.0' : ''}: the Contact whose key someone changed is refused, not upserted as a second one; a new row with that key is not written over this row's data`, async () => {
      const row = (id: string, key: string, Phone: string): ConformanceRecord => ({ id, snapshot: { properties: { Customer_Id__c: key, LastName: id.toUpperCase(), Phone }, groups: [] } });
      const config = { ...t.env.config, matchField: 'Customer_Id__c', ...(bulkThreshold === undefined ? {} : { bulkThreshold, bulkPollIntervalMs: 5 }) };
      const go = (rows: ConformanceRecord[]) => runSync({ collectResults: true, destination: salesforceDestination, config, mode: 'sync', source: memorySource(rows), state: t.state, retry: FAST });
      const first = await go([row('ann', 'C-1', '111')]);
      expect(first.results[0]?.outcome).toBe('created');
      const id = String(first.results[0]?.destinationId);
      expect(t.env.emulator.org.update(id, { Customer_Id__c: 'C-2' }).success).toBe(true);

      const second = await go([row('ann', 'C-1', '999')]);
      expect(second.results[0]).toMatchObject({ outcome: 'skipped', code: 'match_field_changed', destinationId: id });
      expect(t.env.emulator.org.all('Contact').map((c) => [c.Id, c.Customer_Id__c, c.Phone])).toEqual([[id, 'C-2', '111']]);
    });
  }

  // Fresh reviewer 110, F1: the previous key finds the record only by its Id, holding another value — the one the row changes to.
  it('a row whose key changes in the source to the value the record was given in Salesforce is updated in place', async () => {
    const first = await run('sync', [person('ann', 'ann@example.com', '111')]);
    const id = String(first.results[0]?.destinationId);
    edit(id, { Email: 'ann@new.example.com' });
    const moved = await run('sync', [person('ann', 'ann@new.example.com', '222')]);
    expect(moved.results[0]).toMatchObject({ outcome: 'updated', destinationId: id });
    expect(t.env.emulator.org.all('Contact').map((c) => [c.Id, c.Email, c.Phone])).toEqual([[id, 'ann@new.example.com', '222']]);
    const again = await run('sync', [person('ann', 'ann@new.example.com', '222')]);
    expect(again.results[0]?.outcome).toBe('unchanged');
  });

  it('the key changed to one value in the source and another in Salesforce: refused; the row given Salesforce\'s value: updated in place', async () => {
    const first = await run('sync', [person('ann', 'ann@example.com', '111')]);
    const id = String(first.results[0]?.destinationId);
    edit(id, { Email: 'ann@c.example.com' });
    const apart = await run('sync', [person('ann', 'ann@b.example.com', '222')]);
    expect(apart.results[0]).toMatchObject({ outcome: 'skipped', code: 'match_field_changed' });
    const given = await run('sync', [person('ann', 'ann@c.example.com', '333')]);
    expect(given.results[0]).toMatchObject({ outcome: 'updated', destinationId: id });
    expect(t.env.emulator.org.all('Contact').map((c) => [c.Id, c.Email, c.Phone])).toEqual([[id, 'ann@c.example.com', '333']]);
  });
});
