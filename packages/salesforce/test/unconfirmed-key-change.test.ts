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
});
