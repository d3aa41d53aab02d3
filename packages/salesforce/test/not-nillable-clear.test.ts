import { runSync, type SyncMode } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };

// Fresh reviewer 96, F5: an emptied cell of a field Salesforce never leaves empty (the HasOptedOutOfEmail checkbox, a Lead's
// Status) was sent as null: the emulator cleared it and the row was reported updated, while Salesforce lets only nillable
// fields be set to null (a real org refuses it, or for a checkbox may keep false: an opt-out lost). The row now fails alone,
// naming the field; nothing is sent for it, and its other rows go on.
describe('Salesforce: clearing a field that is never empty', () => {
  const t = perTestEmulator(startEmulator);
  for (const mode of ['sync', 'additive', 'enrich'] as const satisfies readonly SyncMode[]) {
    it(`${mode}: an emptied checkbox fails required_field_missing alone and the opt-out stays; a nillable field still clears`, async () => {
      t.env.emulator.seed({ Contact: [{ LastName: 'Ann', Email: 'ann@example.com', HasOptedOutOfEmail: true, Title: 'Pilot' }, { LastName: 'Bo', Email: 'bo@example.com', Title: 'Chef' }] });
      const row = (id: string, Email: string, optOut: string | null, Title: string | null): ConformanceRecord => ({ id, snapshot: { properties: { Email, HasOptedOutOfEmail: optOut, Title }, groups: [] } });
      const run = (rows: ConformanceRecord[]) => runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode, source: memorySource(rows), state: t.state, retry: FAST });
      await run([row('a', 'ann@example.com', 'true', 'Pilot'), row('b', 'bo@example.com', 'false', 'Chef')]);
      const summary = await run([row('a', 'ann@example.com', null, 'Captain'), row('b', 'bo@example.com', 'false', null)]);
      expect(Object.fromEntries(summary.results.map((r) => [r.id, r.code ?? r.outcome]))).toEqual({ a: 'required_field_missing', b: 'updated' });
      expect(summary.results.find((r) => r.id === 'a')?.message).toBe('HasOptedOutOfEmail cannot be emptied (a checkbox is true or false, never empty): give it a value in the source, or stop mapping the column.');
      const contacts = t.env.emulator.org.all('Contact').map((c) => [c.Email, c.HasOptedOutOfEmail, c.Title ?? null]);
      expect(contacts).toEqual([['ann@example.com', true, 'Pilot'], ['bo@example.com', false, null]]);
    });
  }

  it('the emulator refuses a null for a field that is not nillable (REQUIRED_FIELD_MISSING), as Salesforce lets only nillable fields be nulled', async () => {
    t.env.emulator.seed({ Contact: [{ LastName: 'Ann', Email: 'ann@example.com', HasOptedOutOfEmail: true }] });
    const [ann] = t.env.emulator.org.all('Contact');
    const res = await fetch(`${t.env.config.instanceUrl}/services/data/v62.0/sobjects/Contact/${ann?.Id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${t.env.config.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ HasOptedOutOfEmail: null }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errorCode: string }[])[0]?.errorCode).toBe('REQUIRED_FIELD_MISSING');
    expect(t.env.emulator.org.all('Contact')[0]?.HasOptedOutOfEmail).toBe(true);
  });
});
