import { MemoryStateStore, runSync, StateStoreError, type StateEntry, type SyncLease } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20, retries: 1 };
const person = (id: string, email: string, Phone: string): ConformanceRecord => ({ id, snapshot: { properties: { Email: email, LastName: id.toUpperCase(), Phone }, groups: [] } });

/** A memory store whose writes fail (a full disk) once `failAfter` puts succeeded; `heal` ends that. */
class FailingStore extends MemoryStateStore {
  puts = 0;
  constructor(private failAfter: number) {
    super();
  }
  override async put(syncId: string, entries: readonly StateEntry[], lease?: SyncLease): Promise<void> {
    if (++this.puts > this.failAfter) throw new StateStoreError('state_unwritable', 'Cannot write the state file (SQLITE_FULL): disk full.');
    return super.put(syncId, entries, lease);
  }
  heal(): void {
    this.puts = Number.NEGATIVE_INFINITY;
  }
}

// Verify, quick, seed 145591318 (CI of stop 49): a row's Email changed, and the run writing it
// stopped after its write-ahead mark (the state names the new Email, unconfirmed). The row then
// left. Looked up by the new Email only, the Contact this sync created (still holding the old
// one) was read by its Id, refused match_field_changed and kept — never deleted. A departure
// whose key change was never confirmed is looked up by the key it had first, then by the new one.
describe('Salesforce, sync mode: a row leaves after a run that changed its Email stopped before recording it', () => {
  const t = perTestEmulator(startEmulator);
  const run = (records: ConformanceRecord[], state: MemoryStateStore) =>
    runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode: 'sync', source: memorySource(records), state, retry: FAST, guard: { maxDeletes: 10, allowEmptySource: true } });
  const contacts = () => t.env.emulator.org.all('Contact').map((c) => [c.Id, c.Email]);

  for (const sent of [false, true]) {
    it(`the change ${sent ? 'went through (the state failed after it)' : 'was never sent (Salesforce refused it)'}: its Contact is deleted`, async () => {
      const state = new FailingStore(Number.POSITIVE_INFINITY);
      const first = await run([person('ann', 'ann@example.com', '111'), person('bob', 'bob@example.com', '222')], state);
      const ann = String(first.results.find((r) => r.id === 'ann')?.destinationId);

      const failing = new FailingStore(sent ? 1 : Number.POSITIVE_INFINITY); // the write-ahead mark, then the disk is full
      await failing.put(first.syncId, await state.get(first.syncId, ['ann', 'bob']).then((m) => [...m.values()]));
      failing.puts = 0;
      if (!sent) t.env.emulator.setFaults([{ kind: 'server_error', method: 'PATCH', path: '/composite/sobjects' }]);
      const changed = await run([person('ann', 'ann@new.example.com', '999'), person('bob', 'bob@example.com', '222')], failing);
      t.env.emulator.setFaults([]);
      expect(changed.results.find((r) => r.id === 'ann')).toMatchObject(sent ? { code: 'state_unwritable' } : { outcome: 'failed', retryable: true });
      expect((await failing.get(changed.syncId, ['ann'])).get('ann')).toMatchObject({ pending: true, matchKey: 'ann@example.com', snapshot: { properties: { Email: 'ann@new.example.com' } } });
      expect(contacts()).toContainEqual([ann, sent ? 'ann@new.example.com' : 'ann@example.com']);

      failing.heal();
      const left = await run([person('bob', 'bob@example.com', '222')], failing);
      expect(left.results.find((r) => r.id === 'ann')).toMatchObject({ outcome: 'deleted', destinationId: ann });
      expect(contacts().map(([, email]) => email)).toEqual(['bob@example.com']);
    });
  }

  // Fresh reviewer 114, F1: the departure was protected by the holders of its new key only. A row now holding the key the
  // Contact still has (the person under a new id, maybe) did not keep it: the row was refused "It is kept", and the Contact
  // was deleted in the same run (sync), or its campaigns removed (enrich).
  describe('a row now holds the Email the Contact still has', () => {
    const pending = async (mode: 'sync' | 'enrich') => {
      const state = new FailingStore(Number.POSITIVE_INFINITY);
      const vip = (r: ConformanceRecord): ConformanceRecord => ({ ...r, snapshot: { ...r.snapshot, groups: ['VIP'] } });
      const first = await runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode, source: memorySource([vip(person('ann', 'ann@example.com', '111')), vip(person('bob', 'bob@example.com', '222'))]), state, retry: FAST });
      const ann = String(first.results.find((r) => r.id === 'ann')?.destinationId);
      t.env.emulator.setFaults([{ kind: 'server_error', method: 'PATCH', path: '/composite/sobjects' }]);
      await runSync({ destination: salesforceDestination, config: t.env.config, mode, source: memorySource([vip(person('ann', 'ann@new.example.com', '999')), vip(person('bob', 'bob@example.com', '222'))]), state, retry: FAST });
      t.env.emulator.setFaults([]);
      expect((await state.get(first.syncId, ['ann'])).get('ann')).toMatchObject({ pending: true, matchKey: 'ann@example.com' });
      return { state, ann, vip };
    };
    const members = () => t.env.emulator.org.all('CampaignMember').map((m) => m.ContactId);

    for (const rows of [[person('cat', 'ann@example.com', '333')], [person('cat', 'ann@example.com', '333'), person('dan', 'ann@example.com', '444')], [person('cat', 'ann@example.com', '111')]]) {
      it(`sync: ${rows.map((r) => r.id).join(' and ')} (Phone ${rows.map((r) => r.snapshot.properties.Phone).join(', ')}): kept and still tracked (rekeyed), as when the key never changed`, async () => {
        const { state, ann } = await pending('sync');
        const left = await run([person('bob', 'bob@example.com', '222'), ...rows], state);
        expect(left.results.find((r) => r.id === 'ann')).toMatchObject({ outcome: 'skipped', code: 'rekeyed', destinationId: ann });
        expect(contacts()).toContainEqual([ann, 'ann@example.com']);
        expect(left.counts.deleted).toBe(0);
      });
    }

    it('enrich: the Contact keeps its campaign while the row that may be its person is refused', async () => {
      t.env.emulator.seed({ Contact: [{ LastName: 'ANN', Email: 'ann@example.com', Phone: '111' }, { LastName: 'BOB', Email: 'bob@example.com', Phone: '222' }] });
      const { state, ann, vip } = await pending('enrich');
      expect(members()).toContain(ann);
      const left = await runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode: 'enrich', source: memorySource([vip(person('bob', 'bob@example.com', '222')), vip(person('cat', 'ann@example.com', '111'))]), state, retry: FAST });
      expect(left.results.find((r) => r.id === 'ann')).toMatchObject({ outcome: 'skipped', code: 'rekeyed' });
      expect(members()).toContain(ann);
    });
  });
});

