import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStateStore, runSync } from '../src/index';
import { memorySource, type ConformanceRecord } from '../src/testing/index';
import { tinyDestination } from './tiny/tiny-destination';
import { createTinyEmulator, TINY_TOKEN } from './tiny/tiny-emulator';

const person = (i: number): ConformanceRecord => ({ id: `c${i}`, snapshot: { properties: { email: `p${i}@example.com`, name: `Person ${i}` }, groups: [] } });

describe('RunSyncOptions.lease.isStale: a queue re-delivered the same job', () => {
  let emulator: ReturnType<typeof createTinyEmulator>;
  let url: string;
  beforeEach(async () => {
    emulator = createTinyEmulator();
    url = await emulator.start();
  });
  afterEach(async () => {
    await emulator.stop();
  });

  it('a run takes over an unexpired lease its isStale says is stale, and the old holder is fenced; otherwise it is refused', async () => {
    const state = new MemoryStateStore();
    const source = memorySource([person(1), person(2)]);
    const config = { baseUrl: url, token: TINY_TOKEN };
    const first = await runSync({ destination: tinyDestination, config, source, state, dryRun: true });
    // A worker on another machine holds the sync for job 7 and stopped sending heartbeats.
    const old = await state.acquireLease(first.syncId, { holder: 'host-a:10:job-7', ttlMs: 600_000 });
    const refused = await runSync({ destination: tinyDestination, config, source, state, lease: { holder: 'host-b:20:job-8' } });
    expect(refused).toMatchObject({ status: 'refused', reason: { code: 'sync_running' } });
    const sameJob = (c: { holder: string }) => c.holder.endsWith(':job-7');
    const taken = await runSync({ destination: tinyDestination, config, source, state, lease: { holder: 'host-b:20:job-7', isStale: sameJob } });
    expect(taken.status).toBe('completed');
    expect(taken.counts.created).toBe(2);
    await expect(state.remove(first.syncId, ['c1'], old)).rejects.toMatchObject({ code: 'lease_lost' });
  });
});
