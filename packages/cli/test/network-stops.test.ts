import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmulatorClient, type EmulatorServer, type FaultRule } from '@syncmodes/connector-kit/emulator';
import { createFacebookEmulator, EMULATOR_ACCESS_TOKEN as FACEBOOK_TOKEN } from '@syncmodes/facebook/emulator';
import { createIntercomEmulator, EMULATOR_ACCESS_TOKEN as INTERCOM_TOKEN } from '@syncmodes/intercom/emulator';
import { createOneSignalEmulator, EMULATOR_APP_ID, EMULATOR_REST_API_KEY } from '@syncmodes/onesignal/emulator';
import { createSalesforceEmulator, EMULATOR_ACCESS_TOKEN as SALESFORCE_TOKEN } from '@syncmodes/salesforce/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import type { Interrupts } from '../src/index';
import { startBin } from './bin-process';
import { cliWith, readReport, tempDir } from './cli-helpers';

/**
 * Issue #17, "stop cleanly when … the network says so": a destination that asks to wait
 * longer than the run may, or keeps refusing without saying how long, stops the run with
 * `rate_limited` (exit 3, summary, report, state kept) after a bounded number of requests;
 * an interrupt does not wait out a request that hangs. Counted in each emulator's request
 * log, never timed.
 */

interface Vendor {
  readonly start: () => EmulatorServer;
  /** `--to` and the options that point the destination at the emulator. */
  readonly target: (url: string) => string[];
  /** The mapping for people.csv (Id, Email, Name). */
  readonly map: string[];
  readonly env: Record<string, string>;
  /** The first requests a run sends that the test holds (a write, or OneSignal's lookups: it only enriches). */
  readonly held: Pick<FaultRule, 'method' | 'path'>;
}

const VENDORS: Record<'salesforce' | 'intercom' | 'facebook' | 'onesignal', Vendor> = {
  salesforce: {
    start: () => createSalesforceEmulator(),
    target: (url) => ['--to', 'salesforce', '--option', `instanceUrl=${url}`],
    map: ['--map', 'Email=Email', '--map', 'LastName=Name'],
    env: { SALESFORCE_ACCESS_TOKEN: SALESFORCE_TOKEN },
    held: { method: 'POST' },
  },
  intercom: {
    start: () => createIntercomEmulator(),
    target: (url) => ['--to', 'intercom', '--option', `baseUrl=${url}`],
    map: ['--map', 'email=Email'],
    env: { INTERCOM_ACCESS_TOKEN: INTERCOM_TOKEN },
    held: { method: 'POST', path: '^/contacts$' },
  },
  facebook: {
    start: () => createFacebookEmulator(),
    target: (url) => ['--to', 'facebook', '--option', `baseUrl=${url}`, '--option', 'adAccountId=act_123', '--option', 'audience=VIP'],
    map: ['--map', 'EMAIL=Email'],
    env: { FACEBOOK_ACCESS_TOKEN: FACEBOOK_TOKEN },
    held: { method: 'POST', path: '/users$' },
  },
  onesignal: {
    start: () => createOneSignalEmulator(),
    target: (url) => ['--to', 'onesignal', '--option', `baseUrl=${url}`, '--option', `appId=${EMULATOR_APP_ID}`],
    map: ['--map', 'external_id=Id'],
    env: { ONESIGNAL_REST_API_KEY: EMULATOR_REST_API_KEY },
    // `connect`'s view-user read proving the key, then the lookups: every request of a run until a user is found.
    held: { method: 'GET' },
  },
};

const ROWS = 3;

function peopleFile(dir: string): string {
  const file = join(dir, 'people.csv');
  writeFileSync(file, `Id,Email,Name\n${Array.from({ length: ROWS }, (_, i) => `${i + 1},p${i + 1}@example.com,N${i + 1}`).join('\n')}\n`);
  return file;
}

/** Interrupts the test fires itself, as Ctrl-C or SIGTERM would. */
function fakeInterrupts(): Interrupts & { fire(signal: string): void } {
  const bus = new EventEmitter();
  return {
    listen(fn) {
      bus.on('interrupt', fn);
      return () => bus.off('interrupt', fn);
    },
    fire: (signal) => bus.emit('interrupt', signal),
  };
}

let running: EmulatorServer | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function started(vendor: Vendor, faults: readonly FaultRule[]) {
  running = vendor.start();
  const url = await running.start();
  running.setFaults(faults);
  const dir = tempDir();
  return { emulator: running, url, dir, file: peopleFile(dir), report: join(dir, 'report.json') };
}