// Fresh reviewer 137 (F1, F2): Salesforce reads the stored Id when the Email finds nothing, and answers the Contact moved away.
describe('Salesforce, sync mode: an Email change that went through and was never recorded, then the row goes back, or leaves', () => {
  const t = perTestEmulator(startEmulator);
  const run = (records: ConformanceRecord[], state: MemoryStateStore, extra: Record<string, unknown> = {}) =>
    runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode: 'sync', source: memorySource(records), state, retry: FAST, guard: { maxDeletes: 10, allowEmptySource: true }, ...extra });
  const contacts = () => t.env.emulator.org.all('Contact').map((c) => [c.Id, c.Email]);
  /** Ann's Email change sent, applied, and never recorded (the state store fails after the write-ahead mark): her Contact's id and that store. */
  const emailChangedUnconfirmed = async () => {
    const state = new FailingStore(Number.POSITIVE_INFINITY);
    const first = await run([person('ann', 'ann@example.com', '111'), person('bob', 'bob@example.com', '222')], state);
    const ann = String(first.results.find((r) => r.id === 'ann')?.destinationId);
    const failing = new FailingStore(1); // the write-ahead mark, then the disk is full
    await failing.put(first.syncId, [...(await state.get(first.syncId, ['ann', 'bob'])).values()]);
    failing.puts = 0;
    await run([person('ann', 'ann@new.example.com', '111'), person('bob', 'bob@example.com', '222')], failing);
    failing.heal();
    return { ann, failing };
  };

  it('the row goes back to its old Email: its Contact is written back in place (it was refused match_field_changed on every run)', async () => {
    const { ann, failing } = await emailChangedUnconfirmed();
    expect(contacts()).toContainEqual([ann, 'ann@new.example.com']);
    const back = await run([person('ann', 'ann@example.com', '111'), person('bob', 'bob@example.com', '222')], failing);
    expect(back.results.find((r) => r.id === 'ann')).toMatchObject({ outcome: 'updated', destinationId: ann });
    expect(contacts()).toEqual([[ann, 'ann@example.com'], expect.arrayContaining(['bob@example.com'])]);
  });

  // Fresh reviewer 137 (T7): as above, but another Contact took the old Email meanwhile. It was written as a first match (Ann's
  // values over that person's), and the Contact this sync wrote, holding the new Email, was left untracked for good.
  it("another Contact took the old Email meanwhile, and the row goes back to it: refused (ambiguous_match), neither Contact written, its own still tracked", async () => {
    const { ann, failing } = await emailChangedUnconfirmed();
    t.env.emulator.seed({ Contact: [{ LastName: 'OTHER', Email: 'ann@example.com', Phone: '999' }] });
    const before = t.env.emulator.org.all('Contact').map((c) => ({ ...c }));
    const back = await run([person('ann', 'ann@example.com', '111'), person('bob', 'bob@example.com', '222')], failing);
    expect(back.results.find((r) => r.id === 'ann')).toMatchObject({ outcome: 'failed', code: 'ambiguous_match' });
    expect(back.results.find((r) => r.id === 'ann')?.message).toContain(`${ann}, the record this sync wrote`);
    expect(t.env.emulator.org.all('Contact')).toEqual(before);
    expect((await failing.get(back.syncId, ['ann'])).get('ann')).toMatchObject({ destinationId: ann });
    const left = await run([person('bob', 'bob@example.com', '222')], failing);
    expect(left.results.find((r) => r.id === 'ann')).toMatchObject({ outcome: 'deleted', destinationId: ann });
    expect(contacts().map(([, email]) => email).sort()).toEqual(['ann@example.com', 'bob@example.com']);
  });

  for (const deletePolicy of ['owned', 'matched'] as const) {
    it(`${deletePolicy}: a row leaves while its Contact was given another Email in Salesforce and another Contact has its Email: its own Contact, read by Id, is kept as it is (match_field_changed, as without the other), and the other is left alone`, async () => {
      const state = new FailingStore(Number.POSITIVE_INFINITY);
      const first = await run([person('ann', 'ann@example.com', '111'), person('bob', 'bob@example.com', '222')], state, { deletePolicy });
      const ann = String(first.results.find((r) => r.id === 'ann')?.destinationId);
      t.env.emulator.org.update(ann, { Email: 'ann.work@example.com' }, 'Contact');
      t.env.emulator.seed({ Contact: [{ LastName: 'OTHER', Email: 'ann@example.com', Phone: '999' }] });
      const before = t.env.emulator.org.all('Contact').map((c) => ({ ...c }));
      const left = await run([person('bob', 'bob@example.com', '222')], state, { deletePolicy });
      const result = left.results.find((r) => r.id === 'ann');
      expect(result).toMatchObject({ outcome: 'skipped', code: 'match_field_changed', destinationId: ann });
      expect(result?.message).toContain('kept in Salesforce as it is');
      expect(t.env.emulator.org.all('Contact')).toEqual(before);
    });

    // Fresh trial 139, F2: a Contact merged away (deleted) while the survivor has its Email failed ambiguous_match on every run,
    // advising to delete the survivor.
    it(`${deletePolicy}: a row leaves after its Contact was merged into another with its Email (deleted): forgotten (not_found), the survivor left alone`, async () => {
      const state = new FailingStore(Number.POSITIVE_INFINITY);
      const first = await run([person('ann', 'ann@example.com', '111'), person('bob', 'bob@example.com', '222')], state, { deletePolicy });
      const ann = String(first.results.find((r) => r.id === 'ann')?.destinationId);
      t.env.emulator.org.delete(ann);
      t.env.emulator.seed({ Contact: [{ LastName: 'SURVIVOR', Email: 'ann@example.com', Phone: '999' }] });
      const before = t.env.emulator.org.all('Contact').map((c) => ({ ...c }));
      const left = await run([person('bob', 'bob@example.com', '222')], state, { deletePolicy });
      const result = left.results.find((r) => r.id === 'ann');
      expect(result).toMatchObject({ outcome: 'skipped', code: 'not_found' });
      expect(result?.message).toContain(`no longer finds the Salesforce record this sync wrote (${ann}: deleted or merged away there`);
      expect((await state.get(left.syncId, ['ann'])).get('ann')).toBeUndefined();
      expect(t.env.emulator.org.all('Contact')).toEqual(before);
    });
  }
});
