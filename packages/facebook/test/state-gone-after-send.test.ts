import { MemoryStateStore, runSync, StateStoreError, type StateEntry } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import type { FacebookEmulatorData } from '../src/emulator/index';
import { facebookDestination } from '../src/index';
import { emailOf, startFacebook } from './facebook-harness';
import { FAST_RETRY } from './helpers';

/** A store whose reads of a group's entries fail (the database gone) once the run has written state. */
class GoneAfterWrite extends MemoryStateStore {
  armOnPut = false;
  private gone = false;
  override async entriesInGroup(syncId: string, group: string, page: { readonly after?: string | undefined; readonly limit: number }): Promise<StateEntry[]> {
    if (this.gone) throw new StateStoreError('state_unwritable', 'The state database failed while reading state entries: connect ECONNREFUSED 127.0.0.1:5432.');
    return super.entriesInGroup(syncId, group, page);
  }
  override async put(syncId: string, entries: readonly StateEntry[], lease?: Parameters<MemoryStateStore['put']>[2]): Promise<void> {
    await super.put(syncId, entries, lease);
    if (this.armOnPut) this.gone = true;
  }
}

const person = (i: number, audiences: string[]): ConformanceRecord => ({ id: `r${i}`, snapshot: { properties: { EMAIL: emailOf(i) }, groups: audiences } });

// Fresh reviewer 146, M2: the members of an audience deleted during the run are forgotten after every window was sent and
// recorded; the database gone by then, that read threw out of runSync, and nothing of the run reached its caller.
describe('Facebook: the state database gone when the run forgets the members of an audience deleted during it', () => {
  const t = perTestEmulator(startFacebook);

  it('the run stops with a summary (state_unwritable, retryable), one result per record', async () => {
    const state = new GoneAfterWrite();
    const run = (records: readonly ConformanceRecord[], destination = facebookDestination) =>
      runSync({ collectResults: true, destination, config: t.env.config, mode: 'sync', source: memorySource(records), state, sourceKey: 'id', retry: FAST_RETRY, guard: { maxDeletes: 10_000 } });
    await run([person(1, ['VIP']), person(2, ['VIP']), person(3, ['VIP'])]);
    const [vip] = (await t.env.admin.records<FacebookEmulatorData>()).audiences;
    const verbs = facebookDestination.verbs;
    const find = verbs.findAudiences as NonNullable<typeof verbs.findAudiences>;
    // The audience is deleted in Ads Manager once the run has found it; the database goes away once the run writes state.
    const findAudiences: typeof find = async (ctx, names) => {
      const found = await find(ctx, names);
      await fetch(`${t.env.baseUrl}/v24.0/${vip!.id}?access_token=${String(t.env.config.accessToken)}`, { method: 'DELETE' });
      state.armOnPut = true;
      return found;
    };
    const summary = await run([person(2, []), person(3, ['VIP']), person(4, ['VIP'])], { ...facebookDestination, verbs: { ...verbs, findAudiences } });
    expect([summary.status, summary.reason?.code, summary.reason?.retryable]).toEqual(['stopped', 'state_unwritable', true]);
    expect(summary.results.map((r) => r.id).sort()).toEqual(['r1', 'r2', 'r3', 'r4']);
  });
});
