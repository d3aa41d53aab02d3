import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorClient } from '../src/emulator/index';
import { MemoryStateStore, defineDestination, runSync, targetLeaseKey } from '../src/index';
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

// Fresh reviewer 112, F1: a run paused past its lease while a run of another sync took the records it writes stopped
// lease_lost, which a worker treats as a takeover by this sync's own run elsewhere and does not queue again: the run was
// dropped until the next schedule. It now stops sync_overlap (queued again) unless its own sync was taken over too.
describe('a run paused past its lease (the event loop blocked, as a SIGSTOP does)', () => {
  let emulator: ReturnType<typeof createTinyEmulator>;
  let admin: EmulatorClient;
  let url: string;
  beforeEach(async () => {
    emulator = createTinyEmulator();
    url = await emulator.start();
    admin = new EmulatorClient(url);
  });
  afterEach(async () => {
    await emulator.stop();
  });

  const TTL_MS = 150;
  /** Blocks this process for `ms` (no timer fires: no heartbeat is sent), as a paused process. */
  const pause = (ms: number) => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      // busy: nothing else runs
    }
  };
  /** The tiny destination whose second create pauses the run past its lease, then lets `meanwhile` (another run) act. */
  const pausing = (meanwhile: () => Promise<void>) => {
    let creates = 0;
    return defineDestination({
      ...tinyDestination,
      verbs: {
        ...tinyDestination.verbs,
        async create(ctx, items) {
          creates += 1;
          if (creates === 2) {
            pause(TTL_MS * 2);
            await meanwhile();
          }
          return tinyDestination.verbs.create(ctx, items);
        },
      },
    });
  };
  const people = [1, 2, 3, 4].map(person);

  for (const takenOver of [false, true]) {
    it(takenOver ? 'when its own sync was taken over too, it stops lease_lost (the run that took it goes on)' : 'when a run of another sync took its records meanwhile, it stops sync_overlap (retryable: a worker queues it again), not lease_lost', async () => {
      const state = new MemoryStateStore();
      const config = { baseUrl: url, token: TINY_TOKEN };
      const { syncId } = await runSync({ destination: tinyDestination, config, source: memorySource(people), state, dryRun: true });
      const other = { holder: 'other-host:1:other-run', ttlMs: 600_000 };
      const meanwhile = async () => {
        if (takenOver) await state.acquireLease(syncId, other);
        await state.acquireLease(targetLeaseKey('tiny', { baseUrl: url }), other);
      };
      const run = await runSync({ collectResults: true, destination: pausing(meanwhile), config, source: memorySource(people), state, windowSize: 1, lease: { ttlMs: TTL_MS } });
      expect(run.status).toBe('stopped');
      expect(run.reason?.code).toBe(takenOver ? 'lease_lost' : 'sync_overlap');
      expect(run.reason?.retryable).toBe(true);
      if (!takenOver) expect(run.reason?.message).toContain('A run of another sync into the same Tiny records (the same baseUrl) took them over while this run was paused past its lease');
      // Nothing is sent after the pause but the call already under way.
      expect((await admin.records<{ records: unknown[] }>()).records.length).toBeLessThanOrEqual(2);
      expect(run.results.filter((r) => r.code === 'not_sent').length).toBeGreaterThanOrEqual(2);
    });
  }
});
