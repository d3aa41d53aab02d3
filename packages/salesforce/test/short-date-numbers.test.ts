import { runSync } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };

// Fresh reviewer 97, F3 (found on OneSignal; Salesforce read dates the same way): a year, 0 or a spreadsheet serial day in
// a date field was read as epoch seconds, and Birthdate became 1970-01-01, reported created. A whole number of fewer than
// 9 digits, with a fraction or not, now fails its row alone; 9 digits and more are epoch seconds as before, a fraction cut
// to whole seconds (fresh reviewer 100, F2: fractional epoch seconds had started failing too).
describe('Salesforce: dates written as short numbers', () => {
  const t = perTestEmulator(startEmulator);
  it('fail invalid_date alone (nothing sent for them); epoch seconds are still read', async () => {
    const values: Record<string, string> = { y: '1990', z: '0', s: '45383', f: '33010.5', e: '642902400', g: '642902400.5' };
    const rows: ConformanceRecord[] = Object.entries(values).map(([id, Birthdate]) => ({ id, snapshot: { properties: { Email: `${id}@example.com`, LastName: id, Birthdate }, groups: [] } }));
    const summary = await runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode: 'additive', source: memorySource(rows), state: t.state, retry: FAST });
    expect(Object.fromEntries(summary.results.map((r) => [r.id, r.code ?? r.outcome]))).toEqual({ y: 'invalid_date', z: 'invalid_date', s: 'invalid_date', f: 'invalid_date', e: 'created', g: 'created' });
    expect(summary.results.find((r) => r.id === 'y')?.message).toMatch(/Birthdate/);
    expect(t.env.emulator.org.all('Contact').map((c) => [c.Email, c.Birthdate])).toEqual([['e@example.com', '1990-05-17'], ['g@example.com', '1990-05-17']]);
  });
});
