import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createIntercomEmulator, EMULATOR_ACCESS_TOKEN as INTERCOM_TOKEN } from '@syncmodes/intercom/emulator';
import { createSalesforceEmulator, EMULATOR_ACCESS_TOKEN } from '@syncmodes/salesforce/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Interrupts } from '../src/index';
import { installLeakyPlugin, startBin, until } from './bin-process';
import { cliWith, readReport, tempDir } from './cli-helpers';

const ROWS = 2_000;
const MAP = ['--id', 'Id', '--map', 'Email=Email', '--map', 'LastName=Name'];

/** Interrupts the test fires itself (as Ctrl-C would). */
function fakeInterrupts(): Interrupts & { fire(signal?: string): void } {
  const bus = new EventEmitter();
  return {
    listen(fn) {
      bus.on('interrupt', fn);
      return () => bus.off('interrupt', fn);
    },
    fire: (signal = 'SIGINT') => bus.emit('interrupt', signal),
  };
}

const posts = (e: ReturnType<typeof createSalesforceEmulator>) => e.requests.filter((r) => r.method === 'POST').length;

describe('Ctrl-C and SIGTERM during a sync (issue 17, item 9)', () => {
  let emulator: ReturnType<typeof createSalesforceEmulator>;
  let url: string;
  let dir: string;
  let file: string;
  beforeEach(async () => {
    emulator = createSalesforceEmulator();
    url = await emulator.start();
    // One call at a time, each answered after 300 ms: a run of 10 create calls lasts seconds.
    emulator.setFaults([{ kind: 'latency', latencyMs: 300, every: 1 }]);
    dir = tempDir();
    file = join(dir, 'people.csv');
    writeFileSync(file, `Id,Email,Name\n${Array.from({ length: ROWS }, (_, i) => `${i + 1},p${i + 1}@example.com,N${i + 1}`).join('\n')}\n`);
  });
  afterEach(() => emulator.stop());

  const args = () => ['sync', '--to', 'salesforce', '--option', `instanceUrl=${url}`, '--option', 'concurrency=1', '--from', file, ...MAP, '--state-dir', join(dir, 's'), '--report', join(dir, 'report.json')];

  it('the first interrupt stops sending: no new call, the summary is printed, the report accounts for every row, exit 130', async () => {
    const interrupts = fakeInterrupts();
    let postsAtInterrupt = -1;
    const watcher = setInterval(() => {
      if (posts(emulator) >= 1 && postsAtInterrupt < 0) {
        postsAtInterrupt = posts(emulator);
        interrupts.fire('SIGINT');
      }
    }, 10);
    const out = await cliWith(args(), { env: { SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN }, interrupts, exitNow: () => expect.fail('a single interrupt must not exit at once') });
    clearInterval(watcher);
    expect(out.code).toBe(130);
    expect(out.stderr).toContain('Stopping (SIGINT): no new calls');
    expect(out.stdout).toMatch(/outcome +│ records/);
    // At most the call that was in flight when the interrupt came (concurrency 1) reached the emulator afterwards.
    expect(posts(emulator) - postsAtInterrupt).toBeLessThanOrEqual(1);
    expect(posts(emulator)).toBeLessThan(ROWS / 200);
    const report = readReport(join(dir, 'report.json'));
    expect(report.records.map((r) => r.row)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 2)); // file lines: the header is line 1
    expect(report.status).toBe('stopped');
    expect(report.reason?.code).toBe('interrupted');
    expect(out.stdout).toContain('STOPPED (interrupted)');
    // The calls in flight finished: every record the emulator holds is reported created, the rest not sent.
    const created = report.records.filter((r) => r.outcome === 'created').length;
    expect(created).toBe(emulator.requests.filter((r) => r.method === 'POST').length * 200);
    expect(created).toBeGreaterThanOrEqual(200);
    expect(report.records.filter((r) => r.outcome !== 'created').every((r) => r.code === 'not_sent')).toBe(true);
  });

  it('records the stopped run never sent own nothing: state holds only what was created (and the batch in flight), and a Contact someone else makes with such a row\'s Email is not deleted when that row leaves (fresh trial on #17: 1,314 never-sent creates were kept as owned)', async () => {
    const interrupts = fakeInterrupts();
    const watcher = setInterval(() => {
      if (posts(emulator) >= 1) {
        clearInterval(watcher);
        interrupts.fire('SIGINT');
      }
    }, 10);
    const out = await cliWith(args(), { env: { SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN }, interrupts, exitNow: () => expect.fail('a single interrupt must not exit at once') });
    clearInterval(watcher);
    expect(out.code).toBe(130);
    const created = readReport(join(dir, 'report.json')).records.filter((r) => r.outcome === 'created').length;
    expect(created).toBeLessThan(ROWS);
    const show = await cliWith(['state', 'show', 'people', '--state-dir', join(dir, 's'), '--json']);
    const sync = JSON.parse(show.stdout) as { records: number; owned: number; pending: number };
    // What was created, plus at most the one batch that was in flight (concurrency 1, 200 a call): never the rows no call carried.
    expect(sync.owned).toBeGreaterThanOrEqual(created);
    expect(sync.owned).toBeLessThanOrEqual(created + 200);
    expect(sync.records).toBe(sync.owned);
    // Someone else makes a Contact with the Email of a row never sent; that row then leaves the source.
    const foreign = emulator.org.create('Contact', { LastName: 'Made elsewhere', Email: `p${ROWS}@example.com` });
    emulator.setFaults([]);
    writeFileSync(file, `Id,Email,Name\n${Array.from({ length: ROWS - 1 }, (_, i) => `${i + 1},p${i + 1}@example.com,N${i + 1}`).join('\n')}\n`);
    const next = await cliWith([...args(), '--mode', 'sync', '--allow-deletes', '10'], { env: { SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN } });
    expect(next.code, next.stderr).toBe(0);
    expect(readReport(join(dir, 'report.json')).counts).toMatchObject({ deleted: 0, failed: 0 });
    expect(emulator.org.get(foreign.id as string)).toMatchObject({ LastName: 'Made elsewhere' });
    expect(emulator.org.all('Contact').length).toBe(ROWS);
  }, 60_000);

  it('a run killed with SIGKILL leaves owned only what a call may have carried, not its whole window (fresh trial on #17: a 10,000-record window was kept as owned)', async () => {
    const bin = startBin(args(), { env: { SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN } });
    await until(() => posts(emulator) >= 2, 60_000, 'the second create call');
    bin.child.kill('SIGKILL');
    await bin.exited;
    const show = await cliWith(['state', 'show', 'people', '--state-dir', join(dir, 's'), '--json']);
    const sync = JSON.parse(show.stdout) as { records: number; owned: number; pending: number };
    const contacts = emulator.org.all('Contact').length;
    // Concurrency 1, 200 a call: what was created, and at most the one call in flight.
    expect(sync.owned).toBeGreaterThanOrEqual(contacts);
    expect(sync.owned).toBeLessThanOrEqual(contacts + 200);
    expect(sync.owned).toBeLessThan(ROWS);
  }, 90_000);

  it('--json: the one JSON object on stdout says the run stopped, interrupted, exit code 130', async () => {
    const interrupts = fakeInterrupts();
    const watcher = setInterval(() => {
      if (posts(emulator) >= 1) {
        clearInterval(watcher);
        interrupts.fire('SIGTERM');
      }
    }, 10);
    const out = await cliWith([...args(), '--json'], { env: { SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN }, interrupts });
    clearInterval(watcher);
    expect(out.code).toBe(130);
    expect(JSON.parse(out.stdout)).toMatchObject({ exitCode: 130, status: 'stopped', reason: { code: 'interrupted' } });
  });

  it('a second interrupt exits at once with 130', async () => {
    const interrupts = fakeInterrupts();
    let exited: number | undefined;
    const watcher = setInterval(() => {
      if (emulator.requests.length >= 1) {
        clearInterval(watcher);
        interrupts.fire('SIGINT');
        interrupts.fire('SIGINT');
      }
    }, 10);
    const out = await cliWith(args(), { env: { SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN }, interrupts, exitNow: (code) => (exited = code) });
    clearInterval(watcher);
    expect(exited).toBe(130);
    // The summary printed before exiting accounts for every row: none decided yet, all 2,000 not_sent (trial 19b F5: it said "0 input rows").
    const partial = out.stdout.slice(0, out.stdout.indexOf('Running again continues from the state.'));
    expect(partial).toMatch(/· 2,000 input rows from /);
    expect(partial).toMatch(/skipped +│ +2,000/);
    expect(partial).toContain('STOPPED (interrupted): Interrupted twice: exited at once. 2,000 record(s) not yet decided are counted not_sent');
    // The calls made so far, as the run counted them (they read "none": trial 20b N4).
    expect(partial).toMatch(/API calls: connect 1\b.* · HTTP requests [1-9]/);
  });

  it('a real SIGTERM to the syncmodes process: summary, report, exit 130', async () => {
    const bin = startBin(args(), { env: { SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN } });
    await until(() => posts(emulator) >= 1, 60_000, 'the first create call');
    bin.child.kill('SIGTERM');
    const { code } = await bin.exited;
    expect(code).toBe(130);
    expect(bin.output.stderr).toContain('Stopping (SIGTERM)');
    expect(bin.output.stdout).toMatch(/outcome +│ records/);
    expect(readReport(join(dir, 'report.json')).records).toHaveLength(ROWS);
  }, 90_000);

  it('a run killed with SIGKILL shows in `syncmodes runs` as running, and the next run of the sync closes it as stopped (run_lost); its own entry is the finished run (seventh trial of stop 28)', async () => {
    const bin = startBin(args(), { env: { SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN } });
    await until(() => posts(emulator) >= 1, 60_000, 'the first create call');
    bin.child.kill('SIGKILL');
    await bin.exited;
    const listRuns = async () => JSON.parse((await cliWith(['runs', '--state-dir', join(dir, 's'), '--json'])).stdout) as { runId: string; status: string; reason?: { code: string } }[];
    const killed = await listRuns();
    expect(killed.map((r) => r.status)).toEqual(['running']);
    emulator.setFaults([]);
    const next = await cliWith(args(), { env: { SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN } });
    expect(next.code, next.stderr).toBe(0);
    const after = await listRuns();
    expect(after.map((r) => [r.status, r.reason?.code])).toEqual([
      ['completed', undefined],
      ['stopped', 'run_lost'],
    ]);
    expect(after[1]?.runId).toBe(killed[0]?.runId);
  }, 120_000);

  it('two real Ctrl-Cs: the process exits at once with 130, without waiting for the call in flight', async () => {
    emulator.setFaults([{ kind: 'latency', latencyMs: 5_000, every: 1, method: 'POST' }]);
    const bin = startBin(args(), { env: { SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN } });
    await until(() => emulator.requests.filter((r) => r.method === 'GET').length >= ROWS / 200 + 1, 60_000, 'the lookups');
    await new Promise((r) => setTimeout(r, 300)); // the first create call is now held by the emulator
    bin.child.kill('SIGINT');
    await until(() => bin.output.stderr.includes('Stopping (SIGINT)'), 10_000, 'the first interrupt to be seen');
    const second = Date.now();
    bin.child.kill('SIGINT');
    const { code, at } = await bin.exited;
    expect(code).toBe(130);
    expect(at - second).toBeLessThan(3_000);
    expect(bin.output.stderr).toContain('Exiting at once');
    // Still the summary (the rows decided so far), saying the run was interrupted and the report not written.
    expect(bin.output.stdout).toMatch(/outcome +│ records/);
    expect(bin.output.stdout).toContain('STOPPED (interrupted)');
    expect(bin.output.stdout).not.toContain('Report:');
    expect(bin.output.stderr).toContain('error (report_unwritable): The report');
  }, 90_000);
});

