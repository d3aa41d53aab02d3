import { snapshotHash, startedRunRecord, StateIndex, type StateEntry } from '@syncmodes/connector-kit';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { PostgresStateStore } from '../src/index';
import { createTestDatabase } from '../src/testing/index';

let url: string;
beforeAll(async () => {
  url = await createTestDatabase(inject('postgresUrl'), 'state_pg');
});

const entry = (id: string): StateEntry => {
  const snapshot = { properties: { email: `${id}@example.com` }, groups: [] };
  return { recordId: id, destinationId: `d-${id}`, matchKey: `${id}@example.com`, snapshot, hash: snapshotHash(snapshot), owned: true, departed: false };
};

describe('PostgresStateStore, beyond the contract', () => {
  it('creates its schema once when several machines open it at the same moment', async () => {
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresStateStore.open(url, { schema: 'race' })));
    await stores[0]?.put('s', [entry('a')]);
    expect(await stores[3]?.count('s')).toBe(1);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('streams the index into the kit’s columnar StateIndex', async () => {
    const store = await PostgresStateStore.open(url, { schema: 'columnar' });
    await store.put('s', [entry('a'), entry('b')]);
    const index = await store.index('s');
    expect(index).toBeInstanceOf(StateIndex);
    expect(index.get('b')?.hash).toBe(entry('b').hash);
    await store.close();
  });

  it('two machines share one lease per sync: the second is refused, takes over once it expires, and the first is then fenced', async () => {
    const a = await PostgresStateStore.open(url, { schema: 'machines' });
    const b = await PostgresStateStore.open(url, { schema: 'machines' });
    // A long lease while b is refused (300 ms ran out before b asked, at load 15: CI preview 151), then renewed for 1 ms to expire.
    const leaseA = await a.acquireLease('s', { holder: 'host-a:1:job-1', ttlMs: 60_000 });
    await expect(b.acquireLease('s', { holder: 'host-b:2:job-1', ttlMs: 60_000 })).rejects.toMatchObject({ code: 'sync_running', holder: 'host-a:1:job-1' });
    await a.put('s', [entry('a')], leaseA);
    await a.renewLease(leaseA, 1);
    await new Promise((r) => setTimeout(r, 50));
    const leaseB = await b.acquireLease('s', { holder: 'host-b:2:job-1', ttlMs: 60_000 });
    expect(leaseB.epoch).toBe(leaseA.epoch + 1);
    await expect(a.put('s', [entry('late')], leaseA)).rejects.toMatchObject({ code: 'lease_lost' });
    await expect(a.remove('s', ['a'], leaseA)).rejects.toMatchObject({ code: 'lease_lost' });
    expect((await b.index('s')).has('late')).toBe(false);
    expect(await b.count('s')).toBe(1);
    await a.close();
    await b.close();
  });

  it('a machine paused inside a fenced write (lease row locked) does not block the takeover: the server ends its session, and its write is refused when it resumes', async () => {
    const a = await PostgresStateStore.open(url, { schema: 'paused', idleInTransactionTimeoutMs: 500 });
    const b = await PostgresStateStore.open(url, { schema: 'paused' });
    const leaseA = await a.acquireLease('s', { holder: 'host-a:1:job-1', ttlMs: 300 });
    // What a fenced write does first, on one of a's connections; then a stops (SIGSTOP) before its next statement.
    const stuck = await a.pool.connect();
    stuck.on('error', () => undefined);
    await stuck.query('BEGIN');
    await stuck.query('SELECT epoch FROM paused.leases WHERE sync_id = $1 FOR SHARE', ['s']);
    await new Promise((r) => setTimeout(r, 400));
    const started = Date.now();
    const leaseB = await b.acquireLease('s', { holder: 'host-b:2:job-1', ttlMs: 60_000 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(leaseB.epoch).toBe(leaseA.epoch + 1);
    await expect(stuck.query('SELECT 1')).rejects.toThrow();
    stuck.release(true);
    await expect(a.put('s', [entry('late')], leaseA)).rejects.toMatchObject({ code: 'lease_lost' });
    expect(await b.count('s')).toBe(0);
    await a.close();
    await b.close();
  });

  it('recordRunProgress updates a running run’s counts, and never a run already recorded as ended (its own end, or worker_lost)', async () => {
    const store = await PostgresStateStore.open(url, { schema: 'progress' });
    const started = startedRunRecord({ runId: 'r1', syncId: 's', syncName: 'people', destination: 'salesforce', mode: 'sync', startedAt: 1_000, source: '' });
    await store.recordRun(started);
    const counts = { ...started.counts, created: 400, updated: 200 };
    expect(await store.recordRunProgress({ ...started, counts, problems: [{ row: 1, id: 'p1', outcome: 'failed', code: 'x', message: 'kept out' }] } as typeof started)).toBe(true);
    expect(await store.listRuns({ syncId: 's' })).toMatchObject([{ runId: 'r1', status: 'running', counts: { created: 400, updated: 200 } }]);
    expect((await store.getRun('r1'))?.problems).toEqual([]);
    const stopped = { ...started, counts, status: 'stopped' as const, reason: { code: 'worker_lost', message: 'lost' }, finishedAt: 2_000 };
    await store.recordRun(stopped);
    expect(await store.recordRunProgress({ ...started, counts: { ...counts, created: 600 } })).toBe(false);
    expect(await store.getRun('r1')).toMatchObject({ status: 'stopped', reason: { code: 'worker_lost' }, counts: { created: 400, updated: 200 } });
    await store.close();
  });

  it('a database that does not exist is state_unreadable, and the message never shows the password', async () => {
    const bad = new URL(url);
    bad.username = 'postgres';
    bad.password = 'hunter2-secret';
    bad.pathname = '/no_such_database';
    const error = await PostgresStateStore.open(bad.toString()).then(
      () => undefined,
      (e: unknown) => e as Error & { code: string; retryable: boolean },
    );
    expect(error).toMatchObject({ code: 'state_unreadable', retryable: false });
    expect(error?.message).toContain('postgres://postgres:[redacted]@127.0.0.1');
    expect(error?.message).not.toContain('hunter2');
  });

  it('a server that cannot be reached is state_unwritable and retryable (the next run continues)', async () => {
    const error = await PostgresStateStore.open('postgres://sync:pw-secret@127.0.0.1:1/x', { connectTimeoutMs: 2_000 }).then(
      () => undefined,
      (e: unknown) => e as Error & { code: string; retryable: boolean },
    );
    expect(error).toMatchObject({ code: 'state_unwritable', retryable: true });
    expect(error?.message).not.toContain('pw-secret');
    // Opening the store (as `state list` does) sent nothing: no word of a stopped run (third trial of stop 27).
    expect(error?.message).toMatch(/failed while creating its tables: .*Check that the database is running and reachable, then try again\.$/);
  });
  // A Postgres restart or failover ends every session (57P01); the pool can hand out a connection the server has just ended
  // before it hears of it. Seen in CI: the worker's database-connections-cut test failed reading the run history.
  it('a read on a connection the server has just ended (a restart, a failover) runs again on a new one instead of failing', async () => {
    const store = await PostgresStateStore.open(url, { schema: 'failover' });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const endSessions = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'syncmodes'";
    try {
      for (let i = 0; i < 30; i++) {
        await store.listRuns(); // an idle connection in the pool
        const [, runs] = await Promise.all([admin.query(endSessions), store.listRuns()]);
        expect(runs).toEqual([]);
      }
    } finally {
      await admin.end();
      await store.close();
    }
  });

  it('a lease renewed or released on a connection the server has just ended (a restart, a failover) is renewed or released on a new one', async () => {
    const store = await PostgresStateStore.open(url, { schema: 'failover_lease' });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const endSessions = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'syncmodes'";
    // A restart ends every pooled connection at once (4 by default), and the pool hands the dead ones out in turn.
    const idle = () => Promise.all(Array.from({ length: 4 }, () => store.listRuns()));
    try {
      for (let i = 0; i < 30; i++) {
        await idle();
        const lease = await store.acquireLease(`s${i}`, { holder: 'me', ttlMs: 60_000 });
        await Promise.all([admin.query(endSessions), store.renewLease(lease, 60_000)]);
        await idle(); // every pooled connection idle
        await Promise.all([admin.query(endSessions), store.releaseLease(lease)]);
        // Released: another holder takes it at once, though the first one's time to live has not passed.
        await store.acquireLease(`s${i}`, { holder: 'other', ttlMs: 60_000 });
      }
    } finally {
      await admin.end();
      await store.close();
    }
  });

  it('a sync registered and a run recorded on a connection the server has just ended are written on a new one: the history never keeps an ended run as running', async () => {
    const store = await PostgresStateStore.open(url, { schema: 'failover_runs' });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const endSessions = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'syncmodes'";
    // A restart ends every pooled connection at once (4 by default), and the pool hands the dead ones out in turn.
    const idle = () => Promise.all(Array.from({ length: 4 }, () => store.listRuns()));
    try {
      for (let i = 0; i < 20; i++) {
        await idle();
        await Promise.all([admin.query(endSessions), store.registerSync({ syncId: `s${i}`, destination: 'salesforce', identity: {} })]);
        const run = startedRunRecord({ runId: `r${i}`, syncId: `s${i}`, syncName: 'people', destination: 'salesforce', mode: 'sync', startedAt: 1_000 + i, source: '' });
        await idle(); // every pooled connection idle
        await Promise.all([admin.query(endSessions), store.recordRun(run)]);
        await idle();
        const [, progressed] = await Promise.all([admin.query(endSessions), store.recordRunProgress({ ...run, counts: { ...run.counts, created: 5 } })]);
        expect(progressed).toBe(true);
        await idle();
        await Promise.all([admin.query(endSessions), store.recordRun({ ...run, status: 'completed', finishedAt: 2_000 + i, counts: { ...run.counts, created: 5 } })]);
        expect(await store.getRun(`r${i}`)).toMatchObject({ status: 'completed', counts: { created: 5 } });
      }
      expect((await store.listSyncs()).map((s) => s.syncId).sort()).toHaveLength(20);
    } finally {
      await admin.end();
      await store.close();
    }
  });

  it('an error that is not a lost connection (a value JSON cannot hold, thrown inside the write) is not run again: one connection taken, the error named', async () => {
    const store = await PostgresStateStore.open(url, { schema: 'not_lost' });
    let taken = 0;
    store.pool.on('acquire', () => taken++);
    try {
      const bad = { ...entry('big'), snapshot: { properties: { visits: 10n }, groups: [] } } as unknown as StateEntry;
      const error = await store.put('s', [bad]).then(() => undefined, (e: unknown) => e);
      expect(error).toMatchObject({ code: 'state_unwritable', message: expect.stringContaining('BigInt') });
      expect(taken).toBe(1);
      await store.put('s', [entry('a')]); // the store works on
      expect(await store.count('s')).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('a statement the database does not answer in time (its table locked by another session: a migration) fails state_unwritable after queryTimeoutMs instead of waiting; the store works again after', async () => {
    const store = await PostgresStateStore.open(url, { schema: 'locked', queryTimeoutMs: 300 });
    await store.put('s', [entry('a')]);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query('BEGIN');
      await admin.query('LOCK TABLE locked.records IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      await expect(store.put('s', [entry('b')])).rejects.toMatchObject({ code: 'state_unwritable', message: expect.stringMatching(/statement timeout.*no answer within the store's query timeout/) });
      await expect(store.count('s')).rejects.toMatchObject({ code: 'state_unwritable' });
      expect(Date.now() - started).toBeLessThan(3_000);
      await admin.query('ROLLBACK');
      await store.put('s', [entry('b')]);
      expect(await store.count('s')).toBe(2);
    } finally {
      await admin.end();
      await store.close();
    }
  });

  it('a database that stops answering (a network cut with no reset) fails the read state_unwritable once the connection has been silent for the limit, and the store works again once the network does', async () => {
    const { hostname, port } = new URL(url);
    const sockets: Socket[] = [];
    let frozen = false;
    // A TCP relay to the server that can stop relaying (both ways) without closing, as a cut network does.
    const relay = createServer((inbound) => {
      sockets.push(inbound);
      inbound.on('error', () => undefined);
      if (frozen) return;
      const outbound = connect(Number(port), hostname, () => {
        inbound.pipe(outbound);
        outbound.pipe(inbound);
      });
      sockets.push(outbound);
      outbound.on('error', () => undefined);
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
    const relayed = new URL(url);
    relayed.host = `127.0.0.1:${(relay.address() as AddressInfo).port}`;
    // Silence limit: 300 ms of statement_timeout, then as long again.
    const store = await PostgresStateStore.open(relayed.toString(), { schema: 'cut', queryTimeoutMs: 300, connectTimeoutMs: 500 });
    try {
      await store.put('s', [entry('a')]);
      frozen = true;
      for (const socket of sockets) {
        socket.unpipe();
        socket.pause();
      }
      const started = Date.now();
      const run = startedRunRecord({ runId: 'r1', syncId: 's', syncName: 'people', destination: 'salesforce', mode: 'sync', startedAt: 1_000, source: '' });
      await expect(store.recordRunProgress(run)).rejects.toMatchObject({ code: 'state_unwritable', message: expect.stringContaining('the database sent nothing for 600 ms while a statement waited') });
      // A read is tried once more on a new connection, which the cut network does not open either.
      await expect(store.count('s')).rejects.toMatchObject({ code: 'state_unwritable', message: expect.stringContaining('connection timeout') });
      expect(Date.now() - started).toBeLessThan(6_000);
      frozen = false;
      expect(await store.count('s')).toBe(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      relay.close();
      await store.close().catch(() => undefined);
    }
  });
  it('a thread kept busy past the silence limit while the answer waits to be read is not taken for a cut network', async () => {
    // Silence limit: 300 ms of statement_timeout, then as long again. A connection that went silent is not tried again.
    const store = await PostgresStateStore.open(url, { schema: 'busy', queryTimeoutMs: 300, poolSize: 1 });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const run = startedRunRecord({ runId: 'r1', syncId: 's', syncName: 'people', destination: 'salesforce', mode: 'sync', startedAt: 1_000, source: '' });
      await store.recordRun(run);
      // The server takes 100 ms to write it.
      await admin.query('CREATE FUNCTION busy.slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.1); RETURN NEW; END $$');
      await admin.query('CREATE TRIGGER slow BEFORE UPDATE ON busy.runs FOR EACH ROW EXECUTE FUNCTION busy.slow()');
      const recording = store.recordRunProgress({ ...run, counts: { ...run.counts, created: 7 } });
      // The thread is then busy for longer than the limit while the answer arrives, in a callback run
      // after the turn's input is read (as a file's chunk is handled): the next turn runs due timers
      // before it reads that answer.
      await new Promise((r) => setTimeout(r, 30));
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          const until = Date.now() + 1_500;
          while (Date.now() < until) {
            // busy
          }
          resolve();
        }),
      );
      expect(await recording).toBe(true);
      expect(await store.getRun('r1')).toMatchObject({ counts: { created: 7 } });
    } finally {
      await admin.end();
      await store.close();
    }
  });
  it('the state index read cut mid-way (a network cut, or its session ended: 57P01) fails state_unwritable or is read again on a new connection, instead of waiting forever on the cursor', async () => {
    const { hostname, port } = new URL(url);
    const sockets: Socket[] = [];
    /** Bytes the relay still passes from the server; Infinity until armed. */
    let budget = Number.POSITIVE_INFINITY;
    const relay = createServer((inbound) => {
      sockets.push(inbound);
      inbound.on('error', () => undefined);
      const outbound = connect(Number(port), hostname);
      sockets.push(outbound);
      outbound.on('error', () => undefined);
      inbound.on('data', (chunk) => outbound.write(chunk));
      outbound.on('data', (chunk: Buffer) => {
        if (budget <= 0) return; // the rest is lost: a cut network, no reset
        budget -= chunk.length;
        inbound.write(chunk);
      });
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
    const relayed = new URL(url);
    relayed.host = `127.0.0.1:${(relay.address() as AddressInfo).port}`;
    const store = await PostgresStateStore.open(relayed.toString(), { schema: 'cut_index', queryTimeoutMs: 500, connectTimeoutMs: 500, poolSize: 1 });
    const direct = await PostgresStateStore.open(url, { schema: 'cut_index_direct' });
    try {
      const many = Array.from({ length: 30_000 }, (_, i) => entry(`r${i}`));
      // Written without the relay's 500 ms statement limit, which a loaded machine's 30,000-row write can pass (CI preview 104).
      const writer = await PostgresStateStore.open(url, { schema: 'cut_index' });
      await writer.put('s', many);
      await writer.close();
      budget = 200_000; // the first cursor read (10,000 rows) is cut part-way
      const started = Date.now();
      await expect(store.index('s')).rejects.toMatchObject({ code: 'state_unwritable' });
      expect(Date.now() - started).toBeLessThan(8_000);

      // Its session ended by the server while the cursor reads: the read runs again on a new connection.
      await direct.put('s', many);
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      let killed = 0;
      // A read may end before the poll finds it: then read again, a few times.
      for (let attempt = 0; attempt < 5 && killed === 0; attempt++) {
        const reading = direct.index('s');
        for (let i = 0; i < 200 && killed === 0; i++) {
          // Only the direct store's read: the relayed store's session, whose answer the relay dropped, may still show its own.
          const { rowCount } = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT record_id, hash%cut_index_direct%' AND pid <> pg_backend_pid()");
          killed = rowCount ?? 0;
        }
        expect((await reading).size).toBe(30_000);
      }
      await admin.end();
      expect(killed).toBe(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      relay.close();
      await store.close().catch(() => undefined);
      await direct.close();
    }
  });
});
