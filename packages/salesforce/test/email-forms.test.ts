import { runSync } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };

// Fresh reviewer 96, F1: the connector checked Email with zod's default pattern (Gmail's rules) and failed rows whose
// addresses Salesforce keeps — `&`, `=`, `#`, `~` before the @, a punycode top-level domain — so existing Contacts with
// those addresses were never updated. https://github.com/colinhacks/zod/issues/3411
describe('Salesforce: email addresses Salesforce accepts', () => {
  const t = perTestEmulator(startEmulator);
  const GOOD = ['first&last@example.com', 'a=b@example.com', 'ivan@example.xn--p1ai', 'x#y@example.com', '~ops@example.com', "o'brien@example.com", 'plain@example.com'];

  it('enrich updates the Contacts that hold them; addresses that are not emails still fail invalid_email, alone', async () => {
    t.env.emulator.seed({ Contact: GOOD.map((Email, i) => ({ LastName: `P${i}`, Email })) });
    const rows: ConformanceRecord[] = [
      ...GOOD.map((Email, i) => ({ id: `g${i}`, snapshot: { properties: { Email, Title: 'Pilot' }, groups: [] } })),
      ...['not-an-email', 'a@localhost', 'josé@example.com'].map((Email, i) => ({ id: `b${i}`, snapshot: { properties: { Email, Title: 'Pilot' }, groups: [] } })),
    ];
    const summary = await runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode: 'enrich', source: memorySource(rows), state: t.state, retry: FAST });
    expect(Object.fromEntries(summary.results.map((r) => [r.id, r.code ?? r.outcome]))).toEqual({
      ...Object.fromEntries(GOOD.map((_, i) => [`g${i}`, 'updated'])),
      b0: 'invalid_email',
      b1: 'invalid_email',
      b2: 'invalid_email',
    });
    expect(t.env.emulator.org.all('Contact').map((c) => [c.Email, c.Title])).toEqual(GOOD.map((e) => [e, 'Pilot']));
  });
});