describe('Ctrl-C while --emulator starts its emulator (seventh trial of stop 28, L1)', () => {
  it('the emulator still starts and the run stops as any run does: summary STOPPED (interrupted), every row in the report not_sent, nothing created, exit 130; no word of another run', async () => {
    const dir = tempDir();
    const file = join(dir, 'people.csv');
    writeFileSync(file, `Id,Email,Name\n${Array.from({ length: 20 }, (_, i) => `${i + 1},p${i + 1}@example.com,N${i + 1}`).join('\n')}\n`);
    // Ctrl-C as soon as the sync listens: before its emulator is started (nobody else holds the emulator's data).
    const interrupts: Interrupts = {
      listen(fn) {
        queueMicrotask(() => fn('SIGINT'));
        return () => undefined;
      },
    };
    const state = join(dir, 's');
    const out = await cliWith(['sync', '--to', 'salesforce', '--emulator', '--from', file, ...MAP, '--state-dir', state, '--report', join(dir, 'report.json'), '--no-progress'], { interrupts });
    expect(out.code, out.stderr).toBe(130);
    expect(out.stderr).toContain('Stopping (SIGINT)');
    expect(out.stderr).not.toContain('another run');
    expect(out.stdout).toContain('STOPPED (interrupted)');
    const report = readReport(join(dir, 'report.json'));
    expect(report.records.map((r) => [r.row, r.code])).toEqual(Array.from({ length: 20 }, (_, i) => [i + 2, 'not_sent']));
    const data = join(state, 'emulators', 'salesforce.json');
    expect(existsSync(data) ? (JSON.parse(readFileSync(data, 'utf8')) as { Contact?: unknown[] }).Contact ?? [] : []).toEqual([]);
  }, 60_000);
});

