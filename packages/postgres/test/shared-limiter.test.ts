import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { MemoryStateStore, runSync } from '@syncmodes/connector-kit';
import { memorySource } from '@syncmodes/connector-kit/testing';
import { destination } from '@syncmodes/salesforce';
import { createSalesforceEmulator, EMULATOR_ACCESS_TOKEN } from '@syncmodes/salesforce/emulator';
import { accountKeyOf, PostgresSharedLimiter, sharedBudget } from '../src/index';
import { createTestDatabase } from '../src/testing/index';

describe('sharedBudget: sub-windows of one grid that never grant more than 97% of any vendor window', () => {
  it.each([
    [100, 10_000, 0.93],
    [1_667, 10_000, 0.94],
    [200, 10_000, 0.93],
    [40, 1_000, 0.9],
    [12, 1_000, 0.75],
    [5, 1_000, 0.6],
  ])('%i calls per %i ms: at most 97%% in any window, at least %f sustained', (requests, intervalMs, sustained) => {
    const b = sharedBudget({ requests, intervalMs });
    // A vendor window of intervalMs touches at most ceil(intervalMs / durationMs) + 1 sub-windows of the grid.
    const touched = Math.ceil(intervalMs / b.durationMs) + 1;
    expect(touched * b.points).toBeLessThanOrEqual(Math.floor(0.97 * requests));
    expect(b.worstCase).toBe(touched * b.points);
    expect(b.sustained).toBeGreaterThanOrEqual(sustained);
  });
});

describe('accountKeyOf: the account every sync into it shares', () => {
  it('names the org, workspace, ad account or app; other identity options do not split it', () => {
    expect(accountKeyOf('salesforce', { instanceUrl: 'https://acme.my.salesforce.com/', object: 'Lead', matchField: 'Email' })).toBe('salesforce:https://acme.my.salesforce.com');
    expect(accountKeyOf('salesforce', { instanceUrl: 'https://acme.my.salesforce.com', object: 'Contact' })).toBe('salesforce:https://acme.my.salesforce.com');
    expect(accountKeyOf('intercom', { baseUrl: 'https://api.eu.intercom.io', workspace: 'support', matchBy: 'email' })).toBe('intercom:https://api.eu.intercom.io|support');
    expect(accountKeyOf('facebook', { adAccountId: 'act_1' })).toBe('facebook:act_1');
    expect(accountKeyOf('onesignal', { appId: 'app-1' })).toBe('onesignal:app-1');
    expect(accountKeyOf('plugin', { b: 2, a: 1 })).toBe('plugin:1|2');
  });
});

