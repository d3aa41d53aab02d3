import { Writable } from 'node:stream';
import { EmulatorClient } from '@syncmodes/connector-kit/emulator';
import { createSalesforceEmulator } from '@syncmodes/salesforce/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../src/index';
import { cli } from './cli-helpers';

/** Runs `syncmodes emulator salesforce --port 0 <args>` in-process until it listens (or fails); `release` stops it. */
async function startEmulatorCommand(args: string[]) {
  const out = { stdout: '', stderr: '' };
  const sink = (write: (s: string) => void) =>
    Object.assign(new Writable({ write: (c, _e, done) => (write(String(c)), done()) }), { isTTY: false }) as unknown as NodeJS.WriteStream;
  let release: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (release = resolve));
  const running = main(['emulator', 'salesforce', '--port', '0', ...args], {
    io: { stdout: sink((s) => (out.stdout += s)), stderr: sink((s) => (out.stderr += s)), env: {} },
    waitForStop: () => stopped,
  });
  for (let i = 0; i < 1000 && !/listening on|error/.test(out.stdout + out.stderr); i++) await new Promise((r) => setTimeout(r, 10));
  return { out, release, running };
}

/** #17 item 11: emulators never keep credentials, and never listen off loopback unless told to. */
describe('emulator safety (#17 item 11)', () => {
  let emulator: ReturnType<typeof createSalesforceEmulator> | undefined;
  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  it("the Salesforce emulator's OAuth token endpoint logs refresh_token and client_secret redacted", async () => {
    emulator = createSalesforceEmulator({ refreshToken: 'RT-SENTINEL-123', clientId: 'consumer-key' });
    const url = await emulator.start();
    // The OAuth 2.0 refresh token flow as jsforce sends it (a form body).
    // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'RT-SENTINEL-123', client_id: 'consumer-key', client_secret: 'CS-SENTINEL-456' });
    const answer = await fetch(`${url}/services/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    expect(answer.status).toBe(200);
    const log = await new EmulatorClient(url).requests();
    expect(log.map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual(['POST /services/oauth2/token 200']);
    expect(log[0]?.body).toEqual({ grant_type: 'refresh_token', refresh_token: '[redacted]', client_id: 'consumer-key', client_secret: '[redacted]' });
    const text = JSON.stringify(log);
    expect(text).not.toContain('RT-SENTINEL-123');
    expect(text).not.toContain('CS-SENTINEL-456');
  });

  it('`syncmodes emulator --host 0.0.0.0` without --unsafe-listen is refused (exit 2, unsafe_listen), nothing listens', async () => {
    const out = await cli(['emulator', 'salesforce', '--port', '0', '--host', '0.0.0.0'], {}, () => Promise.resolve());
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--unsafe-listen/);
    expect(out.stdout).not.toMatch(/listening on/);
  });

  it('a port in use, or a host name that resolves to nothing, is a usage error saying what to change (exit 2, listen_failed), never a stack trace (fourteenth trial of #17)', async () => {
    emulator = createSalesforceEmulator();
    const taken = new URL(await emulator.start()).port;
    const inUse = await cli(['emulator', 'salesforce', '--port', taken], {}, () => Promise.resolve());
    expect(inUse.code).toBe(2);
    expect(inUse.stderr).toBe(`error (listen_failed): Cannot listen on 127.0.0.1 port ${taken}: another program is using that port. Choose another --port (0 takes any free port).\n`);
    const unknown = await cli(['emulator', 'salesforce', '--port', '0', '--host', 'no-such-host.invalid', '--unsafe-listen'], {}, () => Promise.resolve());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error \(listen_failed\): Cannot listen on "no-such-host\.invalid": no address has that name/);
    expect(unknown.stderr).not.toMatch(/ at /);
  });

  it("commander's own usage errors quote what was typed with its control characters escaped (fourteenth trial of #17)", async () => {
    const out = await cli(['sync', '--bogus\u001b[2J\u001b]0;PWN\u0007'], {});
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--bogus\\x1b[2J\\x1b]0;PWN\\x07');
    expect(out.stderr.includes('\u001b')).toBe(false);
  });

  it('`--host 127.1` (127.0.0.1 as the resolver reads it) is loopback: it listens there with no --unsafe-listen and no warning, admin endpoints open (seventh trial of stop 28)', async () => {
    const { out, release, running } = await startEmulatorCommand(['--host', '127.1']);
    const { stdout, stderr } = out;
    try {
      expect(stderr).toBe('');
      const port = (/listening on http:\/\/127\.[0-9.]+:(\d+)/.exec(stdout) as RegExpExecArray)[1] as string;
      expect(await new EmulatorClient(`http://127.0.0.1:${port}`).requests()).toEqual([]);
    } finally {
      release();
    }
    expect(await running).toBe(0);
  });

  it('with --unsafe-listen it warns on stderr and its admin endpoints need the printed token', async () => {
    const { out, release, running } = await startEmulatorCommand(['--host', '0.0.0.0', '--unsafe-listen']);
    const { stdout, stderr } = out;
    const port = (/listening on http:\/\/0\.0\.0\.0:(\d+)/.exec(stdout) as RegExpExecArray)[1] as string;
    const token = (/x-emulator-admin-token: (\S+)/.exec(stderr) as RegExpExecArray)[1] as string;
    expect(stderr).toMatch(/^WARNING: the emulator listens on 0\.0\.0\.0/);
    const local = `http://127.0.0.1:${port}`;
    await expect(new EmulatorClient(local).requests()).rejects.toThrow(/HTTP 401/);
    expect(await new EmulatorClient(local, token).requests()).toEqual([]);
    release();
    expect(await running).toBe(0);
  });
});