describe('a run that stops at connect still writes its report (issue 17, item 9)', () => {
  it('the destination refuses connect (HTTP 400 to the first call): every row in the report as not_sent, exit 3', async () => {
    const emulator = createIntercomEmulator();
    const url = await emulator.start();
    emulator.setFaults([{ kind: 'server_error', status: 400, every: 1 }]);
    const dir = tempDir();
    const file = join(dir, 'p.csv');
    writeFileSync(file, 'Id,Email\n1,a@example.com\n2,b@example.com\n3,c@example.com\n');
    try {
      const args = ['sync', '--to', 'intercom', '--option', `baseUrl=${url}`, '--from', file, '--id', 'Id', '--map', 'email=Email', '--state-dir', join(dir, 's'), '--report', join(dir, 'r.json')];
      const out = await cliWith(args, { env: { INTERCOM_ACCESS_TOKEN: INTERCOM_TOKEN } });
      expect(out.code).toBe(3);
      expect(out.stdout).toContain('STOPPED');
      const report = readReport(join(dir, 'r.json'));
      expect(report.status).toBe('stopped');
      expect(report.records.map((r) => [r.row, r.outcome, r.code])).toEqual([
        [2, 'skipped', 'not_sent'],
        [3, 'skipped', 'not_sent'],
        [4, 'skipped', 'not_sent'],
      ]);
      expect(emulator.requests.length).toBeGreaterThan(0);
      expect(emulator.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    } finally {
      await emulator.stop();
    }
  });
});

describe('exit means exit (issue 17, items 5 and 6)', () => {
  it('the process ends after the summary although the destination left a timer running', async () => {
    const project = tempDir();
    installLeakyPlugin(project);
    writeFileSync(join(project, 'p.csv'), 'id,email\n1,a@example.com\n2,b@example.com\n');
    const bin = startBin(['sync', '--to', 'leaky', '--from', 'p.csv', '--id', 'id', '--map', 'email=email', '--json'], { cwd: project });
    const timeout = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 30_000).unref());
    const result = await Promise.race([bin.exited, timeout]);
    if (result === 'hung') bin.child.kill('SIGKILL');
    expect(result).not.toBe('hung');
    expect(result).toMatchObject({ code: 0 });
    expect(JSON.parse(bin.output.stdout)).toMatchObject({ destination: 'leaky', counts: { created: 2 } });
  }, 60_000);

  it('with --emulator, a state that cannot be opened or a bad option ends the process with exit 2 (nothing left running)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.csv'), 'Id,Email,Name\n1,a@example.com,A\n');
    writeFileSync(join(dir, 'not-a-folder'), 'x');
    const badState = startBin(['sync', '--to', 'salesforce', '--emulator', '--from', join(dir, 'p.csv'), ...MAP, '--state-dir', join(dir, 'not-a-folder')]);
    const badOption = startBin(['sync', '--to', 'salesforce', '--emulator', '--from', join(dir, 'p.csv'), ...MAP, '--state-dir', join(dir, 's'), '--option', 'colour=blue']);
    for (const bin of [badState, badOption]) {
      const { code } = await bin.exited;
      expect(code).toBe(2);
      expect(bin.output.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(badState.output.stderr).toMatch(/^error \(state_unreadable\)/);
    expect(badOption.output.stderr).toMatch(/^error \(unknown_option\)/);
    expect(existsSync(join(dir, 's', 'emulators', 'salesforce.json'))).toBe(true);
  }, 60_000);
});

