import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunListing, StateStore } from '@syncmodes/connector-kit';
import type { JobWithMetadata, PgBoss } from 'pg-boss';
import { runQueue, type RunJobData, type RunNotification } from '../../src/index';

/** A fresh temp folder. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'syncmodes-worker-'));
}

/** Writes a CSV of people `from`..`to` (ids `p<i>`), and returns its path. */
export function peopleCsv(dir: string, name: string, from: number, to: number, version = 1): string {
  const lines = ['id,email,last_name'];
  for (let i = from; i < to; i++) lines.push(`p${i},person${i}@example.com,Last ${i} v${version}`);
  const path = join(dir, `${name}.csv`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** Polls `check` every 100 ms until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A run's pg-boss job once it has ended (neither waiting, retrying nor active), in the run queue of `destination`. */
export function jobEnded(boss: PgBoss, destination: string, jobId: string, timeoutMs = 30_000): Promise<JobWithMetadata<RunJobData>> {
  return waitFor('the job to end', async () => {
    const job = await boss.getJobById<RunJobData>(runQueue(destination), jobId);
    return job && !['created', 'retry', 'active'].includes(job.state) ? job : undefined;
  }, timeoutMs);
}

/** The finished runs of a sync (by name), oldest first. */
export async function finishedRuns(state: StateStore, syncName: string): Promise<RunListing[]> {
  return (await state.listRuns({ syncName, limit: 100 })).filter((r) => r.status !== 'running').reverse();
}

/** The sync's run while it is running and has counted some of its `rows` records but not all, as recorded in the run history. */
export function runningWithCounts(state: StateStore, syncName: string, rows: number): Promise<RunListing> {
  return waitFor(`${syncName} running with counts so far`, async () => {
    const [run] = await state.listRuns({ syncName, limit: 1 });
    return run?.status === 'running' && run.counts.created > 0 && run.counts.created < rows && run;
  });
}

/** A notification as the test hook received it: its body, raw and parsed, and the path it was posted to. */
export interface ReceivedNotification {
  readonly path: string | undefined;
  readonly raw: string;
  readonly body: RunNotification;
}

/**
 * A webhook on 127.0.0.1 that records every notification POSTed to it (answering 204), for
 * tests of `--notify-url`: `url(path)` is its address with that path; `received` fills as
 * notifications arrive; `close()` stops it.
 */
export async function notificationHook(): Promise<{ url: (path: string) => string; received: ReceivedNotification[]; close: () => Promise<void> }> {
  const received: ReceivedNotification[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += String(c)));
    req.on('end', () => {
      received.push({ path: req.url, raw, body: JSON.parse(raw) as RunNotification });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: (path) => `http://127.0.0.1:${port}${path}`, received, close: () => new Promise((r) => server.close(() => r())) };
}
