import { afterEach, describe, expect, it } from 'vitest';
import { EmulatorClient, EmulatorServer, isLoopback, observeExchanges, type EmulatorExchange, type EmulatorServerOptions } from '../../src/emulator/index';

const options = (extra: Partial<EmulatorServerOptions> = {}): EmulatorServerOptions => ({
  name: 'safety',
  data: { snapshot: () => ({ kept: true }), seed: () => undefined, load: () => undefined, reset: () => undefined },
  vendor: {
    rateLimited: () => ({ status: 429, body: { error: 'slow down' } }),
    serverError: (status) => ({ status }),
    authExpired: () => ({ status: 401 }),
    notFound: () => ({ status: 404, body: { error: 'no route' } }),
  },
  routes: [
    { method: 'POST', path: '/oauth/token', handler: () => ({ status: 200, body: { access_token: 'new-access', token_type: 'Bearer' } }) },
    { method: 'POST', path: '/things', handler: (req) => ({ status: 201, body: { echo: req.body } }) },
  ],
  ...extra,
});

describe('emulator request logs never keep credentials (#17 item 11)', () => {
  let server: EmulatorServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('redacts OAuth form fields (refresh_token, client_secret, password) and keeps client_id (RFC 6749 §2.2: not a secret)', async () => {
    server = new EmulatorServer(options());
    const url = await server.start();
    const form = 'grant_type=refresh_token&refresh_token=RT-SECRET&client_id=app-1&client_secret=CS-SECRET&password=PW-SECRET';
    const answer = await fetch(`${url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer AUTH-SECRET' }, body: form });
    expect(answer.status).toBe(200);
    const log = await new EmulatorClient(url).requests();
    expect(log[0]?.body).toEqual({ grant_type: 'refresh_token', refresh_token: '[redacted]', client_id: 'app-1', client_secret: '[redacted]', password: '[redacted]' });
    const text = JSON.stringify(log);
    for (const secret of ['RT-SECRET', 'CS-SECRET', 'PW-SECRET', 'AUTH-SECRET']) expect(text).not.toContain(secret);
  });

  it('redacts credential fields at any depth of a JSON body and credential query parameters, keeping the rest', async () => {
    server = new EmulatorServer(options({ secretParams: ['sig'] }));
    const url = await server.start();
    const body = { name: 'x', nested: { token: 'TOK-SECRET', list: [{ api_key: 'KEY-SECRET', other: 1 }] } };
    await fetch(`${url}/things?access_token=AT-SECRET&sig=SIG-SECRET&fields=id`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const [entry] = server.requests;
    expect(entry?.query).toEqual({ access_token: '[redacted]', sig: '[redacted]', fields: 'id' });
    expect(entry?.body).toEqual({ name: 'x', nested: { token: '[redacted]', list: [{ api_key: '[redacted]', other: 1 }] } });
  });

  it('redacts name=value credentials in a text body it could not parse', async () => {
    server = new EmulatorServer(options());
    const url = await server.start();
    await fetch(`${url}/things`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'a=1&refresh_token=RT-SECRET&b=2' });
    expect(server.requests[0]?.body).toBe('a=1&refresh_token=[redacted]&b=2');
  });

  it('hands every API exchange to observers, without credential headers, and stops when asked', async () => {
    server = new EmulatorServer(options());
    const url = await server.start();
    const seen: EmulatorExchange[] = [];
    const stop = observeExchanges((e) => seen.push(e));
    await fetch(`${url}/things`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Key SECRET' }, body: '{"a":1}' });
    await fetch(`${url}/nowhere`);
    await new EmulatorClient(url).records(); // admin: not an exchange
    stop();
    await fetch(`${url}/things`, { method: 'POST', body: '{}' });
    expect(seen.map((e) => `${e.method} ${e.path} ${e.status} ${e.route ?? '-'}`)).toEqual(['POST /things 201 /things', 'GET /nowhere 404 -']);
    expect(seen[0]?.requestBody).toEqual({ a: 1 });
    expect(seen[0]?.responseBody).toEqual({ echo: { a: 1 } });
    expect(Object.keys(seen[0]?.requestHeaders ?? {})).not.toContain('authorization');
  });
});

describe('emulators listen on loopback unless told otherwise (#17 item 11)', () => {
  let server: EmulatorServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('knows loopback addresses', () => {
    // Short and numeric forms the resolver reads as 127.x (seventh trial of stop 28: --host 127.1 was called reachable from other machines).
    for (const host of ['127.0.0.1', '127.1.2.3', '127.1', '127.0.1', '2130706433', '0x7f.1', '0177.0.0.1', 'localhost', 'localhost.', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopback(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'example.com', '192.168.1.1', '128.1', '127.256.0.0.1', '127.example.com', '1', '0x80000001', '127.1.2.3.4', '::ffff:10.0.0.1', '']) expect(isLoopback(host), host).toBe(false);
  });

  it('refuses a non-loopback address without unsafeListen, naming the option', async () => {
    server = new EmulatorServer(options());
    await expect(server.start(0, '0.0.0.0')).rejects.toThrow(/unsafeListen/);
    expect(server.adminToken).toBeUndefined();
  });

  it('with unsafeListen, admin endpoints need the admin token; API routes answer as usual', async () => {
    server = new EmulatorServer(options());
    const url = await server.start(0, '0.0.0.0', { unsafeListen: true });
    const local = url.replace('0.0.0.0', '127.0.0.1');
    const token = server.adminToken as string;
    expect(token.length).toBeGreaterThanOrEqual(20);
    await expect(new EmulatorClient(local).records()).rejects.toThrow(/HTTP 401/);
    await expect(new EmulatorClient(local, 'wrong').records()).rejects.toThrow(/HTTP 401/);
    expect(await new EmulatorClient(local, token).records()).toEqual({ kept: true });
    expect((await fetch(`${local}/things`, { method: 'POST', body: '{}' })).status).toBe(201);
  });

  it('on loopback, admin endpoints need no token', async () => {
    server = new EmulatorServer(options());
    const url = await server.start();
    expect(server.adminToken).toBeUndefined();
    expect(await new EmulatorClient(url).records()).toEqual({ kept: true });
  });
});

describe('emulator request log after a clear', () => {
  let server: EmulatorServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('holds only requests that arrived after it: one held by a timeout fault and cut after the clear is not logged (verify saw it as a rerun write)', async () => {
    server = new EmulatorServer(options());
    const url = await server.start();
    const emulator = server;
    emulator.faults.set([{ kind: 'timeout', latencyMs: 300, method: 'POST', times: 1 }], 1);
    const held = fetch(`${url}/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).catch(() => 'cut');
    // Until the emulator holds it (the fault is counted when the request arrives).
    while (emulator.faults.injected.timeout === 0) await new Promise((r) => setTimeout(r, 5));
    expect(emulator.requests).toHaveLength(0);
    server.clearRequests();
    server.faults.clear();
    await fetch(`${url}/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"after":true}' });
    expect(await held).toBe('cut');
    expect(server.requests.map((e) => e.body)).toEqual([{ after: true }]);
  });

  it('takeRequests drains the log without losing a request still held (a latency fault): it is logged when it ends (the benchmark counts calls this way)', async () => {
    server = new EmulatorServer(options());
    const url = await server.start();
    const emulator = server;
    emulator.faults.set([{ kind: 'latency', latencyMs: 200, method: 'POST', times: 1 }], 1);
    const held = fetch(`${url}/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"held":true}' });
    while (emulator.faults.injected.latency === 0) await new Promise((r) => setTimeout(r, 5));
    expect(emulator.takeRequests()).toEqual([]);
    await held;
    expect(emulator.takeRequests().map((e) => e.body)).toEqual([{ held: true }]);
    expect(emulator.requests).toHaveLength(0);
  });
});
