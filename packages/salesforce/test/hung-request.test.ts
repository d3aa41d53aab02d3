import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, toSyncError } from '@syncmodes/connector-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectSalesforce } from '../src/client/salesforce-client';
import { salesforceConfigSchema } from '../src/config';
import { EMULATOR_ACCESS_TOKEN } from '../src/emulator/index';
import { startEmulator } from './salesforce-harness';

const ENTRY = new URL('./fixtures/cli-entry.ts', import.meta.url).pathname;
/** How long the emulator holds a hung request before cutting it (the kit emulator's `timeout` fault). */
const HOLD_MS = 120_000;

/** Runs the CLI's main in a child process (no `process.exit`: it ends only once nothing is left open); its exit code and stdout. */
function runEntry(args: readonly string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=@syncmodes/source', '--import', 'tsx', ENTRY, ...args], {
      env: { ...process.env, SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.on('exit', (c) => resolve({ code: c, stdout: out }));
  });
}

/** Issue #17 item 5: every request has a timeout that also closes its socket; the process exits after the summary whatever the destination does. */
describe('a hung Salesforce endpoint', () => {
  let env: Awaited<ReturnType<typeof startEmulator>>;
  beforeEach(async () => {
    env = await startEmulator();
  });
  afterEach(async () => {
    await env.emulator.stop();
  });

  it('fails the call with a retryable timeout after requestTimeoutMs, long before the server lets go', async () => {
    env.emulator.setFaults([{ kind: 'timeout', method: 'GET', path: '/describe$', times: 1, latencyMs: HOLD_MS }]);
    const config = salesforceConfigSchema.parse({ instanceUrl: env.url, accessToken: EMULATOR_ACCESS_TOKEN, requestTimeoutMs: 300 });
    const started = Date.now();
    await expect(connectSalesforce(config, silentLogger)).rejects.toMatchObject({ code: 'timeout', retryable: true, message: expect.stringMatching(/within 300 ms/) });
    expect(Date.now() - started).toBeLessThan(HOLD_MS / 2);
  });

  it('fails a call whose answer stalls after its headers (second trial of stop 26: the headers came, the body never ended) with a retryable timeout after requestTimeoutMs', async () => {
    env.emulator.setFaults([{ kind: 'stalled_body', method: 'GET', path: '/describe$', times: 1, latencyMs: HOLD_MS }]);
    const config = salesforceConfigSchema.parse({ instanceUrl: env.url, accessToken: EMULATOR_ACCESS_TOKEN, requestTimeoutMs: 300 });
    const started = Date.now();
    await expect(connectSalesforce(config, silentLogger)).rejects.toMatchObject({ code: 'timeout', retryable: true, message: expect.stringMatching(/within 300 ms/) });
    expect(Date.now() - started).toBeLessThan(HOLD_MS / 2);
    expect(env.emulator.faults.injected.stalled_body).toBe(1);
  });

  it('fails a call whose server closes the connection before the body it announced has ended at once, with a retryable network_error (trial 19b F7: it waited for the deadline)', async () => {
    env.emulator.setFaults([{ kind: 'stalled_body', method: 'GET', path: '/describe$', times: 1, latencyMs: 0 }]);
    const config = salesforceConfigSchema.parse({ instanceUrl: env.url, accessToken: EMULATOR_ACCESS_TOKEN, requestTimeoutMs: 600_000 });
    const failure = await connectSalesforce(config, silentLogger).then(() => undefined, (error: unknown) => error);
    expect(failure).toMatchObject({ code: 'ECONNRESET', message: 'Salesforce closed the connection before the answer to GET /services/data/v62.0/sobjects/Contact/describe had ended.' });
    expect(toSyncError(failure)).toMatchObject({ code: 'network_error', retryable: true });
    expect(env.emulator.faults.injected.stalled_body).toBe(1);
  }, 30_000);

  it.each(['timeout', 'stalled_body'] as const)('does not keep the CLI process alive (%s): the lookup that hung is retried, the run completes and the process exits while the server still holds the first socket', async (kind) => {
    env.emulator.setFaults([{ kind, method: 'GET', path: '/query$', times: 1, latencyMs: HOLD_MS }]);
    const dir = mkdtempSync(join(tmpdir(), 'sf-hung-'));
    const file = join(dir, 'people.csv');
    writeFileSync(file, 'id,Email,LastName\n1,ada@example.com,Lovelace\n2,alan@example.com,Turing\n3,grace@example.com,Hopper\n');
    const args = ['sync', '--to', 'salesforce', '--from', file, '--id', 'id', '--map', 'Email=Email', '--map', 'LastName=LastName', '--sync-name', 'hung',
      '--option', `instanceUrl=${env.url}`, '--option', 'requestTimeoutMs=1000', '--state-dir', join(dir, 'state'), '--no-progress'];
    const started = Date.now();
    const { code, stdout } = await runEntry(args);
    const elapsed = Date.now() - started;
    expect(code).toBe(0);
    expect(stdout).toMatch(/created/i);
    expect(env.emulator.org.all('Contact')).toHaveLength(3);
    expect(env.emulator.faults.injected[kind]).toBe(1);
    // The server held the first lookup's socket for HOLD_MS: the process could only exit this early if the client closed it.
    expect(elapsed).toBeLessThan(HOLD_MS * 0.75);
  }, HOLD_MS);

  it('a server that closes the connection mid-body (second trial of stop 31: Node exited 13, no summary, no report): the call fails (network_error) and is retried, the run completes', async () => {
    env.emulator.setFaults([{ kind: 'stalled_body', method: 'POST', path: 'composite', times: 1, latencyMs: 300 }]);
    const dir = mkdtempSync(join(tmpdir(), 'sf-hung-'));
    const file = join(dir, 'people.csv');
    writeFileSync(file, 'id,Email,LastName\n1,ada@example.com,Lovelace\n2,alan@example.com,Turing\n');
    const args = ['sync', '--to', 'salesforce', '--from', file, '--id', 'id', '--map', 'Email=Email', '--map', 'LastName=LastName', '--sync-name', 'cut',
      '--option', `instanceUrl=${env.url}`, '--option', 'requestTimeoutMs=2000', '--state-dir', join(dir, 'state'), '--no-progress', '--report', join(dir, 'report.json')];
    const { code, stdout } = await runEntry(args);
    expect(env.emulator.faults.injected.stalled_body).toBe(1);
    expect([0, 1]).toContain(code);
    expect(stdout).toMatch(/Salesforce/);
    expect(existsSync(join(dir, 'report.json'))).toBe(true);
    // The cut create was written; whatever its rows' outcome, no Contact is there twice.
    const emails = env.emulator.org.all('Contact').map((c) => c.Email);
    expect(new Set(emails).size).toBe(emails.length);
  }, 60_000);

  it('SIGTERM while a create hangs (request timeout 10 minutes): the call is abandoned and its socket closed, the summary says STOPPED (interrupted), and the process exits by itself with 130 (issue #17 item 3)', async () => {
    env.emulator.setFaults([{ kind: 'timeout', method: 'POST', latencyMs: 600_000 }]);
    const dir = mkdtempSync(join(tmpdir(), 'sf-hung-'));
    const file = join(dir, 'people.csv');
    writeFileSync(file, 'id,Email,LastName\n1,ada@example.com,Lovelace\n2,alan@example.com,Turing\n');
    const args = ['sync', '--to', 'salesforce', '--from', file, '--id', 'id', '--map', 'Email=Email', '--map', 'LastName=LastName', '--sync-name', 'hung',
      '--option', `instanceUrl=${env.url}`, '--option', 'requestTimeoutMs=600000', '--state-dir', join(dir, 'state'), '--no-progress'];
    // The entry runs the CLI's main without process.exit: the process ends only once nothing is left open.
    const child = spawn(process.execPath, ['--conditions=@syncmodes/source', '--import', 'tsx', ENTRY, ...args], {
      env: { ...process.env, SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // The emulator counts the fault when the create arrives, then holds it.
    while ((await env.admin.faults()).injected.timeout === 0) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGTERM');
    expect(await exited).toBe(130);
    expect(out).toContain('STOPPED (interrupted)');
    expect(env.emulator.org.all('Contact')).toHaveLength(0);
  }, 90_000);
});
