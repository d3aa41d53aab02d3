import { runSync } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { intercomDestination } from '../src/index';
import { FAST, person } from './helpers';
import { records, startEmulator } from './intercom-harness';

// Fresh trial 147, F1: a phone a spreadsheet turned into 4.479E+11 was written to the contact as that text, over the good number.
describe('Intercom: a phone in a spreadsheet\'s scientific notation', () => {
  const t = perTestEmulator(startEmulator);

  it('fails its row alone (scientific_notation), nothing written to it; a phone written out is sent', async () => {
    const state = t.state;
    const run = (phones: string[]) => runSync({ collectResults: true, destination: intercomDestination, config: t.env.config, mode: 'additive', source: memorySource(phones.map((phone, i) => person(i, { phone }))), state, retry: FAST });
    await run(['+44 7900 900123', '+1 534 570 0755']);
    const next = await run(['4.479E+11', '+1 534 570 0799']);
    expect(next.results.map((r) => r.code ?? r.outcome)).toEqual(['scientific_notation', 'updated']);
    expect(next.results[0]?.message).toMatch(/^phone is written in a spreadsheet's scientific notation .*format the column as text/);
    expect((await records(t.env.admin)).contacts.map((c) => c.phone).sort()).toEqual(['+1 534 570 0799', '+44 7900 900123']);
  });
});

// An external_id a spreadsheet wrote as 4.479E+11 stands for several users (447900900123, 447900911999): it is never matched, nor given to a contact.
describe('Intercom: an external_id in a spreadsheet\'s scientific notation', () => {
  const t = perTestEmulator(startEmulator);

  for (const matchBy of ['external_id', 'external_id_then_email', 'email'] as const) {
    it(`matching by ${matchBy}: the row fails scientific_notation alone; no contact gets that external_id`, async () => {
      await t.env.admin.seed({ contacts: [{ role: 'user', external_id: '4.479E+11', email: 'old@example.com', name: 'Old' }] });
      const rows = [person(0, { external_id: '4.479E+11', email: 'ann@example.com' }), person(1, { external_id: '1E+10', email: 'old@example.com' }), person(2, { external_id: 'u-2', email: 'cy@example.com' })];
      const summary = await runSync({ collectResults: true, destination: intercomDestination, config: { ...t.env.config, matchBy }, mode: 'additive', source: memorySource(rows), state: t.state, retry: FAST });
      expect(summary.results.map((r) => r.code ?? r.outcome)).toEqual(['scientific_notation', 'scientific_notation', 'created']);
      expect(summary.results[0]?.message).toMatch(/^external_id is written in a spreadsheet's scientific notation .*Format the column as text/);
      expect((await records(t.env.admin)).contacts.map((c) => [c.external_id, c.email, c.name]).sort()).toEqual([
        ['4.479E+11', 'old@example.com', 'Old'],
        ['u-2', 'cy@example.com', expect.any(String)],
      ]);
    });
  }
});

describe('Intercom: external_ids in scientific notation, before and after they were refused (fresh reviewer 154)', () => {
  const t = perTestEmulator(startEmulator);

  it('F1, sync: a contact created under such an external_id before it was refused is archived when its row leaves', async () => {
    const before = { ...intercomDestination };
    delete (before as { refuseKey?: unknown }).refuseKey; // as before such values were refused
    await runSync({ destination: before, config: t.env.config, mode: 'sync', source: memorySource([person(0, { external_id: '4.479E+11' }), person(1)]), state: t.state, retry: FAST });
    expect((await records(t.env.admin)).contacts).toHaveLength(2);
    const left = await runSync({ collectResults: true, destination: intercomDestination, config: t.env.config, mode: 'sync', source: memorySource([person(1)]), state: t.state, retry: FAST, guard: { maxDeletes: 10 } });
    expect(left.results.find((r) => r.id === 'p0')).toMatchObject({ outcome: 'deleted' });
  });

  it('F2: every row in scientific notation fails scientific_notation; the run is not refused', async () => {
    const summary = await runSync({ collectResults: true, destination: intercomDestination, config: { ...t.env.config, matchBy: 'external_id' }, mode: 'additive', source: memorySource([person(0, { external_id: '4.479E+11' }), person(1, { external_id: '4.48E+11' })]), state: t.state, retry: FAST });
    expect(summary.status).toBe('completed');
    expect(summary.results.map((r) => r.code)).toEqual(['scientific_notation', 'scientific_notation']);
  });

  it('F3, matching by email: a refused external_id is no evidence against another row', async () => {
    await t.env.admin.seed({ contacts: [{ role: 'user', external_id: '4.479E+11', email: 'b@example.com', name: 'Old' }] });
    const rows = [person(0, { external_id: '4.479E+11', email: 'a@example.com' }), person(1, { external_id: null, email: 'b@example.com', name: 'New' })];
    const summary = await runSync({ collectResults: true, destination: intercomDestination, config: { ...t.env.config, matchBy: 'email' }, mode: 'additive', source: memorySource(rows), state: t.state, retry: FAST });
    expect(summary.results.map((r) => r.code ?? r.outcome)).toEqual(['scientific_notation', 'updated']);
  });
});

// Fresh trial 147, F4: addresses that cannot be anyone's were written as they were; a corrected row later made a second contact.
describe('Intercom: an email that is no address', () => {
  const t = perTestEmulator(startEmulator);

  it('fails its row alone (invalid_email), nothing written; internationalised and dotted local parts are sent', async () => {
    const emails = ['ada@example.com.', 'bob@example.com,', 'carl@example..com', 'dan@exam ple.com', '<eve@example.com>', 'jürgen@bücher.de', 'first.last+tag@example.co.uk'];
    const source = memorySource(emails.map((email, i) => person(i, { email, external_id: null })));
    const summary = await runSync({ collectResults: true, destination: intercomDestination, config: { ...t.env.config, matchBy: 'email' }, mode: 'additive', source, state: t.state, retry: FAST });
    expect(summary.results.map((r) => r.code ?? r.outcome)).toEqual(['invalid_email', 'invalid_email', 'invalid_email', 'invalid_email', 'invalid_email', 'created', 'created']);
    expect(summary.results[0]?.message).toMatch(/email is not an address .*Fix it in the source\.$/);
    expect((await records(t.env.admin)).contacts.map((c) => c.email).sort()).toEqual(['first.last+tag@example.co.uk', 'jürgen@bücher.de']);
  });

  // Fresh reviewer 149, M2: a contact found by its external_id, holding the same odd email, had the rest of its row held back.
  it('a contact found by its external_id takes the rest of its row, whatever its email', async () => {
    await t.env.admin.seed({ contacts: [{ role: 'user', external_id: 'ext-0', email: 'ada@example.com.', name: 'Old' }] });
    const summary = await runSync({ collectResults: true, destination: intercomDestination, config: t.env.config, mode: 'enrich', source: memorySource([person(0, { email: 'ada@example.com.', name: 'New' })]), state: t.state, retry: FAST });
    expect(summary.results[0]).toMatchObject({ outcome: 'updated' });
    expect((await records(t.env.admin)).contacts.map((c) => c.name)).toEqual(['New']);
  });
});

