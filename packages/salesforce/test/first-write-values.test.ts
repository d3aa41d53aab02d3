import { runSync } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const row = (id: string, properties: Record<string, string | null>): ConformanceRecord => ({ id, snapshot: { properties: { Email: `${id}@example.com`, LastName: id, ...properties }, groups: [] } });

// The kit checks a new row's values before its lookup (2183268, fresh reviewer 87 F10). Fresh
// reviewer 95, F3: it checked empty values too, which a create or a first match never sends —
// a new Contact with HasOptedOutOfEmail "" failed invalid_boolean, and nothing was written.
describe('Salesforce: values checked before the lookup', () => {
  const t = perTestEmulator(startEmulator);
  const run = (rows: ConformanceRecord[], mode: 'sync' | 'enrich' = 'sync') =>
    runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode, source: memorySource(rows), state: t.state, retry: FAST });
  const byId = (summary: Awaited<ReturnType<typeof run>>) => Object.fromEntries(summary.results.map((r) => [r.id, r.code ?? r.outcome]));

  it('empty values pass; a bad value fails its row alone, before any request names it', async () => {
    t.env.emulator.seed({ Contact: [{ LastName: 'seen', Email: 'seen@example.com' }] });
    const summary = await run([row('fresh', { HasOptedOutOfEmail: '' }), row('seen', { HasOptedOutOfEmail: '', Birthdate: null }), row('bad', { Birthdate: 'soon' })]);
    expect(byId(summary)).toEqual({ fresh: 'created', seen: 'updated', bad: 'invalid_date' });
    expect(t.env.emulator.requests.filter((e) => JSON.stringify([e.path, e.query, e.body]).includes('bad@example.com'))).toEqual([]);
    const contacts = t.env.emulator.org.all('Contact').map((c) => [c.LastName, c.HasOptedOutOfEmail]);
    expect(contacts.sort()).toEqual([['fresh', false], ['seen', false]]);
  });
});