describe.each(Object.keys(VENDORS) as (keyof typeof VENDORS)[])('%s: the network says stop (issue #17)', (id) => {
  const vendor = VENDORS[id];
  const sync = (env: { url: string; dir: string; file: string; report: string }, extra: string[] = []) => [
    'sync',
    ...vendor.target(env.url),
    '--mode',
    id === 'onesignal' ? 'enrich' : 'additive',
    '--from',
    env.file,
    '--id',
    'Id',
    ...vendor.map,
    '--state-dir',
    join(env.dir, 's'),
    '--report',
    env.report,
    ...extra,
  ];

  // A 429 whose only word on the wait is `Retry-After: 3600` (what a gateway in front of the
  // vendor may send; RFC 9110 §10.2.3). Three of them at most: a client that ignored the wait
  // would get through on the fourth request and complete (exit 0) instead of stopping.
  it.each([
    ['seconds', false],
    ['an HTTP-date', true],
  ])('a 429 with Retry-After: 3600 (%s) stops the run after that one request: exit 3, STOPPED (rate_limited), every row not_sent, progress "stopped"', async (_form, retryAfterDate) => {
    const env = await started(vendor, [{ kind: 'retry_after', retryAfterSec: 3_600, retryAfterDate, times: 3 }]);
    const out = await cliWith(sync(env), { env: vendor.env, stderrTTY: true });
    expect({ code: out.code, stdout: out.stdout }).toMatchObject({ code: 3 });
    expect(out.stdout).toMatch(/STOPPED \(rate_limited\): The destination asked to wait 3(599|600|601) s \(Retry-After, or its rate-limit headers. reset time\), longer than the 300 s this run may wait/);
    // The kit names its option; the CLI, its flag.
    expect(out.stdout).toContain('this run may wait (--max-rate-limit-wait)');
    expect(out.stdout).not.toContain('maxRateLimitWaitMs');
    const report = readReport(env.report);
    expect(report.reason?.code).toBe('rate_limited');
    expect(report.records.map((r) => r.code)).toEqual(Array(ROWS).fill('not_sent'));
    expect(env.emulator.requests.map((r) => [r.status, r.fault])).toEqual([[429, 'retry_after']]);
    // Issue #17 item 4: the progress line of a stopped run says so, never "done 100%".
    expect(out.stderr).toMatch(/stopped \|.*\| stopped \(rate_limited\)/);
    expect(out.stderr).not.toMatch(/done \|/);
  });

  it("the vendor's own rate-limit answer, an hour away: the run stops after at most one request per call in flight", async () => {
    const env = await started(vendor, [{ kind: 'rate_limit', retryAfterSec: 3_600, times: 3 }]);
    const out = await cliWith(sync(env, ['--max-rate-limit-wait', '3']), { env: vendor.env });
    expect(out.code).toBe(3);
    expect(readReport(env.report).reason?.code).toBe('rate_limited');
    if (id === 'salesforce') {
      // REQUEST_LIMIT_EXCEEDED (403) says no wait: backed off 1 s, then 2 s; the next wait (4 s) would pass the 3 s allowed.
      expect(out.stdout).toMatch(/answered "rate limited" 3 times in a row to one connect call, never saying how long to wait; it waited 3 s/);
      expect(out.stdout).toContain('REQUEST_LIMIT_EXCEEDED');
      expect(env.emulator.requests.filter((r) => r.fault === 'rate_limit')).toHaveLength(3);
    } else {
      // Intercom's X-RateLimit-Reset, Facebook's estimated_time_to_regain_access (minutes), OneSignal's Retry-After.
      // X-RateLimit-Reset is a whole epoch second: 3600–3601 s away.
      expect(out.stdout).toMatch(/asked to wait 36\d\d s \(Retry-After, or its rate-limit headers. reset time\), longer than the 3 s/);
      expect(env.emulator.requests.filter((r) => r.fault === 'rate_limit')).toHaveLength(1);
    }
  });

  // Issue #17 item 3: the run's stop reaches the call in flight. The request is held by the
  // emulator for 10 minutes and the destination's own timeout is 10 minutes too: only
  // cancelling the call lets the CLI end within the test's 60 s.
  it('an interrupt while a request hangs: the call is cancelled, the summary says STOPPED (interrupted), the report has every row, exit 130', async () => {
    const env = await started(vendor, [{ kind: 'timeout', latencyMs: 600_000, ...vendor.held }]);
    const interrupts = fakeInterrupts();
    const admin = new EmulatorClient(env.url);
    const poll = (async () => {
      // The emulator counts the fault when the request arrives (and then holds it).
      while ((await admin.faults()).injected.timeout === 0) await new Promise((r) => setTimeout(r, 20));
      interrupts.fire('SIGTERM');
    })();
    const out = await cliWith(sync(env, ['--option', 'requestTimeoutMs=600000']), { env: vendor.env, interrupts });
    await poll;
    expect(out.code).toBe(130);
    expect(out.stderr).toContain('Stopping (SIGTERM)');
    expect(out.stdout).toContain('STOPPED (interrupted)');
    const report = readReport(env.report);
    expect(report.reason?.code).toBe('interrupted');
    expect(report.records).toHaveLength(ROWS);
    expect(report.records.every((r) => r.code === 'not_sent')).toBe(true);
    // A hung write was marked and sent: its rows are not "not sent" but unconfirmed (trial of stop 23).
    // OneSignal's held request is a lookup: nothing was being written, so every row is "Not sent".
    const unconfirmed = report.records.filter((r) => r.message?.startsWith('Not confirmed: the run stopped (interrupted) before the destination confirmed it'));
    if (id === 'onesignal') expect(unconfirmed).toHaveLength(0);
    else expect(unconfirmed.length).toBeGreaterThan(0);
    // Facebook has no lookup: its next run sends the member again (fresh trial 140, F6: "looks it up" said otherwise).
    for (const r of unconfirmed) expect(r.message).toMatch(id === 'facebook' ? /the next run sends it again \(an audience has no lookup/ : /the next run looks it up before sending again/);
  }, 60_000);
});

// OneSignal's check sends one request: its connect's view-user read proving the key and the app id.
describe.each(['salesforce', 'intercom', 'facebook', 'onesignal'] as const)('syncmodes check --to %s when the network says stop (issue #17)', (id) => {
  const vendor = VENDORS[id];
  const check = (url: string, extra: string[] = []) => ['check', ...vendor.target(url), ...vendor.map, '--json', ...extra];

  /** The end of a check's rate_limited message: a check writes nothing, so there is no "next run" to continue (trial: it said "the next run continues where it left off"). */
  const checkAgain = (when: string) => new RegExp(`; the check stopped( \\(last answer: .*\\))?\\. Nothing was written: check again ${when}, or allow a longer wait\\.$`);
  const RUN_WORDS = /next run|this run|left off/;

  it('a 429 with Retry-After: 3600 fails the check at once (rate_limited, exit 3) after one request; the message is a check\'s (check again), not a run\'s', async () => {
    const env = await started(vendor, [{ kind: 'retry_after', retryAfterSec: 3_600, times: 3 }]);
    const out = await cliWith(check(env.url), { env: vendor.env });
    expect(out.code).toBe(3);
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: false, exitCode: 3, error: { code: 'rate_limited', message: expect.stringMatching(/asked to wait 3600 s .*may wait \(--max-rate-limit-wait\)/) } });
    expect(env.emulator.requests).toHaveLength(1);
    const { message } = (JSON.parse(out.stdout) as { error: { message: string } }).error;
    expect(message).toMatch(/^The destination asked to wait 3600 s \(Retry-After, or its rate-limit headers. reset time\), longer than the 300 s this check may wait \(--max-rate-limit-wait\); /);
    expect(message).toMatch(checkAgain('once that wait is over'));
    expect(message).not.toMatch(RUN_WORDS);
    // The same words on a terminal: the error line after the steps.
    const text = await cliWith(check(env.url).filter((a) => a !== '--json'), { env: vendor.env });
    expect(text.code).toBe(3);
    expect(text.stdout).toContain('not ready (rate_limited)');
    expect(text.stderr.trimEnd()).toMatch(/^error \(rate_limited\): The destination asked to wait 3600 s \(Retry-After, or its rate-limit headers. reset time\), longer than the 300 s this check may wait \(--max-rate-limit-wait\); /);
    expect(text.stderr.trimEnd()).toMatch(checkAgain('once that wait is over'));
    expect(text.stdout + text.stderr).not.toMatch(RUN_WORDS);
  });

  it('--max-rate-limit-wait bounds the waits of a check too; the message is a check\'s', async () => {
    const env = await started(vendor, [{ kind: 'rate_limit', retryAfterSec: 3_600, times: 5 }]);
    const out = await cliWith(check(env.url, ['--max-rate-limit-wait', '3']), { env: vendor.env });
    expect(out.code).toBe(3);
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    // Salesforce's REQUEST_LIMIT_EXCEEDED says no wait: 1 s, 2 s, then the next (4 s) would pass 3 s.
    expect(env.emulator.requests).toHaveLength(id === 'salesforce' ? 3 : 1);
    const { message } = (JSON.parse(out.stdout) as { error: { message: string } }).error;
    expect(message).toContain(id === 'salesforce' ? 'would pass the 3 s this check may wait for one call (--max-rate-limit-wait)' : 's (Retry-After, or its rate-limit headers\' reset time), longer than the 3 s this check may wait (--max-rate-limit-wait)');
    expect(message).toMatch(checkAgain(id === 'salesforce' ? 'later' : 'once that wait is over'));
    expect(message).not.toMatch(RUN_WORDS);
  });
});

