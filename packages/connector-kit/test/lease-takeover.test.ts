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

  // Fresh reviewer 117, F3: nobody took anything, yet the run stopped lease_lost ("Another run took over"), which a worker
  // completes without queuing it again. Both leases are still this run's: renewed at once, the run goes on.
  it('when nobody took anything meanwhile, its leases are renewed at once and the run goes on to the end', async () => {
    const state = new MemoryStateStore();
    const run = await runSync({ collectResults: true, destination: pausing(async () => undefined), config: { baseUrl: url, token: TINY_TOKEN }, source: memorySource(people), state, windowSize: 1, lease: { ttlMs: TTL_MS } });
    expect([run.status, run.reason?.code, run.counts.created]).toEqual(['completed', undefined, 4]);
    expect((await admin.records<{ records: unknown[] }>()).records).toHaveLength(4);
  });

  // Fresh reviewer 117, F2: a store answering renewals late (Postgres over a network) left the heartbeat behind the pause, and
  // with no check before each call the run went on writing records another sync's run held.
  it('with a store that answers renewals late, a run paused while another sync took its records sends nothing after the pause but the call under way', async () => {
    const inner = new MemoryStateStore();
    const state = new Proxy(inner, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop === 'renewLease') return async (...args: Parameters<MemoryStateStore['renewLease']>) => new Promise((r) => setTimeout(r, 300)).then(() => target.renewLease(...args));
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const taken = () => inner.acquireLease(targetLeaseKey('tiny', { baseUrl: url }), { holder: 'other-host:1:other-run', ttlMs: 600_000 }).then(() => undefined);
    const run = await runSync({ collectResults: true, destination: pausing(taken), config: { baseUrl: url, token: TINY_TOKEN }, source: memorySource(people), state, windowSize: 1, lease: { ttlMs: TTL_MS } });
    expect([run.status, run.reason?.code]).toEqual(['stopped', 'sync_overlap']);
    expect((await admin.records<{ records: unknown[] }>()).records.length).toBeLessThanOrEqual(2);
  });

  // Fresh reviewer 119, F5: the check before a call waited for the store's answer to the renewal even after Ctrl-C: a store
  // that did not answer held the interrupted run for ever.
  it('interrupted while the check after a pause waits for a store that does not answer: it stops interrupted at once', async () => {
    const inner = new MemoryStateStore();
    let hang = false;
    const state = new Proxy(inner, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop === 'renewLease') return async (...args: Parameters<MemoryStateStore['renewLease']>) => (hang ? new Promise<void>(() => undefined) : target.renewLease(...args));
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const stop = new AbortController();
    const hangs = async () => {
      hang = true;
      setTimeout(() => stop.abort(), 100);
    };
    const started = Date.now();
    const run = await runSync({ collectResults: true, destination: pausing(hangs), config: { baseUrl: url, token: TINY_TOKEN }, source: memorySource(people), state, windowSize: 1, lease: { ttlMs: TTL_MS }, signal: stop.signal, inFlightGraceMs: 200 });
    expect([run.status, run.reason?.code]).toEqual(['stopped', 'interrupted']);
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 20_000);

  // Fresh reviewer 119, F6: the records' lease lost first (the sync's renewal answered later) named the internal key `target:…`.
  it('its sync and records taken over, the records\' lease heard of first: the stop names the sync, never the records\' internal key', async () => {
    const inner = new MemoryStateStore();
    const config = { baseUrl: url, token: TINY_TOKEN };
    const { syncId } = await runSync({ destination: tinyDestination, config, source: memorySource(people), state: inner, dryRun: true });
    const state = new Proxy(inner, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop === 'renewLease') return async (...args: Parameters<MemoryStateStore['renewLease']>) => {
          if (args[0].syncId === syncId) await new Promise((r) => setTimeout(r, 50));
          return target.renewLease(...args);
        };
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const other = { holder: 'other-host:1:other-run', ttlMs: 600_000 };
    const takeBoth = async () => {
      await inner.acquireLease(syncId, other);
      await inner.acquireLease(targetLeaseKey('tiny', { baseUrl: url }), other);
      await new Promise((r) => setTimeout(r, TTL_MS)); // the heartbeats tick: the records' renewal is refused first
    };
    const run = await runSync({ collectResults: true, destination: pausing(takeBoth), config, source: memorySource(people), state, windowSize: 1, lease: { ttlMs: TTL_MS } });
    expect(run.reason?.code).toBe('lease_lost');
    expect(run.reason?.message).toContain(`sync ${syncId}`);
    expect(run.reason?.message).not.toContain('target:');
  });

  // Fresh reviewer 117, F2: the caller made for the run's volume after the scan dropped the check before each call (and any
  // stop made during the scan): a run paused while reading its source, whose records another sync took meanwhile, wrote them all.
  for (const takenOver of [false, true]) {
    it(`paused while its source is read, ${takenOver ? 'its sync and records taken over: nothing is sent, stopped lease_lost' : 'its records taken by another sync\'s run: nothing is sent, stopped sync_overlap'}`, async () => {
      const state = new MemoryStateStore();
      const config = { baseUrl: url, token: TINY_TOKEN };
      const { syncId } = await runSync({ destination: tinyDestination, config, source: memorySource(people), state, dryRun: true });
      let reads = 0;
      const source = {
        name: 'pausing source',
        async *open() {
          reads += 1;
          for (const [i, r] of people.entries()) {
            yield { kind: 'record' as const, id: r.id, row: i + 1, snapshot: r.snapshot };
            if (reads === 1 && i === 0) {
              pause(TTL_MS * 2);
              const other = { holder: 'other-host:1:other-run', ttlMs: 600_000 };
              if (takenOver) await state.acquireLease(syncId, other);
              await state.acquireLease(targetLeaseKey('tiny', { baseUrl: url }), other);
              await new Promise((r) => setTimeout(r, TTL_MS)); // a slow source: heartbeats tick while it is read
            }
          }
        },
      };
      const run = await runSync({ collectResults: true, destination: tinyDestination, config, source, state, windowSize: 1, lease: { ttlMs: TTL_MS } });
      expect([run.status, run.reason?.code]).toEqual(['stopped', takenOver ? 'lease_lost' : 'sync_overlap']);
      expect((await admin.records<{ records: unknown[] }>()).records).toHaveLength(0);
      expect(run.results.map((r) => r.code)).toEqual(['not_sent', 'not_sent', 'not_sent', 'not_sent']);
    });
  }
});
