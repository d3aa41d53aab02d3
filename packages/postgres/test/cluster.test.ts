import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '../src/testing/index';

describe('the throwaway Postgres server of the tests', () => {
  it('listens on loopback, trusts the superuser, and gives each test file its own database', async () => {
    const url = await createTestDatabase(inject('postgresUrl'), 'cluster');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ db: string; addr: string; fsync: string }>(
        "SELECT current_database() AS db, inet_server_addr()::text AS addr, current_setting('fsync') AS fsync",
      );
      expect(rows[0]).toEqual({ db: new URL(url).pathname.slice(1), addr: '127.0.0.1/32', fsync: 'off' });
      expect(new URL(url).hostname).toBe('127.0.0.1');
    } finally {
      await client.end();
    }
  });
});