describe('a real SIGTERM while a request hangs (issue #17 item 3)', () => {
  it('the syncmodes process ends with the summary and exit 130, long before the 10-minute request timeout', async () => {
    const env = await started(VENDORS.salesforce, [{ kind: 'timeout', latencyMs: 600_000, method: 'POST' }]);
    const argv = ['sync', ...VENDORS.salesforce.target(env.url), '--option', 'requestTimeoutMs=600000', '--from', env.file, '--id', 'Id', ...VENDORS.salesforce.map, '--state-dir', join(env.dir, 's'), '--report', env.report];
    const bin = startBin(argv, { env: VENDORS.salesforce.env });
    const admin = new EmulatorClient(env.url);
    while ((await admin.faults()).injected.timeout === 0) await new Promise((r) => setTimeout(r, 20));
    bin.child.kill('SIGTERM');
    const { code } = await bin.exited;
    expect(code).toBe(130);
    expect(bin.output.stdout).toContain('STOPPED (interrupted)');
    expect(readReport(env.report).records).toHaveLength(ROWS);
  }, 60_000);
});

describe('a 429 asking to wait 0 s (Retry-After: 0), in a real syncmodes process (trial of stop 22)', () => {
  // The pacer held its queue on a timer that did not keep Node alive: with nothing else
  // pending, Node exited 13 (unsettled top-level await) with no summary and no report.
  it('the run waits, retries and completes: exit 0, every row created, summary and report written', async () => {
    const env = await started(VENDORS.salesforce, [{ kind: 'retry_after', retryAfterSec: 0, times: 2, path: 'composite' }]);
    const argv = ['sync', ...VENDORS.salesforce.target(env.url), '--from', env.file, '--id', 'Id', ...VENDORS.salesforce.map, '--state-dir', join(env.dir, 's'), '--report', env.report, '--no-progress'];
    const bin = startBin(argv, { env: VENDORS.salesforce.env });
    const { code } = await bin.exited;
    expect({ code, stderr: bin.output.stderr }).toMatchObject({ code: 0 });
    expect(bin.output.stdout).toMatch(/created\s*│\s*3/);
    expect(readReport(env.report).records.map((r) => r.outcome)).toEqual(Array(ROWS).fill('created'));
    expect(env.emulator.requests.filter((r) => r.fault === 'retry_after')).toHaveLength(2);
  }, 60_000);
});

