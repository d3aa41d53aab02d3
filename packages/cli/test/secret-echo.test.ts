import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, tempDir } from './cli-helpers';

const TOKEN = 'SECRET-echoed-7d1e9a';

/** A gateway that answers every request 401 and echoes the Authorization header it got (as some proxies' error pages do). */
function echoingGateway(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const auth = req.headers.authorization ?? '';
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error.list', errors: [{ code: 'unauthorized', message: `bad token ${auth}` }], message: `token ${auth.split(' ').pop()}` }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) })),
  );
}

describe('a token the destination echoes in its error answer (fifth trial of stop 28, #17)', () => {
  let gateway: Awaited<ReturnType<typeof echoingGateway>>;
  beforeEach(async () => {
    gateway = await echoingGateway();
  });
  afterEach(async () => {
    await gateway.close();
  });

  it('is redacted in the run history: the state file, `runs --json` and `runs show` never hold it', async () => {
    const dir = tempDir();
    const file = join(dir, 'people.csv');
    writeFileSync(file, 'Id,Email,Name\n1,a@example.com,A\n');
    const stateDir = join(dir, 'state');
    const run = await cli(['sync', '--to', 'intercom', '--option', `baseUrl=${gateway.url}`, '--map', 'email=Email', '--map', 'name=Name', '--id', 'Id', '--state-dir', stateDir, '--from', file], { INTERCOM_ACCESS_TOKEN: TOKEN });
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
    const listed = await cli(['runs', '--state-dir', stateDir, '--json']);
    const runs = JSON.parse(listed.stdout) as { runId: string; reason?: { message: string } }[];
    expect(runs.length).toBe(1);
    expect(listed.stdout).toContain('[redacted]');
    expect(listed.stdout).not.toContain(TOKEN);
    const shown = await cli(['runs', 'show', runs[0]?.runId as string, '--state-dir', stateDir]);
    expect(shown.stdout + shown.stderr).not.toContain(TOKEN);
    expect(readFileSync(join(stateDir, 'state.sqlite')).includes(TOKEN)).toBe(false);
  });
});