describe('bounded, visible rate-limit waits (issue 17, item 9)', () => {
  let emulator: ReturnType<typeof createIntercomEmulator>;
  let url: string;
  let dir: string;
  let file: string;
  beforeEach(async () => {
    emulator = createIntercomEmulator();
    url = await emulator.start();
    dir = tempDir();
    file = join(dir, 'p.csv');
    writeFileSync(file, 'Id,Email\n1,a@example.com\n2,b@example.com\n');
  });
  afterEach(() => emulator.stop());
  const args = () => ['sync', '--to', 'intercom', '--option', `baseUrl=${url}`, '--from', file, '--id', 'Id', '--map', 'email=Email', '--state-dir', join(dir, 's'), '--report', join(dir, 'r.json')];

  // Intercom answers 429 with X-RateLimit-Reset: https://developers.intercom.com/docs/references/rest-api/errors/rate-limiting
  it('a Retry-After of an hour (over the default 300 s) stops the run at once with rate_limited, exit 3, report written', async () => {
    emulator.setFaults([{ kind: 'rate_limit', retryAfterSec: 3_600, every: 1, method: 'POST', path: 'contacts/search' }]);
    const started = Date.now();
    const out = await cliWith(args(), { env: { INTERCOM_ACCESS_TOKEN: INTERCOM_TOKEN } });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(out.code).toBe(3);
    expect(out.stdout).toMatch(/STOPPED \(rate_limited\): The destination asked to wait 36\d\d s/);
    const report = readReport(join(dir, 'r.json'));
    expect(report.reason?.code).toBe('rate_limited');
    expect(report.records).toHaveLength(2);
  });

  it('--max-rate-limit-wait lowers the bound; a shorter wait shows on the progress line', async () => {
    emulator.setFaults([{ kind: 'rate_limit', retryAfterSec: 30, times: 1, method: 'POST', path: 'contacts/search' }]);
    const bounded = await cliWith([...args(), '--max-rate-limit-wait', '10'], { env: { INTERCOM_ACCESS_TOKEN: INTERCOM_TOKEN } });
    expect(bounded.code).toBe(3);
    expect(bounded.stdout).toContain('longer than the 10 s this run may wait');
    emulator.setFaults([{ kind: 'rate_limit', retryAfterSec: 2, times: 1, method: 'POST', path: 'contacts/search' }]);
    const waited = await cliWith(args(), { env: { INTERCOM_ACCESS_TOKEN: INTERCOM_TOKEN }, stderrTTY: true });
    expect(waited.code).toBe(0);
    expect(waited.stderr).toMatch(/waiting \|.*\| waiting [12] s for the rate limit/);
    expect(readReport(join(dir, 'r.json')).counts.created).toBe(2);
  });
});