describe("Intercom's rate-limit headers say the window is spent for 10 minutes (trial of stop 24)", () => {
  // Intercom answers every call with X-RateLimit-Remaining and X-RateLimit-Reset
  // (https://developers.intercom.com/docs/references/rest-api/errors/rate-limiting). With 5
  // calls per 10 minutes, the kit paced from the headers and held every call until the reset —
  // 120 s without a word, whatever --max-rate-limit-wait said. The bound holds for that wait too.
  it('stops the run with rate_limited at once instead of holding it silently; the report accounts for every row', async () => {
    running = createIntercomEmulator({ rateLimit: { limit: 5, windowMs: 600_000 } });
    const url = await running.start();
    const dir = tempDir();
    const file = join(dir, 'people.csv');
    writeFileSync(file, `Id,Email,Name\n${Array.from({ length: 50 }, (_, i) => `${i + 1},p${i + 1}@example.com,N${i + 1}`).join('\n')}\n`);
    const report = join(dir, 'report.json');
    const started = Date.now();
    const out = await cliWith(
      ['sync', '--to', 'intercom', '--option', `baseUrl=${url}`, '--mode', 'additive', '--from', file, '--id', 'Id', '--map', 'email=Email', '--state-dir', join(dir, 's'), '--report', report, '--max-rate-limit-wait', '5'],
      { env: { INTERCOM_ACCESS_TOKEN: INTERCOM_TOKEN } },
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(out.code).toBe(3);
    expect(out.stdout).toMatch(/STOPPED \(rate_limited\): The destination asked to wait \d+ s \(Retry-After, or its rate-limit headers. reset time\), longer than the 5 s this run may wait/);
    const written = readReport(report);
    expect(written.reason?.code).toBe('rate_limited');
    expect(written.records).toHaveLength(50);
    // No more than the window's 5 calls reached Intercom (connect and one search among them).
    expect(running.requests.length).toBeLessThanOrEqual(5);
  }, 60_000);
});
