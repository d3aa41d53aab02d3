import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmulatorServer, type EmulatorServerOptions } from '../../src/emulator/index';

/** An emulator whose `POST /things` adds a thing once `gate` opens; `saves` counts the saves of its data file, `atGate` the requests that reached the gate. */
function thingsEmulator(persistPath: string, gate: Promise<void>) {
  const things: string[] = [];
  const counts = { saves: 0, atGate: 0 };
  const options: EmulatorServerOptions = {
    name: 'things',
    persistPath,
    data: {
      snapshot: () => {
        counts.saves += 1;
        return { things: [...things] };
      },
      seed: () => undefined,
      load: (data) => things.push(...(data as { things: string[] }).things),
      reset: () => (things.length = 0),
    },
    vendor: {
      rateLimited: () => ({ status: 429 }),
      serverError: (status) => ({ status, body: { error: 'server error' } }),
      authExpired: () => ({ status: 401 }),
      notFound: () => ({ status: 404 }),
    },
    routes: [
      {
        method: 'POST',
        path: '/things',
        handler: async (req) => {
          counts.atGate += 1;
          await gate;
          // Each request then goes on in a callback of its own, as requests read in one poll phase
          // each go on in their own I/O callback: the 40 immediates are queued at once, before the
          // one that the first of them queues for the save, so they all run before it.
          await new Promise((r) => setImmediate(r));
          things.push((req.body as { name: string }).name);
          return { status: 201, body: { name: (req.body as { name: string }).name } };
        },
      },
    ],
  };
  return { server: new EmulatorServer(options), counts };
}

const saved = (path: string): string[] => (JSON.parse(readFileSync(path, 'utf8')) as { things: string[] }).things;

describe("an emulator's data file (persistPath): group commits", () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  it('answers changes made in one event-loop turn after one save, and each answer finds its change in the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncmodes-data-file-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'things.json');
    let open: () => void = () => undefined;
    const { server, counts } = thingsEmulator(path, new Promise<void>((resolve) => (open = resolve)));
    const url = await server.start();
    cleanup.push(() => server.stop());

    const names = Array.from({ length: 40 }, (_, i) => `thing-${i}`);
    const answered = names.map((name) =>
      fetch(`${url}/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) }).then(async (response) => ({
        status: response.status,
        name: ((await response.json()) as { name: string }).name,
        inFile: saved(path).includes(name),
      })),
    );
    // Every request is in its handler, waiting at the gate: open it, and all 40 change the data in one turn.
    await vi.waitFor(() => expect(counts.atGate).toBe(names.length), { timeout: 10_000 });
    const before = counts.saves;
    open();
    const answers = await Promise.all(answered);

    expect(answers.map((a) => a.status)).toEqual(names.map(() => 201));
    expect(answers.filter((a) => !a.inFile)).toEqual([]);
    expect(counts.saves - before).toBe(1);
    expect(saved(path).sort()).toEqual([...names].sort());
  });

  it('answers a server error to every change waiting on a save that fails, logs the write\'s error, keeps the data and saves it when it can, without waiting for a request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncmodes-data-file-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'things.json');
    const { server } = thingsEmulator(path, Promise.resolve());
    const url = await server.start();
    cleanup.push(() => server.stop());
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    cleanup.push(() => error.mockRestore());
    const post = (name: string) => fetch(`${url}/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) }).then((r) => r.status);

    expect(await post('a')).toBe(201);
    // The save's temp file cannot be written (a folder stands in its way), as on a full disk.
    const blocker = `${path}.${process.pid}.tmp`;
    mkdirSync(blocker);
    expect(await Promise.all([post('b'), post('c'), post('d')])).toEqual([500, 500, 500]);
    expect(saved(path)).toEqual(['a']);
    // The log names the write's error, not the clean-up's (fresh reviewer 79, finding 2).
    const logged = error.mock.calls.map((c) => c.join(' ')).filter((line) => line.includes('cannot save its data'));
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.every((line) => /EISDIR: illegal operation on a directory, open/.test(line)), logged[0]).toBe(true);
    // Without any request, the failed save is tried again, and succeeds once it can (finding 3).
    rmSync(blocker, { recursive: true });
    await vi.waitFor(() => expect(saved(path).sort()).toEqual(['a', 'b', 'c', 'd']), { timeout: 5_000, interval: 100 });
    expect(await post('e')).toBe(201);
    expect(saved(path).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
