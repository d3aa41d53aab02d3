import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmulatorServer } from '../src/emulator/index';
import { SqliteStateStore, runSync } from '../src/index';
import { memorySource, type ConformanceRecord } from '../src/testing/index';
import { tinyDestination } from './tiny/tiny-destination';
import { createTinyEmulator, TINY_TOKEN } from './tiny/tiny-emulator';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const person = (i: number, city = `City ${i}`): ConformanceRecord => ({
  id: `c${i}`,
  snapshot: { properties: { email: `person${i}@example.com`, name: `Person ${i}`, city }, groups: [] },
});
const dir = mkdtempSync(join(tmpdir(), 'syncmodes-index-runs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** The snapshots the file holds, read by another connection. */
function snapshots(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(DISTINCT sync_id) AS n FROM index_snapshot_parts').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('runs against a state whose index is kept as one blob (#14)', () => {
  let emulator: EmulatorServer;
  let config: { baseUrl: string; token: string };
  let path: string;
  let state: SqliteStateStore;
  beforeEach(async () => {
    emulator = createTinyEmulator();
    config = { baseUrl: await emulator.start(), token: TINY_TOKEN };
    path = join(dir, `state-${++n}.sqlite`);
    state = new SqliteStateStore(path, { indexSnapshotMinEntries: 3 });
  });
  afterEach(async () => {
    state.close();
    await emulator.stop();
  });

  const run = (people: ConformanceRecord[], extra: { mode?: 'sync' | 'additive'; dryRun?: boolean } = {}) =>
    runSync({ collectResults: true, destination: tinyDestination, config, source: memorySource(people), state, retry: FAST, mode: extra.mode ?? 'sync', dryRun: extra.dryRun ?? false });
  const outcomes = (summary: Awaited<ReturnType<typeof run>>) => Object.fromEntries(summary.results.map((r) => [r.id, r.outcome]));

  it('a run that went to its end keeps it; the next runs plan from it exactly as from the rows', async () => {
    const people = Array.from({ length: 20 }, (_, i) => person(i + 1));
    await run(people);
    expect(snapshots(path)).toBe(1);

    emulator.clearRequests();
    expect(Object.values(outcomes(await run(people)))).toEqual(Array(20).fill('unchanged'));
    expect(emulator.requests.filter((e) => e.method !== 'GET')).toHaveLength(0);
    expect(snapshots(path)).toBe(1);

    // One changed, one gone: the run's writes drop the snapshot, and its end keeps a new one.
    const next = people.slice(0, 19).map((p, i) => (i === 1 ? person(2, 'Oslo') : p));
    const changed = outcomes(await run(next));
    expect([changed.c2, changed.c20, Object.values(changed).filter((o) => o === 'unchanged').length]).toEqual(['updated', 'deleted', 18]);
    expect(snapshots(path)).toBe(1);
    expect(Object.values(outcomes(await run(next)))).toEqual(Array(19).fill('unchanged'));
    // Back to what the first snapshot said: a snapshot older than the rows would call it unchanged and leave Oslo in the destination.
    const back = outcomes(await run(people.slice(0, 19)));
    expect([back.c2, Object.values(back).filter((o) => o === 'unchanged').length]).toEqual(['updated', 18]);
    expect(emulator.requests.some((e) => e.method === 'PATCH' && JSON.stringify(e.body).includes('City 2'))).toBe(true);

    // A dry run keeps nothing new (and changes nothing): not even a snapshot dropped by an outside write.
    const outside = new Database(path);
    outside.prepare("UPDATE records SET updated_at = updated_at + 1 WHERE record_id = 'c1'").run();
    outside.close();
    expect(snapshots(path)).toBe(0);
    await run(next, { dryRun: true });
    expect(snapshots(path)).toBe(0);
    expect(outcomes(await run([...next, person(21)], { dryRun: true })).c21).toBe('created');
    expect(outcomes(await run([...next, person(21)])).c21).toBe('created');
    expect(Object.values(outcomes(await run([...next, person(21)])))).toEqual(Array(20).fill('unchanged'));
  });
});
