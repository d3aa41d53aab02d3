import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSync, SqliteStateStore, type RecordSource, type StateStore } from '@syncmodes/connector-kit';
import { PostgresStateStore } from '@syncmodes/postgres';
import type { PostgresCluster } from '@syncmodes/postgres/testing';
import { benchEntry } from '../destinations/index';

/** An unchanged rerun's planning rate with one state store. Units: records, ms, records per second. */
export interface PlanningFigures {
  readonly store: 'sqlite' | 'postgres';
  readonly records: number;
  readonly firstRunMs: number;
  readonly rerunMs: number;
  readonly recordsPerSec: number;
  /** Calls the rerun made that wrote (must be 0). */
  readonly rerunWrites: number;
}

function generated(n: number): RecordSource {
  const entry = benchEntry('salesforce');
  return {
    name: `generated 0..${n}`,
    async *open() {
      for (let i = 0; i < n; i++) yield { kind: 'record' as const, id: `p${i}`, row: i + 1, snapshot: { properties: entry.properties(i, 1), groups: [] } };
    },
  };
}

/**
 * `n` generated contacts into the Salesforce emulator (Bulk API 2.0 from 10,000 changes), then
 * the same input again: the rerun sends no write, so its time is planning (reading the
 * source twice, the state index, hashing) against the state store.
 */
async function measure(store: 'sqlite' | 'postgres', state: StateStore, n: number): Promise<PlanningFigures> {
  const entry = benchEntry('salesforce');
  const emulator = await entry.startEmulator({});
  try {
    const destination = await entry.destination();
    const run = () => runSync({ destination, config: entry.config(emulator.url, {}), mode: 'additive', source: generated(n), state, syncName: 'planning', collectResults: false });
    const first = await run();
    emulator.server.clearRequests();
    const rerun = await run();
    const rerunWrites = emulator.server.requests.filter((r) => r.method !== 'GET' && !r.path.includes('/query')).length;
    return { store, records: n, firstRunMs: first.durationMs, rerunMs: rerun.durationMs, recordsPerSec: n / (rerun.durationMs / 1000), rerunWrites };
  } finally {
    await emulator.stop();
  }
}

/** The planning rate of an unchanged rerun of `n` records with SQLite state, then with Postgres state. */
export async function measurePlanning(cluster: PostgresCluster, n: number): Promise<PlanningFigures[]> {
  const dir = mkdtempSync(join(tmpdir(), 'syncmodes-bench-planning-'));
  const sqlite = new SqliteStateStore(join(dir, 'state.sqlite'));
  const out: PlanningFigures[] = [];
  try {
    out.push(await measure('sqlite', sqlite, n));
  } finally {
    sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const postgres = await PostgresStateStore.open(await cluster.createDatabase('bench_planning'));
  try {
    out.push(await measure('postgres', postgres, n));
  } finally {
    await postgres.close();
  }
  return out;
}