describe('Ctrl-C or SIGTERM in the first moments of a sync (hostile trial, item 1)', () => {
  // The bin catches interrupts from its first line, before the CLI's modules load (about half
  // a second; longer from the sources under tsx). The test counts from that line (the
  // fixture writes SYNCMODES_TEST_STARTED_FILE there): earlier, only Node itself is starting.
  const ROWS_EARLY = 50;
  it.each([
    ['SIGINT', 0],
    ['SIGINT', 100],
    ['SIGINT', 300],
    ['SIGTERM', 0],
    ['SIGTERM', 600],
  ] as const)('%s %i ms after the bin starts: "Stopping", the summary says STOPPED (interrupted), the report accounts for every row, nothing written, exit 130', async (signal, afterMs) => {
    const emulator = createSalesforceEmulator();
    const url = await emulator.start();
    // Every read answered after 2 s, so that the run is still connecting when the signal comes, however fast this
    // machine starts the bin (with nothing else running, 50 rows were synced in under 600 ms, exit 0).
    emulator.setFaults([{ kind: 'latency', latencyMs: 2_000, method: 'GET', every: 1 }]);
    const dir = tempDir();
    const file = join(dir, 'people.csv');
    writeFileSync(file, `Id,Email,Name\n${Array.from({ length: ROWS_EARLY }, (_, i) => `${i + 1},p${i + 1}@example.com,N${i + 1}`).join('\n')}\n`);
    const started = join(dir, 'started');
    const report = join(dir, 'report.json');
    try {
      const bin = startBin(['sync', '--to', 'salesforce', '--option', `instanceUrl=${url}`, '--from', file, ...MAP, '--state-dir', join(dir, 's'), '--report', report], {
        env: { SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN, SYNCMODES_TEST_STARTED_FILE: started },
      });
      await until(() => existsSync(started), 60_000, 'the bin to start');
      await new Promise((r) => setTimeout(r, afterMs));
      bin.child.kill(signal);
      const { code } = await bin.exited;
      expect({ code, stderr: bin.output.stderr }).toMatchObject({ code: 130 });
      expect(bin.output.stderr).toContain(`Stopping (${signal})`);
      expect(bin.output.stdout).toContain('STOPPED (interrupted)');
      expect(bin.output.stdout).toMatch(/outcome +│ records/);
      const written = readReport(report);
      expect(written.status).toBe('stopped');
      expect(written.reason?.code).toBe('interrupted');
      expect(written.records.map((r) => [r.row, r.code])).toEqual(Array.from({ length: ROWS_EARLY }, (_, i) => [i + 2, 'not_sent']));
      expect(emulator.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    } finally {
      await emulator.stop();
    }
  }, 90_000);

  it('another command keeps the OS default: a SIGINT while it loads ends it by the signal', async () => {
    const dir = tempDir();
    const started = join(dir, 'started');
    const bin = startBin(['state', 'list', '--state-dir', join(dir, 's')], { env: { SYNCMODES_TEST_STARTED_FILE: started } });
    await until(() => existsSync(started), 60_000, 'the bin to start');
    bin.child.kill('SIGINT');
    const { code, signal } = await bin.exited;
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGINT' });
  }, 90_000);
});
