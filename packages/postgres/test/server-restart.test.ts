import { snapshotHash, type StateEntry } from '@syncmodes/connector-kit';
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
      expect(written).toBeGreaterThan(3);
      expect(await store.count('s')).toBe(written);
    } finally {
      await store.close();
    }
  }, 90_000);

  it('a server that stays down is reported after reconnectWaitMs (state_unwritable, naming what it was doing), and opening a store never waits', async () => {
    const down = await startPostgresCluster({ maxConnections: 20 });
    const store = await PostgresStateStore.open(down.url, { schema: 'down', reconnectWaitMs: 1_500 });
    down.stop();
    const started = Date.now();
    const error = await store.listRuns().then(() => undefined, (e: unknown) => e as { code?: string; message?: string });
    const waited = Date.now() - started;
    await store.close();
    expect(error?.code).toBe('state_unwritable');
    expect(error?.message).toMatch(/failed while/);
    expect(waited).toBeGreaterThanOrEqual(1_000);
    const opening = Date.now();
    await expect(PostgresStateStore.open(down.url)).rejects.toMatchObject({ code: 'state_unwritable' });
    expect(Date.now() - opening).toBeLessThan(5_000); // not the 20 s a call waits
  }, 90_000);
});
