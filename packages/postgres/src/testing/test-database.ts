import { randomUUID } from 'node:crypto';
import pg from 'pg';

/**
 * Creates a fresh database on a test cluster (given its superuser URL, e.g.
 * {@link PostgresCluster.url} passed to test files by a vitest `globalSetup`), named
 * `<prefix>_<random>` so test files never share one. Returns its URL.
 */
export async function createTestDatabase(clusterUrl: string, prefix = 'test'): Promise<string> {
  const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomUUID().slice(0, 8)}`;
  const client = new pg.Client({ connectionString: clusterUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
