import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '@syncmodes/connector-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { connectSalesforce } from '../src/client/salesforce-client';
import { salesforceConfigSchema } from '../src/config';
import { EMULATOR_ACCESS_TOKEN } from '../src/emulator/index';

/** A server on 127.0.0.1 that answers every request with `answer`, keeping each request's headers. */
async function listen(answer: (path: string) => { status: number; headers?: Record<string, string> }): Promise<{ url: string; seen: { path: string; headers: IncomingHttpHeaders }[]; server: Server }> {
  const seen: { path: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    const { status, headers = {} } = answer(req.url ?? '');
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end('[{"errorCode":"NOPE","message":"no"}]');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

/** Trial 20b N7: node-fetch 2 keeps the Authorization header on a redirect to another port of the same host. */
describe('Salesforce: redirects', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });

  it('a redirect to another port of the same host: followed without the access token', async () => {
    const capture = await listen(() => ({ status: 500 }));
    const redirector = await listen((path) => ({ status: 302, headers: { Location: `${capture.url}${path}` } }));
    servers.push(capture.server, redirector.server);
    const config = salesforceConfigSchema.parse({ instanceUrl: redirector.url, accessToken: EMULATOR_ACCESS_TOKEN, requestTimeoutMs: 5_000 });
    await connectSalesforce(config, silentLogger).catch(() => undefined);
    expect(redirector.seen.length).toBeGreaterThan(0);
    expect(redirector.seen[0]?.headers.authorization).toBe(`Bearer ${EMULATOR_ACCESS_TOKEN}`);
    expect(capture.seen.length).toBeGreaterThan(0);
    for (const request of capture.seen) expect(request.headers.authorization).toBeUndefined();
  });

  it('a 401 (or 403) from the other origin a redirect led to does not blame the token, which was never sent there: authentication_failed naming that origin and the instance URL (trial 20b NEW-4)', async () => {
    for (const status of [401, 403]) {
      const capture = await listen(() => ({ status }));
      const redirector = await listen((path) => ({ status: 302, headers: { Location: `${capture.url}${path}` } }));
      servers.push(capture.server, redirector.server);
      const config = salesforceConfigSchema.parse({ instanceUrl: redirector.url, accessToken: EMULATOR_ACCESS_TOKEN, requestTimeoutMs: 5_000 });
      const error = await connectSalesforce(config, silentLogger).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, String(status)).toMatchObject({ code: 'authentication_failed', retryable: false });
      const message = (error as Error).message;
      expect(message).toContain(`to ${capture.url}, another origin, where the access token is not sent`);
      expect(message).toContain(`answered ${status}. Check the instance URL`);
      expect(message).not.toContain(EMULATOR_ACCESS_TOKEN);
    }
  });

  it('a redirect within the same origin: followed with the token', async () => {
    const server = await listen((path) => (path.startsWith('/moved') ? { status: 500 } : { status: 302, headers: { Location: `/moved${path}` } }));
    servers.push(server.server);
    const config = salesforceConfigSchema.parse({ instanceUrl: server.url, accessToken: EMULATOR_ACCESS_TOKEN, requestTimeoutMs: 5_000 });
    await connectSalesforce(config, silentLogger).catch(() => undefined);
    const moved = server.seen.filter((r) => r.path.startsWith('/moved'));
    expect(moved.length).toBeGreaterThan(0);
    for (const request of moved) expect(request.headers.authorization).toBe(`Bearer ${EMULATOR_ACCESS_TOKEN}`);
  });
});
