import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SqliteStateStore, runSync } from '@syncmodes/connector-kit';
import { memorySource } from '@syncmodes/connector-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { facebookDestination } from '../src/index';
import { emailOf, startFacebook } from './facebook-harness';

/**
 * A proxy in front of the emulator that forwards every request, and cuts the answer to the
 * first add (`POST …/users`) halfway through its body, its Content-Length announcing more:
 * the add was applied, its answer never ended (trial 20b, `midbody`).
 */
async function cuttingProxy(target: string): Promise<{ url: string; server: Server; cut: () => number }> {
  let cut = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const forward = request(`${target}${req.url ?? ''}`, { method: req.method, headers: req.headers }, (answer) => {
        const body: Buffer[] = [];
        answer.on('data', (c: Buffer) => body.push(c));
        answer.on('end', () => {
          const whole = Buffer.concat(body);
          if (req.method === 'POST' && /\/users$/.test(new URL(req.url ?? '', target).pathname) && cut === 0) {
            cut++;
            res.writeHead(answer.statusCode ?? 200, { 'Content-Type': 'application/json', 'Content-Length': String(whole.length + 1000) });
            res.write(whole.subarray(0, Math.floor(whole.length / 2)));
            res.socket?.destroy();
            return;
          }
          res.writeHead(answer.statusCode ?? 200, { 'Content-Type': String(answer.headers['content-type'] ?? 'application/json') }).end(whole);
        });
      });
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, cut: () => cut };
}

describe('Facebook: an add whose answer is cut mid-body (re-check of trial 20b)', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('is a network_error, sent again (adding the same people again changes nothing): every person in the audience, none failed', async () => {
    const env = await startFacebook();
    const proxy = await cuttingProxy(env.baseUrl);
    stop = async () => {
      await new Promise((r) => proxy.server.close(r));
      await env.emulator.stop();
    };
    const source = memorySource(Array.from({ length: 4 }, (_, i) => ({ id: `p${i}`, snapshot: { properties: { EMAIL: emailOf(i) }, groups: ['A'] } })));
    const summary = await runSync({ collectResults: true, destination: facebookDestination, config: { ...env.config, baseUrl: proxy.url }, source, state: new SqliteStateStore(':memory:'), retry: { minTimeoutMs: 5, maxTimeoutMs: 20 } });
    expect(proxy.cut()).toBe(1);
    expect(summary.counts).toMatchObject({ created: 4, failed: 0 });
    expect((await env.members()).get('A')?.size).toBe(4);
  });
});
