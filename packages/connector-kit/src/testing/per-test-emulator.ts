import { afterEach, beforeEach } from 'vitest';
import { SqliteStateStore } from '../state/sqlite-state-store';

/**
 * For each test of the `describe` it is called in: a fresh emulator started by `start` (any
 * object with `emulator.stop()`, e.g. a connector test harness's) and a fresh in-memory SQLite
 * state, stopped and closed after the test. Read them from the returned object inside tests
 * (`t.env`, `t.state`): they are replaced before each test.
 */
export function perTestEmulator<E extends { readonly emulator: { stop(): Promise<unknown> } }>(start: () => Promise<E>): { env: E; state: SqliteStateStore } {
  const t = {} as { env: E; state: SqliteStateStore };
  beforeEach(async () => {
    t.env = await start();
    t.state = new SqliteStateStore(':memory:');
  });
  afterEach(async () => {
    t.state.close();
    await t.env.emulator.stop();
  });
  return t;
}
