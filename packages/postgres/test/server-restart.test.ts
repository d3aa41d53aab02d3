import { runSync, snapshotHash, type StateEntry } from '@syncmodes/connector-kit';
import { memorySource } from '@syncmodes/connector-kit/testing';
import { destination } from '@syncmodes/salesforce';
import { createSalesforceEmulator, EMULATOR_ACCESS_TOKEN } from '@syncmodes/salesforce/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStateStore } from '../src/index';
import { startPostgresCluster, type PostgresCluster } from '../src/testing/index';

// Fresh helper 107, minor 2: a `pg_ctl restart` while a run wrote its state stopped the run state_unwritable (the new
// connection was refused while the server was down). A store call now waits for the server to come back (reconnectWaitMs).
// This file restarts its own server: the shared test server stays up for the other files.
let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgresCluster({ maxConnections: 20 });
}, 60_000);
afterAll(() => cluster?.stop());

const entry = (id: string): StateEntry => {
  const snapshot = { properties: { email: `${id}@example.com` }, groups: [] };
  return { recordId: id, destinationId: `d-${id}`, matchKey: `${id}@example.com`, snapshot, hash: snapshotHash(snapshot), owned: true, departed: false };
};

describe('PostgresStateStore across a server restart', () => {
  it('fenced writes, lease renewals and reads made while the server restarts wait for it and go through; nothing is lost', async () => {
    const store = await PostgresStateStore.open(cluster.url, { schema: 'restarted' });
    try {
      const lease = await store.acquireLease('s', { holder: 'me', ttlMs: 60_000 });
      let restarted = false;
      const restart = cluster.restart().finally(() => {
        restarted = true;
      });
      let written = 0;
      const failures: string[] = [];
      // Calls keep going through the restart, and a few after it.
      for (let after = 0; after < 3; after += restarted ? 1 : 0) {
        await store
          .put('s', [entry(`e${written}`)], lease)
          .then(() => store.renewLease(lease, 60_000))
          .then(() => store.listRuns())
          .then(
            () => (written += 1),
            (error: { code?: string; message?: string }) => failures.push(`${error.code}: ${error.message}`),
          );
        if (failures.length > 0) break;
      }
      await restart;
      expect(failures).toEqual([]);
      expect(written).toBeGreaterThanOrEqual(3);
      expect(await store.count('s')).toBe(written);
    } finally {
      await store.close();
    }
  }, 90_000);

  it('a server that stays down is reported after reconnectWaitMs (state_unwritable, saying how long it was waited for); later calls fail at once, not after another wait each; opening a store never waits', async () => {
    const down = await startPostgresCluster({ maxConnections: 20 });
    const store = await PostgresStateStore.open(down.url, { schema: 'down', reconnectWaitMs: 1_500 });
    down.stop();
    const started = Date.now();
    const error = await store.listRuns().then(() => undefined, (e: unknown) => e as { code?: string; message?: string });
    const waited = Date.now() - started;
    // Fresh reviewer 118, F3: one deadline for every call — a CLI run whose database died took 110 s to exit, 20 s a call.
    const next = Date.now();
    const again = await store.count('s').then(() => undefined, (e: unknown) => e as { code?: string; message?: string });
    const waitedAgain = Date.now() - next;
    await store.close();
    expect(error?.code).toBe('state_unwritable');
    expect(error?.message).toMatch(/failed while reading the run history: .*ECONNREFUSED.*; the server has not answered for [12] s \(reconnectWaitMs\)/);
    expect(waited).toBeGreaterThanOrEqual(1_000);
    expect(again?.code).toBe('state_unwritable');
    expect(waitedAgain).toBeLessThan(1_000);
    const opening = Date.now();
    await expect(PostgresStateStore.open(down.url)).rejects.toMatchObject({ code: 'state_unwritable' });
    expect(Date.now() - opening).toBeLessThan(5_000); // not the 20 s a call waits
  }, 90_000);

  it('its signal (a worker stopping, Ctrl-C) ends a wait at once, with the server\'s own error (fresh reviewer 118, F2)', async () => {
    const down = await startPostgresCluster({ maxConnections: 20 });
    const stop = new AbortController();
    const store = await PostgresStateStore.open(down.url, { schema: 'down', reconnectWaitMs: 60_000, signal: stop.signal });
    down.stop();
    const started = Date.now();
    const waiting = store.listRuns().then(() => undefined, (e: unknown) => e as { code?: string; message?: string });
    setTimeout(() => stop.abort(), 500);
    const error = await waiting;
    expect(error?.code).toBe('state_unwritable');
    expect(error?.message).toContain('ECONNREFUSED');
    expect(Date.now() - started).toBeLessThan(10_000); // not the 60 s it would wait
    await store.close();
  }, 90_000);

  it('once its signal ended the waits, calls still go through while the server answers (a stopping worker records its runs)', async () => {
    const stop = new AbortController();
    const store = await PostgresStateStore.open(cluster.url, { schema: 'ended', signal: stop.signal });
    try {
      stop.abort();
      expect(await store.listRuns()).toEqual([]);
      await store.put('s', [entry('a')]);
      expect(await store.count('s')).toBe(1);
    } finally {
      await store.close();
    }
  });

  // Fresh reviewer 118, F1: a database down longer than the run's lease (its renewals waiting for the server) stopped the run
  // lease_lost — "another run took over" — which a worker completes without retrying it: the rest of the people were never sent.
  it('a run whose database stays down past its lease stops state_unwritable (retryable), not lease_lost; once it is back, the next run sends the rest', async () => {
    const emulator = createSalesforceEmulator();
    const instanceUrl = await emulator.start();
    const store = await PostgresStateStore.open(cluster.url, { schema: 'outage', reconnectWaitMs: 800 });
    try {
      emulator.setFaults([{ kind: 'latency', latencyMs: 100, path: '^/(?!__emulator)' }]);
      const people = Array.from({ length: 40 }, (_, i) => ({ id: `p${i}`, snapshot: { properties: { Email: `p${i}@example.com`, LastName: `P${i}` }, groups: [] } }));
      const run = () => runSync({ destination, config: { instanceUrl, accessToken: EMULATOR_ACCESS_TOKEN }, mode: 'additive', source: memorySource(people), state: store, windowSize: 2, lease: { ttlMs: 600 }, syncName: 'people' });
      const first = run();
      await new Promise((r) => setTimeout(r, 700));
      const outage = cluster.restart({ downMs: 3_000 });
      const stopped = await first;
      await outage;
      expect([stopped.status, stopped.reason?.code, stopped.reason?.retryable]).toEqual(['stopped', 'state_unwritable', true]);
      emulator.setFaults([]);
      const next = await run();
      expect(next.status).toBe('completed');
      expect(emulator.org.all('Contact')).toHaveLength(40);
    } finally {
      await store.close();
      await emulator.stop();
    }
  }, 90_000);
});
