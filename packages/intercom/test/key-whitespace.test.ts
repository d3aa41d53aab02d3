import { SqliteStateStore, runSync, type SyncMode } from '@syncmodes/connector-kit';
import { memorySource, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { intercomDestination } from '../src/index';
import { FAST, outcomes, person } from './helpers';
import { records, startEmulator } from './intercom-harness';

// The kit matches contacts by their trimmed external_id and email (contact-keys.ts); the keys are
// written the same way, so another sync (or this one after losing its state) finds the contact
// instead of creating a second one (fresh helper 65: I1, I5).
describe('Intercom: keys with surrounding spaces are written trimmed', () => {
  let env: Awaited<ReturnType<typeof startEmulator>>;
  let state: SqliteStateStore;
  beforeEach(async () => {
    env = await startEmulator();
    state = new SqliteStateStore(':memory:');
  });
  afterEach(async () => {
    state.close();
    await env.emulator.stop();
  });
  const run = (rows: readonly ConformanceRecord[], mode: SyncMode, matchBy: 'external_id' | 'email') =>
    runSync({ collectResults: true, destination: intercomDestination, config: { ...env.config, matchBy }, mode, source: memorySource(rows), state, retry: FAST });
  const contacts = async () => (await records(env.admin)).contacts.map((c) => ({ id: c.id, external_id: c.external_id ?? null, email: c.email ?? null }));
  const freshState = () => {
    state.close();
    state = new SqliteStateStore(':memory:');
  };

  it('external_id " ext-1 ": the user is written with "ext-1" and a run without this state finds it', async () => {
    const first = await run([person(1, { external_id: ' ext-1 ' })], 'additive', 'external_id');
    expect(outcomes(first)).toEqual({ p1: 'created' });
    const [created] = await contacts();
    expect(created?.external_id).toBe('ext-1');
    freshState();
    const second = await run([person(1, { external_id: 'ext-1', name: 'Renamed' })], 'additive', 'external_id');
    expect(outcomes(second)).toEqual({ p1: 'updated' });
    expect((await contacts()).map((c) => c.id)).toEqual([created?.id]);
  });

  it('email " P1@Example.com " (a lead, matched by email): written trimmed, found by a run without this state', async () => {
    const first = await run([person(1, { external_id: null, email: ' P1@Example.com ' })], 'additive', 'email');
    expect(outcomes(first)).toEqual({ p1: 'created' });
    const [created] = await contacts();
    expect(created?.email?.toLowerCase()).toBe('p1@example.com');
    freshState();
    const second = await run([person(1, { external_id: null, email: 'p1@example.com', name: 'Renamed' })], 'additive', 'email');
    expect(outcomes(second)).toEqual({ p1: 'updated' });
    expect((await contacts()).map((c) => c.id)).toEqual([created?.id]);
  });
});
