import { MemoryStateStore, runSync, type RecordSource, type SourceItem } from '@syncmodes/connector-kit';
import { destination } from '@syncmodes/salesforce';
import { createSalesforceEmulator, EMULATOR_ACCESS_TOKEN } from '@syncmodes/salesforce/emulator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { postgresSource } from '../src/index';
import { createTestDatabase } from '../src/testing/index';

const ROWS = 3_000;
let url: string;
let admin: pg.Client;

beforeAll(async () => {
  url = await createTestDatabase(inject('postgresUrl'), 'source');
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE TABLE customers (id bigint PRIMARY KEY, email text, last_name text, vip boolean, signed_up timestamptz, score numeric, tags text[])`);
  await admin.query(
    `INSERT INTO customers SELECT i, 'c' || i || '@example.com', 'Name ' || i, i % 2 = 0, '2026-01-02T03:04:05Z'::timestamptz, 9007199254740993 + i, ARRAY['a'] FROM generate_series(1, $1) AS i`,
    [ROWS],
  );
});
afterAll(async () => {
  await admin.end();
});

const mapping = { idColumn: 'id', fields: { Email: 'email', LastName: 'last_name' } };

async function read(source: RecordSource): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const item of source.open()) out.push(item);
  return out;
}

/** Terminates the source's backend (pg_terminate_backend) once `after` items of read number `pass` (1, 2) were read, then keeps reading. */
function killedAfter(source: RecordSource, pass: number, after: number, armed: { on: boolean }): RecordSource {
  let opened = 0;
  return {
    name: source.name,
    async *open() {
      opened++;
      let n = 0;
      for await (const item of source.open()) {
        yield item;
        if (++n === after && opened === pass && armed.on) {
          armed.on = false;
          const { rows } = await admin.query("SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = 'syncmodes-source' AND datname = current_database()");
          expect(rows).toEqual([{ killed: true }]);
        }
      }
    },
  };
}

describe('the Postgres source', () => {
  it('streams a table in id order, rows mapped like CSV rows: text values, every digit of big numbers, ISO instants, true/false', async () => {
    const items = await read(
      postgresSource({ url, table: 'customers', mapping: { idColumn: 'id', fields: { Email: 'email', Vip: 'vip', SignedUp: 'signed_up', Score: 'score' } }, batchSize: 500 }),
    );
    expect(items).toHaveLength(ROWS);
    expect(items[0]).toEqual({
      kind: 'record',
      id: '1',
      row: 1,
      snapshot: { properties: { Email: 'c1@example.com', Vip: 'false', SignedUp: '2026-01-02T03:04:05.000Z', Score: '9007199254740994' }, groups: [] },
    });
    expect(items[ROWS - 1]).toMatchObject({ id: String(ROWS), row: ROWS });
  });

  it('a query gives its columns to the mapping; an array column fails its rows alone (unsupported_value); a missing column is named', async () => {
    const items = await read(postgresSource({ url, query: 'select id, email, tags from customers where id <= 3 order by id', mapping: { idColumn: 'id', fields: { Email: 'email', Tags: 'tags' } } }));
    expect(items.map((i) => (i.kind === 'error' ? i.error.code : 'record'))).toEqual(['unsupported_value', 'unsupported_value', 'unsupported_value']);
    await expect(read(postgresSource({ url, query: 'select id from customers', mapping }))).rejects.toMatchObject({ code: 'unknown_column' });
  });

  it('a query that cannot run fails with source_query_failed, naming the database without its password', async () => {
    const withPassword = new URL(url);
    withPassword.password = 'pw-never-shown';
    const error = await read(postgresSource({ url: withPassword.toString(), query: 'select * from no_such_table', mapping })).then(
      () => undefined,
      (e: unknown) => e as Error & { code: string },
    );
    expect(error).toMatchObject({ code: 'source_query_failed', retryable: false });
    expect(error?.message).toContain(':[redacted]@');
    expect(error?.message).not.toContain('pw-never-shown');
    expect(postgresSource({ url: withPassword.toString(), table: 'customers', mapping }).name).not.toContain('pw-never-shown');
  });

  it('never holds the whole result: rows arrive batch by batch while the query is still open', async () => {
    const source = postgresSource({ url, table: 'customers', mapping, batchSize: 100 });
    let n = 0;
    for await (const _ of source.open()) {
      if (++n === 150) {
        // The cursor's portal is suspended on the server, still running its statement: the rest has not been fetched.
        const { rows } = await admin.query("SELECT state, query FROM pg_stat_activity WHERE application_name = 'syncmodes-source'");
        expect(rows).toEqual([{ state: 'active', query: 'SELECT * FROM "customers" ORDER BY "id"' }]);
      }
    }
    expect(n).toBe(ROWS);
  });
});

describe('a Postgres source that fails halfway stops the run before any delete (sync mode into the Salesforce emulator)', () => {
  for (const pass of ['the scan (first pass)', 'the send (second pass)'] as const) {
    it(`backend terminated during ${pass}: the run fails with source_interrupted, nothing deleted, state kept`, async () => {
      const emulator = createSalesforceEmulator();
      const instanceUrl = await emulator.start();
      const state = new MemoryStateStore();
      const config = { instanceUrl, accessToken: EMULATOR_ACCESS_TOKEN, object: 'Contact' };
      const source = postgresSource({ url, query: 'select id, email, last_name from customers where id <= 400 order by id', mapping, batchSize: 50 });
      try {
        const first = await runSync({ destination, config, mode: 'sync', source, state, sourceKey: 'id' });
        expect(first.counts.created).toBe(400);
        // The next run's source is smaller (a delete would follow) and its read is cut halfway.
        const smaller = postgresSource({ url, query: 'select id, email, last_name from customers where id <= 350 order by id', mapping, batchSize: 50 });
        const armed = { on: true };
        // The read is cut halfway through the first pass, or halfway through the second.
        const cut = killedAfter(smaller, pass === 'the scan (first pass)' ? 1 : 2, 175, armed);
        let position = 0;
        const counting: RecordSource = {
          name: cut.name,
          async *open() {
            for await (const item of cut.open()) {
              position++;
              yield item;
            }
          },
        };
        emulator.clearRequests();
        await expect(runSync({ destination, config, mode: 'sync', source: counting, state, sourceKey: 'id', windowSize: 100 })).rejects.toMatchObject({
          code: 'source_interrupted',
          retryable: true,
        });
        expect(armed.on).toBe(false);
        expect(position).toBeLessThan(pass === 'the scan (first pass)' ? 350 : 700);
        expect(emulator.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
        expect(emulator.org.all('Contact')).toHaveLength(400);
        expect(await state.count(first.syncId, 'owned')).toBe(400);
      } finally {
        await state.close();
        await emulator.stop();
      }
    });
  }
});