describe('PostgresSharedLimiter: one budget for every process on an account (Node 20 here, Node 22 in the worker tests)', () => {
  let url: string;
  const pools: pg.Pool[] = [];
  const pool = () => {
    const p = new pg.Pool({ connectionString: url, max: 3 });
    pools.push(p);
    return p;
  };
  beforeAll(async () => {
    url = await createTestDatabase(inject('postgresUrl'), 'limiter');
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
  });

  it('three limiters on one account (each with its own connections) never grant more than the budget of the sub-windows that passed, and use most of it', async () => {
    // 100 calls per 10 s: 3 calls per sub-window of 323 ms. With 40 per second (2 per 56 ms), a timer firing late on a
    // loaded machine lost a good part of a sub-window, and the share fell to 0.82 at load 11-19 (CI preview 144).
    const limit = { requests: 100, intervalMs: 10_000 };
    const limiters = await Promise.all([1, 2, 3].map(() => PostgresSharedLimiter.create({ pool: pool(), accountKey: 'tiny:acct-1', rateLimit: limit })));
    const budget = limiters[0]?.budget as NonNullable<(typeof limiters)[0]['budget']>;
    let granted = 0;
    const began = Date.now();
    await Promise.all(
      limiters.map(async (l) => {
        while (Date.now() - began < 3_000) {
          await l.acquire(1);
          granted++;
        }
      }),
    );
    const ended = Date.now();
    // Every grant happened in a sub-window of the grid between the start and the end (the database is local: one clock).
    const cells = Math.floor(ended / budget.durationMs) - Math.floor(began / budget.durationMs) + 1;
    console.log(`shared limiter: ${granted} grants in ${ended - began} ms by 3 limiters, ${budget.points} per ${budget.durationMs} ms sub-window (${cells} sub-windows)`);
    expect(granted).toBeLessThanOrEqual(cells * budget.points);
    expect(granted / (cells * budget.points)).toBeGreaterThanOrEqual(0.85);
  });

  it('a call that reads the grid just before its sub-window ends and reaches the database after it still counts against that sub-window', async () => {
    // 12 calls per second: one call per 100 ms sub-window.
    const limit = { requests: 12, intervalMs: 1_000 };
    // The moment is set with timers: on a loaded machine a timer fires late and the late process no longer reads the
    // spent sub-window (CI preview 144, at load 11-19). Such an attempt proves nothing either way; another one is made.
    for (let attempt = 0; attempt < 8; attempt++) {
      const key = `tiny:acct-5-${attempt}`;
      const onTime = await PostgresSharedLimiter.create({ pool: pool(), accountKey: key, rateLimit: limit });
      const d = (onTime.budget as NonNullable<typeof onTime.budget>).durationMs;
      expect(onTime.budget?.points).toBe(1);
      // The late process reads a clock 1.5 sub-windows behind: its calls arrive as if delayed that long on their way.
      const lag = 1.5 * d;
      const late = await PostgresSharedLimiter.create({ pool: pool(), accountKey: key, rateLimit: limit, now: () => Date.now() - lag });
      await new Promise((r) => setTimeout(r, d - (Date.now() % d) + 5));
      const cell = Math.floor(Date.now() / d);
      await onTime.acquire(1); // the sub-window's one call, at its start
      if (Math.floor(Date.now() / d) !== cell) continue;
      await new Promise((r) => setTimeout(r, Math.max(0, (cell + 1) * d + lag / 2 - Date.now())));
      // The late process reads this same sub-window: it is spent, so it waits for the next one.
      if (Math.floor((Date.now() - lag) / d) !== cell) continue;
      await late.acquire(1);
      expect(Math.floor((Date.now() - lag) / d)).toBeGreaterThan(cell);
      return;
    }
    throw new Error('in 8 attempts, no timer fired within the sub-window it was set for: the machine is too loaded to set up this case');
  });

  it('a hold (429 with Retry-After) seen by one process holds the others on the account, not other accounts', async () => {
    const a = await PostgresSharedLimiter.create({ pool: pool(), accountKey: 'tiny:acct-2', holdCheckMs: 50 });
    const b = await PostgresSharedLimiter.create({ pool: pool(), accountKey: 'tiny:acct-2', holdCheckMs: 50 });
    const other = await PostgresSharedLimiter.create({ pool: pool(), accountKey: 'tiny:acct-3', holdCheckMs: 50 });
    await b.acquire(1);
    a.hold(700);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await other.acquire(1);
    expect(Date.now() - t0).toBeLessThan(200);
    await b.acquire(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
  });

  // Fresh helper 107, M4: a run stopped by a Retry-After longer than it may wait held no other process (quota_holds stayed
  // empty), and the worker's retries called the vendor again within seconds, each refused, until the run was dead-lettered.
  it('a run that stops on a Retry-After longer than it may wait holds the account for that long: another run on it sends nothing meanwhile', async () => {
    const emulator = createSalesforceEmulator();
    const instanceUrl = await emulator.start();
    try {
      emulator.setFaults([{ kind: 'retry_after', path: '/composite/sobjects', retryAfterSec: 900 }]);
      const config = { instanceUrl, accessToken: EMULATOR_ACCESS_TOKEN, object: 'Contact' };
      const rows = [{ id: 'r1', snapshot: { properties: { Email: 'held@example.com', LastName: 'Held' }, groups: [] } }];
      const run = async (signal?: AbortSignal) => {
        const sharedLimiter = await PostgresSharedLimiter.create({ pool: pool(), accountKey: 'salesforce:held', holdCheckMs: 50, signal });
        return runSync({ destination, config, mode: 'additive', source: memorySource(rows), state: new MemoryStateStore(), sharedLimiter, maxRateLimitWaitMs: 1_000, signal });
      };
      const first = await run();
      expect(first.status).toBe('stopped');
      expect(first.reason?.code).toBe('rate_limited');
      const heldFor = async () => Number((await pool().query<{ wait: string }>(`SELECT held_until - (extract(epoch from clock_timestamp()) * 1000)::bigint AS wait FROM syncmodes.quota_holds WHERE account_key = 'salesforce:held'`)).rows[0]?.wait);
      expect(await heldFor()).toBeGreaterThan(890_000);
      // A Retry-After of 40 days (a proxy's bad header, a unit misread) holds the account for an hour at most (fresh reviewer 110, F4).
      await pool().query(`DELETE FROM syncmodes.quota_holds WHERE account_key = 'salesforce:held'`);
      emulator.setFaults([{ kind: 'retry_after', path: '/composite/sobjects', retryAfterSec: 40 * 86_400 }]);
      expect((await run()).reason?.code).toBe('rate_limited');
      const capped = await heldFor();
      expect(capped).toBeGreaterThan(3_590_000);
      expect(capped).toBeLessThanOrEqual(3_600_000);
      // A longer hold already in the table (written before the cap, or by a process without it) is read as an hour at most
      // (fresh reviewer 111, F5): a new limiter waits that long, not 40 days.
      await pool().query(`UPDATE syncmodes.quota_holds SET held_until = held_until + 40 * 86400000::bigint WHERE account_key = 'salesforce:held'`);
      const reader = await PostgresSharedLimiter.create({ pool: pool(), accountKey: 'salesforce:held', holdCheckMs: 0 });
      expect(await (reader as unknown as { heldFor(): Promise<number> }).heldFor()).toBeLessThanOrEqual(3_600_000);

      // The next run (the worker's retry, or another sync on the account) waits for the hold: no call reaches Salesforce.
      emulator.setFaults([]);
      emulator.clearRequests();
      const stop = new AbortController();
      const second = run(stop.signal);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(emulator.requests.filter((e) => e.path.includes('/composite/') || e.path.endsWith('/query'))).toEqual([]);
      stop.abort();
      await second.catch(() => undefined);
    } finally {
      await emulator.stop();
    }
  });

  // A Postgres restart or failover ends every session (57P01: https://www.postgresql.org/docs/15/errcodes-appendix.html);
  // node-postgres then emits 'error' on a checked-out client, which ends the process when nothing listens
  // (https://node-postgres.com/apis/pool#error). Seen once in a full run: the worker's database-connections-cut test.
  it('the server ends its session while it creates its tables: create fails with that error (state_unwritable, retryable), and no error of that connection goes unheard', async () => {
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    // Another session watches and ends create's: inside a transaction, pg_stat_activity is read once.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const unheard: unknown[] = [];
    const listen = (error: unknown) => unheard.push(error);
    process.on('uncaughtException', listen);
    try {
      // Holding the tables' advisory lock keeps create waiting inside its transaction.
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['syncmodes-limits:syncmodes']);
      const creating = PostgresSharedLimiter.create({ pool: pool(), accountKey: 'tiny:cut', rateLimit: undefined });
      const waiting = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'";
      for (let i = 0; (await admin.query(waiting)).rowCount === 0; i++) {
        if (i > 200) throw new Error('create never waited on the lock');
        await new Promise((r) => setTimeout(r, 25));
      }
      await admin.query(`SELECT pg_terminate_backend(pid) FROM (${waiting}) AS w`);
      await expect(creating).rejects.toThrow(/terminating connection due to administrator command/);
      // Typed and retryable, as a state write's: a worker's run that met it was dead-lettered as unexpected_error.
      await expect(creating).rejects.toMatchObject({ code: 'state_unwritable', retryable: true });
      // The socket's end comes after the statement's error.
      await new Promise((r) => setTimeout(r, 300));
      expect(unheard).toEqual([]);
    } finally {
      process.off('uncaughtException', listen);
      await holder.query('ROLLBACK');
      await holder.end();
      await admin.end();
    }
  });

  it('a stopping run is never kept waiting: acquire returns once its signal aborts', async () => {
    const controller = new AbortController();
    const l = await PostgresSharedLimiter.create({ pool: pool(), accountKey: 'tiny:acct-4', holdCheckMs: 10, signal: controller.signal });
    l.hold(60_000);
    const t0 = Date.now();
    setTimeout(() => controller.abort(), 100);
    await l.acquire(1);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });
});
