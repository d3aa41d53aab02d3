import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase } from '@syncmodes/postgres/testing';
import { createSalesforceEmulator, EMULATOR_ACCESS_TOKEN } from '@syncmodes/salesforce/emulator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { node22Path } from '../../../tools/scripts/node22.mjs';
import { nodeArgsFor } from '../../../tools/test/prebuilt';
import { isWorkerNode, loadWorker } from '../src/worker/load-worker';
import { cli, tempDir } from './cli-helpers';

const ENTRY = new URL('./fixtures/syncmodes-from-source.ts', import.meta.url).pathname;

/** Runs the CLI from source (the test run's bundle of it, else under tsx) in its own Node 22 process; resolves with its exit code and output. */
function cli22(args: string[], env: Record<string, string>, options: { untilStderr?: RegExp | undefined; thenSignal?: NodeJS.Signals } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(node22Path(), [...nodeArgsFor(ENTRY), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => {
      stderr += String(d);
      if (options.untilStderr?.test(stderr) && options.thenSignal) {
        options.untilStderr = undefined;
        child.kill(options.thenSignal);
      }
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('worker, schedule and enqueue need Node 22.12 (pg-boss 12)', () => {
  it('on an older Node they are refused with node_too_old, naming the version needed and the one running', async () => {
    expect(isWorkerNode('20.20.2')).toBe(false);
    expect(isWorkerNode('22.11.0')).toBe(false);
    expect(isWorkerNode('22.12.0')).toBe(true);
    expect(isWorkerNode('24.1.0')).toBe(true);
    await expect(loadWorker('worker', '20.20.2')).rejects.toMatchObject({ code: 'node_too_old', message: expect.stringContaining('needs Node 22.12 or later') });
  });

  // Fresh helper 107, minor 7: `enqueue` with neither said "Give a stored sync's name or --config <file>, not both."
  it('enqueue with neither a name nor --config, or with both: a usage error saying which (on any Node)', async () => {
    const neither = await cli(['enqueue'], {});
    expect([neither.code, neither.stderr.trim()]).toEqual([2, "error (invalid_arguments): Give a stored sync's name (see `syncmodes schedule list`) or --config <file>."]);
    const both = await cli(['enqueue', 'people', '--config', 'people.yaml'], {});
    expect([both.code, both.stderr.trim()]).toEqual([2, "error (invalid_arguments): Give a stored sync's name or --config <file>, not both."]);
  });

  it.each([['worker'], ['schedule', 'list'], ['enqueue', 'people']])('syncmodes %s … on this Node (%s)', async (...args) => {
    const result = await cli([...args, '--state', 'postgres://127.0.0.1:1/x'], {});
    // These tests run on the workspace's Node 20; on Node 22 the command gets as far as the (unreachable) database.
    expect(result.code).toBe(isWorkerNode() ? 3 : 2);
    if (isWorkerNode()) expect(result.stderr).not.toContain('node_too_old');
    else expect(result.stderr).toContain(`error (node_too_old): syncmodes ${args[0]}${args[1] && args[0] === 'schedule' ? ` ${args[1]}` : ''} needs Node 22.12 or later (its queue, pg-boss 12, requires it); this is Node ${process.versions.node}.`);
  });
});

describe('syncmodes schedule / enqueue / worker / runs under Node 22, against Postgres and the Salesforce emulator', () => {
  let url: string;
  let emulator: ReturnType<typeof createSalesforceEmulator>;
  let instanceUrl: string;
  let db: pg.Client;
  const dir = tempDir();
  const env = () => ({ SYNCMODES_DATABASE_URL: url, SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN, NX_TUI: 'false' });

  beforeAll(async () => {
    url = await createTestDatabase(inject('postgresUrl'), 'cli_worker');
    emulator = createSalesforceEmulator();
    instanceUrl = await emulator.start();
    db = new pg.Client({ connectionString: url });
    await db.connect();
    writeFileSync(join(dir, 'people.csv'), 'id,email,last_name\n1,a@example.com,A\n2,b@example.com,B\n3,c@example.com,C\n');
    writeFileSync(
      join(dir, 'people.yaml'),
      `to: salesforce\nmode: sync\nfrom: people.csv\nid: id\nmap:\n  Email: email\n  LastName: last_name\noptions:\n  instanceUrl: ${instanceUrl}\n`,
    );
  });
  afterAll(async () => {
    await db?.end();
    await emulator?.stop();
  });

  it('a stored sync runs on a worker when enqueued; runs shows it; SIGTERM stops the worker cleanly; no secret is stored or printed', { timeout: 240_000 }, async () => {
    const added = await cli22(['schedule', 'add', 'people', '--config', join(dir, 'people.yaml'), '--cron', '0 0 1 1 *'], env());
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('Scheduled people (salesforce');
    const listed = await cli22(['schedule', 'list', '--json'], env());
    const newYear = Date.UTC(new Date().getUTCFullYear() + 1, 0, 1);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ name: 'people', destination: 'salesforce', cron: '0 0 1 1 *', paused: false, nextRunAt: newYear }]);
    // The next run's time (fresh helper 107, minor 8).
    expect((await cli22(['schedule', 'list'], env())).stdout).toMatch(new RegExp(`people .*cron 0 0 1 1 \\* .*active .*${new Date(newYear).toISOString().slice(0, 10)} 00:00 UTC`));
    const queued = await cli22(['enqueue', 'people'], env());
    expect(queued.stdout).toMatch(/people: queued \(job [0-9a-f-]+\)/);

    const worker = await cli22(['worker', '--heartbeat', '10', '--log-level', 'info'], env(), { untilStderr: /"run ended"/, thenSignal: 'SIGTERM' });
    expect(worker.code).toBe(0);
    expect(worker.stderr).toContain('taking runs of salesforce');
    expect(emulator.org.all('Contact')).toHaveLength(3);

    const runs = await cli22(['runs', '--sync', 'people', '--json'], env());
    expect(JSON.parse(runs.stdout)).toMatchObject([{ syncName: 'people', status: 'completed', counts: { created: 3 } }]);

    const inline = await cli22(['enqueue', '--config', join(dir, 'people.yaml')], env());
    expect(inline.stdout).toContain('people: queued');

    const stored = await db.query<{ t: string }>("SELECT job::text AS t FROM syncmodes.sync_definitions UNION ALL SELECT data::text FROM pgboss.job UNION ALL SELECT listing::text FROM syncmodes.runs");
    for (const text of [...stored.rows.map((r) => r.t), added.stdout, listed.stdout, worker.stderr, runs.stdout]) expect(text).not.toContain(EMULATOR_ACCESS_TOKEN);
  });

  it('refuses a sync whose source URL holds a password, and names what to do', async () => {
    writeFileSync(join(dir, 'pg.yaml'), `to: salesforce\nfrom: postgres://reader:hunter2@db.example.com/crm\ntable: people\nid: id\nmap:\n  Email: email\noptions:\n  instanceUrl: ${instanceUrl}\n`);
    const refused = await cli22(['schedule', 'add', 'pg', '--config', join(dir, 'pg.yaml'), '--every', '1h'], env());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('error (secret_in_definition)');
    expect(refused.stderr).toContain('PGPASSWORD');
    expect(refused.stderr).not.toContain('hunter2');
  });

  // Fresh helper 71, finding 3: stored syncs and queued runs are in the database; a secret there is in every backup and replica.
  it('refuses a password in the source URL\'s query, and a secret under options, for schedule add and enqueue --config: nothing stored', async () => {
    writeFileSync(join(dir, 'pgq.yaml'), `to: salesforce\nfrom: postgres://reader@db.example.com/crm?password=QuerySecret_123\ntable: people\nid: id\nmap:\n  Email: email\noptions:\n  instanceUrl: ${instanceUrl}\n`);
    writeFileSync(join(dir, 'tok.yaml'), `to: salesforce\nfrom: people.csv\nid: id\nmap:\n  Email: email\noptions:\n  instanceUrl: ${instanceUrl}\n  accessToken: TokInYaml_999\n`);
    // Fresh helper 73, finding 3: a socket URL (empty host) and a repeated password key hid the password.
    writeFileSync(join(dir, 'sock.yaml'), `to: salesforce\nfrom: "postgres://reader:SockSecret_7@/crm?host=/tmp/pg"\ntable: people\nid: id\nmap:\n  Email: email\noptions:\n  instanceUrl: ${instanceUrl}\n`);
    writeFileSync(join(dir, 'twice.yaml'), `to: salesforce\nfrom: "postgres://reader@db.example.com/crm?password=&password=TwiceSecret_8"\ntable: people\nid: id\nmap:\n  Email: email\noptions:\n  instanceUrl: ${instanceUrl}\n`);
    const cases = [
      ['pgq.yaml', 'secret_in_definition', 'QuerySecret_123'],
      ['sock.yaml', 'secret_in_definition', 'SockSecret_7'],
      ['twice.yaml', 'secret_in_definition', 'TwiceSecret_8'],
      ['tok.yaml', 'secret_in_options', 'TokInYaml_999'],
    ] as const;
    for (const [file, code, secret] of cases) {
      for (const args of [['schedule', 'add', 'leaky', '--config', join(dir, file), '--every', '1h'], ['enqueue', '--config', join(dir, file)]]) {
        const refused = await cli22(args, env());
        expect(refused.code, `${args.join(' ')}: ${refused.stderr}`).toBe(2);
        expect(refused.stderr).toContain(`error (${code})`);
        expect(refused.stderr).not.toContain(secret);
      }
      // The tables exist once anything was stored or queued (not when this test runs alone: then nothing was).
      for (const [table, column] of [['syncmodes.sync_definitions', 'job'], ['pgboss.job', 'data']]) {
        const exists = await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table]);
        if (exists.rows[0]?.t === null) continue;
        const stored = await db.query<{ t: string }>(`SELECT ${column}::text AS t FROM ${table}`);
        for (const row of stored.rows) expect(row.t).not.toContain(secret);
      }
    }
  });

  it('a worker whose environment lacks every destination\'s secret refuses to start, naming the variables; the queued run waits for a worker that has them (fresh helper 107, M5: it took the run and dead-lettered it)', { timeout: 240_000 }, async () => {
    const added = await cli22(['schedule', 'add', 'nosecret', '--config', join(dir, 'people.yaml'), '--cron', '0 0 1 1 *'], env());
    expect(added.code, added.stderr).toBe(0);
    expect((await cli22(['enqueue', 'nosecret'], env())).code).toBe(0);
    const { SALESFORCE_ACCESS_TOKEN: _token, ...withoutToken } = env();
    const worker = await cli22(['worker', '--heartbeat', '10', '--log-level', 'info'], withoutToken);
    expect(worker.code).toBe(2);
    expect(worker.stderr).toContain('missing_secret');
    expect(worker.stderr).toContain('salesforce needs SALESFORCE_ACCESS_TOKEN');
    const named = await cli22(['worker', '--destinations', 'salesforce'], withoutToken);
    expect([named.code, named.stderr]).toEqual([2, expect.stringContaining('This worker could take no run of salesforce')]);
    const runs = await cli22(['runs', '--sync', 'nosecret', '--json'], env());
    expect(JSON.parse(runs.stdout)).toEqual([]);
    expect((await cli22(['schedule', 'remove', 'nosecret'], env())).code).toBe(0);
  });

  it('a worker changes the queue settings only where given, and says so: one started with the defaults leaves the fleet\'s --heartbeat 10 (fresh helper 107, M2)', { timeout: 240_000 }, async () => {
    const settings = async () => (await db.query<{ h: number; r: number; e: number }>(`SELECT heartbeat_seconds AS h, retry_limit AS r, expire_seconds AS e FROM pgboss.queue WHERE name = 'sync-run.salesforce'`)).rows[0];
    const start = (args: string[]) => cli22(['worker', ...args, '--log-level', 'info'], env(), { untilStderr: /taking runs of salesforce/, thenSignal: 'SIGTERM' });
    // The settings are applied before the worker says it is taking runs (when it is stopped).
    await start(['--heartbeat', '10']);
    const fleet = await settings();
    expect(fleet?.h).toBe(10);
    const defaults = await start([]);
    expect(defaults.stderr).toContain('taking runs of salesforce');
    expect(defaults.stderr).not.toContain('queue settings changed');
    expect(await settings()).toEqual(fleet);
    const retries = await start(['--retry-limit', '2', '--heartbeat', '10']);
    expect(retries.stderr).toMatch(/"queue":"sync-run.salesforce","changed":\{"retryLimit":\{"from":\d+,"to":2\}\},"msg":"queue settings changed for every worker"/);
    expect(await settings()).toEqual({ ...fleet, r: 2 });
    const zero = await cli22(['worker', '--retry-limit', '0'], env());
    expect([zero.code, zero.stderr]).toEqual([2, expect.stringContaining('expects a whole number ≥ 1')]);
    const empty = await cli22(['worker', '--destinations', ''], env());
    expect([empty.code, empty.stderr]).toEqual([2, expect.stringContaining('--destinations names no destination')]);
    const typo = await cli22(['worker', '--account-concurrency', 'salesforc=3'], env());
    expect([typo.code, typo.stderr]).toEqual([2, expect.stringContaining('--account-concurrency names unknown destination(s) salesforc')]);
  });

  it('while a run is running, runs and schedule list show its counts so far (its worker records them at each window end, at most every 5 s)', { timeout: 240_000 }, async () => {
    const rows = 1_005;
    writeFileSync(join(dir, 'many.csv'), `id,email,last_name\n${Array.from({ length: rows }, (_, i) => `m${i},many${i}@example.com,M${i}`).join('\n')}\n`);
    // Bulk API jobs of 201 records: five windows, each one's results out when it ends; one call at a time, each 400 ms.
    const options = `  instanceUrl: ${instanceUrl}\n  concurrency: 1\n  bulkThreshold: 1\n  bulkJobSize: 201\n  bulkPollIntervalMs: 100\n`;
    writeFileSync(join(dir, 'many.yaml'), `to: salesforce\nmode: additive\nfrom: many.csv\nid: id\nmap:\n  Email: email\n  LastName: last_name\noptions:\n${options}`);
    expect((await cli22(['schedule', 'add', 'many', '--config', join(dir, 'many.yaml'), '--cron', '0 0 1 1 *'], env())).code).toBe(0);
    expect((await cli22(['enqueue', 'many'], env())).code).toBe(0);
    emulator.setFaults([{ kind: 'latency', latencyMs: 400, path: '^/(?!__emulator)' }]);
    try {
      const worker = cli22(['worker', '--heartbeat', '10', '--log-level', 'info'], env(), { untilStderr: /"sync":"many"[^\n]*"msg":"run ended"/, thenSignal: 'SIGTERM' });
      type Listed = { runId: string; status: string; counts: { created: number } };
      let running: Listed | undefined;
      // Polled until seen (under load, a run seen running by one command had ended by the next: CI preview 132).
      let shown: RegExpExecArray | null = null;
      for (const deadline = Date.now() + 90_000; (!running || !shown) && Date.now() < deadline; ) {
        const [run] = JSON.parse((await cli22(['runs', '--sync', 'many', '--json'], env())).stdout) as Listed[];
        if (run?.status === 'running' && run.counts.created > 0 && run.counts.created < rows) running ??= run;
        // The run's id beside its counts, to look it up with `runs` (reviewer 78, F4: only --json had it).
        shown ??= /many .*yes \(run ([0-9a-f-]{36}), so far ([\d,]+) created/.exec((await cli22(['schedule', 'list'], env())).stdout);
      }
      expect(running, 'a running run with counts so far').toBeDefined();
      expect(shown?.[1], 'schedule list showing the running run with its counts so far').toBe(running?.runId);
      expect(Number(shown?.[2]?.replace(/,/g, ''))).toBeLessThan(rows);
      expect((await worker).code).toBe(0);
    } finally {
      emulator.setFaults([]);
    }
    const [done] = JSON.parse((await cli22(['runs', '--sync', 'many', '--json'], env())).stdout) as { status: string; counts: { created: number } }[];
    expect(done).toMatchObject({ status: 'completed', counts: { created: rows } });
    expect((await cli22(['schedule', 'remove', 'many'], env())).code).toBe(0);
  });

  it('an invalid --cron or --tz is a usage error, and the working schedule of that name stays (fresh helper 71, finding 4)', async () => {
    const good = await cli22(['schedule', 'add', 'nightly', '--config', join(dir, 'people.yaml'), '--cron', '0 3 * * *'], env());
    expect(good.code, good.stderr).toBe(0);
    for (const bad of [['--cron', '0 25 * * *'], ['--cron', '0 3 * * *', '--tz', 'Mars/Olympus'], ['--every', '1h', '--tz', 'Europe/Oslo']]) {
      const refused = await cli22(['schedule', 'add', 'nightly', '--config', join(dir, 'people.yaml'), ...bad], env());
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain('error (invalid_arguments)');
      expect(refused.stderr).toContain('Nothing was stored or changed.');
      expect(refused.stderr).not.toMatch(/\bat \S+ \(/); // no stack trace
    }
    const listed = await cli22(['schedule', 'list', '--json'], env());
    expect((JSON.parse(listed.stdout) as { name: string; cron?: string }[]).find((s) => s.name === 'nightly')).toMatchObject({ cron: '0 3 * * *' });
  });
});
