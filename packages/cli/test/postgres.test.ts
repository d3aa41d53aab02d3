import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmulatorClient } from '@syncmodes/connector-kit/emulator';
import { createTestDatabase } from '@syncmodes/postgres/testing';
import { createSalesforceEmulator, EMULATOR_ACCESS_TOKEN } from '@syncmodes/salesforce/emulator';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { cli, readReport, tempDir } from './cli-helpers';

// The database URL carries a password: the test server trusts loopback, so any password
// connects, and none may ever be printed, logged, reported or stored.
const PASSWORD = 'pw-must-never-show';
let url: string;
let db: pg.Client;

beforeAll(async () => {
  const plain = new URL(await createTestDatabase(inject('postgresUrl'), 'cli'));
  plain.password = PASSWORD;
  url = plain.toString();
  db = new pg.Client({ connectionString: url });
  await db.connect();
  await db.query("CREATE TABLE people (id int PRIMARY KEY, email text, last_name text)");
  await db.query("INSERT INTO people SELECT i, 'p' || i || '@example.com', 'Last ' || i FROM generate_series(1, 30) AS i");
});
afterAll(async () => {
  await db.end();
});

describe('the CLI with Postgres: state, source and run history', () => {
  let emulator: ReturnType<typeof createSalesforceEmulator>;
  let admin: EmulatorClient;
  let instanceUrl: string;
  let dir: string;
  const env = () => ({ SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN });
  const map = ['--id', 'id', '--map', 'Email=email', '--map', 'LastName=last_name'];

  beforeEach(async () => {
    emulator = createSalesforceEmulator();
    instanceUrl = await emulator.start();
    admin = new EmulatorClient(instanceUrl);
    dir = tempDir();
  });
  afterEach(async () => {
    await emulator.stop();
  });

  const noPassword = (...texts: string[]) => {
    for (const t of texts) expect(t).not.toContain(PASSWORD);
  };

  it('sync --state postgres://… keeps state in Postgres: another machine (another state dir) sees it, and no SQLite file is made', async () => {
    const csv = join(dir, 'two.csv');
    writeFileSync(csv, 'id,email,last_name\n1,a@example.com,A\n2,b@example.com,B\n');
    const run = (stateDir: string) =>
      cli(['sync', '--to', 'salesforce', '--mode', 'sync', '--from', csv, ...map, '--option', `instanceUrl=${instanceUrl}`, '--state', url, '--state-dir', stateDir, '--no-progress'], env());
    const first = await run(join(dir, 'machine-a'));
    expect(first.code).toBe(0);
    const second = await run(join(dir, 'machine-b'));
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/unchanged\s*│\s*2/);
    expect(existsSync(join(dir, 'machine-a', 'state.sqlite'))).toBe(false);
    const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM syncmodes.records");
    expect(rows[0]?.n).toBeGreaterThanOrEqual(2);
    noPassword(first.stdout, first.stderr, second.stdout, second.stderr);
  });

  it('state list and state show read the Postgres state that --state or SYNCMODES_DATABASE_URL names (second trial of stop 26: they read the SQLite folder)', async () => {
    const csv = join(dir, 'listed.csv');
    writeFileSync(csv, 'id,email,last_name\n1,a@example.com,A\n2,b@example.com,B\n');
    const synced = await cli(['sync', '--to', 'salesforce', '--mode', 'sync', '--from', csv, ...map, '--sync-name', 'pg-listed', '--option', `instanceUrl=${instanceUrl}`, '--state', url, '--state-dir', dir, '--no-progress'], env());
    expect(synced.code).toBe(0);
    const empty = join(dir, 'no-sqlite-here');
    const byFlag = await cli(['state', 'list', '--state', url, '--state-dir', empty, '--json']);
    expect(byFlag.code, byFlag.stderr).toBe(0);
    expect((JSON.parse(byFlag.stdout) as { name?: string }[]).map((s) => s.name)).toContain('pg-listed');
    const byEnv = await cli(['state', 'show', 'pg-listed', '--state-dir', empty, '--json'], { SYNCMODES_DATABASE_URL: url });
    expect(byEnv.code, byEnv.stderr).toBe(0);
    expect(JSON.parse(byEnv.stdout)).toMatchObject({ name: 'pg-listed', destination: 'salesforce', records: 2 });
    expect(existsSync(empty)).toBe(false);
    noPassword(byFlag.stdout, byFlag.stderr, byEnv.stdout, byEnv.stderr);
  });

  it('--from postgres://… --table streams the table; SYNCMODES_DATABASE_URL holds the state; runs and runs show tell what happened, without the password', async () => {
    const report = join(dir, 'report.json');
    const sync = (extra: string[] = []) =>
      cli(
        ['sync', '--to', 'salesforce', '--mode', 'sync', '--from', url, '--table', 'people', ...map, '--option', `instanceUrl=${instanceUrl}`, '--state-dir', dir, '--no-progress', '--report', report, ...extra],
        { ...env(), SYNCMODES_DATABASE_URL: url },
      );
    const first = await sync(['--log-level', 'debug']);
    expect(first.code).toBe(0);
    expect(readReport(report).counts).toMatchObject({ created: 30 });
    expect((await admin.records<{ Contact: unknown[] }>()).Contact).toHaveLength(30);
    await db.query("UPDATE people SET email = NULL WHERE id = 7");
    const second = await sync();
    expect(second.code).toBe(1);
    const r2 = readReport(report);
    expect(r2.source).toContain(':[redacted]@');
    noPassword(first.stdout, first.stderr, second.stdout, second.stderr, readFileSync(report, 'utf8'));

    const listed = await cli(['runs', '--sync', 'people', '--state', url]);
    expect(listed.code).toBe(0);
    expect(listed.stdout.match(/people/g)?.length).toBe(2);
    const json = await cli(['runs', '--json', '--sync', 'people'], { SYNCMODES_DATABASE_URL: url });
    const runs = JSON.parse(json.stdout) as { runId: string; status: string; counts: { created: number; failed: number } }[];
    expect(runs.map((r) => r.counts)).toMatchObject([{ failed: 1 }, { created: 30 }]);
    const html = join(dir, 'run.html');
    const shown = await cli(['runs', 'show', runs[0]?.runId as string, '--state', url, '--report', html]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('missing_match_key');
    expect(readFileSync(html, 'utf8')).toContain('missing_match_key');
    noPassword(listed.stdout, json.stdout, shown.stdout, readFileSync(html, 'utf8'));
    const stored = await db.query("SELECT listing::text AS l FROM syncmodes.runs UNION ALL SELECT identity::text FROM syncmodes.syncs");
    noPassword(...stored.rows.map((r: { l: string }) => r.l));
    await db.query("UPDATE people SET email = 'p7@example.com' WHERE id = 7");
  });

  it('runs also keeps history with SQLite state, and --keep-runs bounds it', async () => {
    const csv = join(dir, 'people.csv');
    writeFileSync(csv, 'id,email,last_name\n1,a@example.com,A\n');
    for (let i = 0; i < 3; i++) {
      const run = await cli(['sync', '--to', 'salesforce', '--from', csv, ...map, '--option', `instanceUrl=${instanceUrl}`, '--state-dir', dir, '--no-progress', '--keep-runs', '2'], env());
      expect(run.code).toBe(0);
    }
    const listed = await cli(['runs', '--state-dir', dir, '--json']);
    expect((JSON.parse(listed.stdout) as unknown[]).length).toBe(2);
    const missing = await cli(['runs', 'show', 'nope', '--state-dir', dir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('run_not_found');
  });

  it('a Postgres source needs exactly one of --query and --table, and --query needs --sync-name', async () => {
    const base = ['sync', '--to', 'salesforce', '--from', url, ...map, '--option', `instanceUrl=${instanceUrl}`, '--state-dir', dir];
    const neither = await cli(base, env());
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('exactly one of --query');
    const unnamed = await cli([...base, '--query', 'select * from people'], env());
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toContain('sync_name_required');
    noPassword(neither.stderr, unnamed.stderr);
  });
});
