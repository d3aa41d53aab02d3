import { createServer, type Server, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSalesforceEmulator } from '@syncmodes/salesforce/emulator';
import { describe, expect, it } from 'vitest';
import { cli, readReport, tempDir } from './cli-helpers';
import { salesforceSync, SF_ENV, useEmulator, useSourceFile } from './fixtures/per-test';

/** A TCP server that accepts every connection and never answers (a destination that hangs); counts the connections. */
async function silentServer(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('a destination that never answers', () => {
  const source = useSourceFile('people.csv', 'id,Email,LastName\n1,ada@example.com,Lovelace\n2,alan@example.com,Turing\n3,grace@example.com,Hopper\n');

  it('connecting: a timed-out request is retried twice (each retry said on stderr), then the run stops with destination_unreachable, counting the 3 requests sent', async () => {
    const server = await silentServer();
    try {
      const report = join(source.dir, 'report.json');
      const out = await cli(salesforceSync(server.url, '--option', 'requestTimeoutMs=200', '--from', source.file, '--state-dir', join(source.dir, 's'), '--report', report), {
        SALESFORCE_ACCESS_TOKEN: 'not-a-real-token',
      });
      expect(out.code, out.stderr).toBe(3);
      expect(server.connections()).toBe(3);
      // Each retry of the request that got no answer is said as it starts (a warning: the default log level shows it).
      expect(out.stderr).toContain('no answer from the destination in time (connect): retrying, 1 of at most 2 retries');
      expect(out.stderr).toContain('no answer from the destination in time (connect): retrying, 2 of at most 2 retries');
      expect(out.stderr).not.toContain('3 of at most');
      expect(out.stdout).toContain('API calls: connect 3 · HTTP requests 3 · retries 2');
      expect(out.stdout).toMatch(/STOPPED \(destination_unreachable\): Salesforce did not answer in time when the run connected, on every attempt; nothing more was sent/);
      expect(out.stdout).toContain('within 200 ms');
      const written = readReport(report);
      expect(written.reason?.code).toBe('destination_unreachable');
      expect(written.requests).toEqual({ connect: 3 });
      expect(written.calls.connect).toBe(3);
      expect(written.records.map((r) => r.code)).toEqual(['not_sent', 'not_sent', 'not_sent']);
    } finally {
      await server.close();
    }
  });

  it('--json: the summary counts the requests that timed out and names the stop', async () => {
    const server = await silentServer();
    try {
      const out = await cli(salesforceSync(server.url, '--option', 'requestTimeoutMs=200', '--from', source.file, '--state-dir', join(source.dir, 's'), '--json'), {
        SALESFORCE_ACCESS_TOKEN: 'not-a-real-token',
      });
      expect(out.code).toBe(3);
      const summary = JSON.parse(out.stdout) as { status: string; reason: { code: string; retryable: boolean }; requests: Record<string, number>; retries: number; codes: { skipped: Record<string, number> } };
      expect(summary).toMatchObject({ status: 'stopped', reason: { code: 'destination_unreachable', retryable: true }, requests: { connect: 3 }, retries: 2, codes: { skipped: { not_sent: 3 } } });
      expect(server.connections()).toBe(3);
    } finally {
      await server.close();
    }
  });
});

describe('a destination that stops answering after the run connected', () => {
  const sf = useEmulator(createSalesforceEmulator);

  it('three lookups in a row that got no answer after their retries stop the run (destination_unreachable); the report accounts for every row', async () => {
    const dir = tempDir();
    const file = join(dir, 'people.csv');
    writeFileSync(file, `id,Email,LastName\n${Array.from({ length: 800 }, (_, i) => `${i + 1},p${i + 1}@example.com,N${i + 1}`).join('\n')}\n`);
    // Every lookup is held for a minute without an answer; connecting (describe) still works.
    sf.emulator.setFaults([{ kind: 'timeout', method: 'GET', path: '/query', latencyMs: 60_000 }]);
    const report = join(dir, 'report.json');
    const out = await cli(salesforceSync(sf.url, '--mode', 'enrich', '--option', 'requestTimeoutMs=200', '--option', 'concurrency=1', '--from', file, '--state-dir', join(dir, 's'), '--report', report), SF_ENV);
    expect(out.code, out.stderr).toBe(3);
    const written = readReport(report);
    expect(written.reason?.code).toBe('destination_unreachable');
    expect(written.reason?.message).toMatch(/no answer to 3 calls in a row/);
    // Lookups of 200 records (four): three failed after being sent 3 times each, which stopped the run. The calls
    // interleave while they back off: the fourth was waiting (not sent again: its records not_sent) or in flight
    // (it finished: its records failed too). Never more than 3 sends of a lookup.
    expect(written.calls.find).toBeGreaterThanOrEqual(9);
    expect(written.calls.find).toBeLessThanOrEqual(12);
    expect(written.requests.find).toBe(written.calls.find);
    expect(written.records).toHaveLength(800);
    const timeouts = written.records.filter((r) => r.code === 'timeout').length;
    expect([600, 800]).toContain(timeouts);
    expect(written.records.filter((r) => r.code === 'not_sent')).toHaveLength(800 - timeouts);
    expect(written.counts.failed + written.counts.skipped).toBe(800);
  }, 60_000);
});
