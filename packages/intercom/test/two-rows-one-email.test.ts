import { runSync, type RunSyncOptions } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { intercomDestination } from '../src/index';
import { calls, FAST, outcomes, person } from './helpers';
import { records, startEmulator } from './intercom-harness';

// Matching by external_id then email, a row with only an email and a row with an external_id
// and that same email: Intercom finds the first row's contact by the second's email, and the
// other way round. Over two runs the later row is refused, and its message says why: this sync
// wrote that contact for the other row with this email (fresh helper 72, finding 6: it said
// "this sync never wrote it there", and told the user to fix the contact in Intercom).
describe('Intercom: two rows with one email, one of them with an external_id, over two runs', () => {
  const t = perTestEmulator(startEmulator);
  const run = (rs: readonly ConformanceRecord[], extra: Partial<RunSyncOptions> = {}) =>
    runSync({ collectResults: true, destination: intercomDestination, config: t.env.config, source: memorySource(rs), state: t.state, retry: FAST, mode: 'sync', ...extra });
  const emailOnly = person(1, { external_id: '', email: 'same@example.com' });
  const withExternalId = person(2, { email: 'Same@Example.com' });

  const cases = [
    { first: withExternalId, second: emailOnly, shared: 'email' },
    { first: emailOnly, second: withExternalId, shared: 'email' },
  ];
  for (const { first, second, shared } of cases) {
    it(`${first.id} first, then ${second.id} joins: ${second.id} is refused, naming ${first.id} and the shared ${shared}; nothing is written`, async () => {
      expect(outcomes(await run([first]))).toEqual({ [first.id]: 'created' });
      const before = await records(t.env.admin);
      await t.env.admin.clearRequests();
      const summary = await run([first, second]);
      expect(outcomes(summary)).toEqual({ [first.id]: 'unchanged', [second.id]: 'failed:duplicate_destination_record' });
      const message = summary.results.find((r) => r.id === second.id)?.message ?? '';
      expect(message).toContain(`which this sync wrote for record "${first.id}" with this row's ${shared} too`);
      expect(message).toContain('If the two rows are one person, merge them in the source');
      expect(message).not.toContain('never wrote');
      expect(calls(await t.env.admin.requests()).filter((c) => !c.startsWith('GET') && !c.startsWith('POST /contacts/search'))).toEqual([]);
      expect((await records(t.env.admin)).contacts).toEqual(before.contacts);
    });
  }
});

// The same rows arriving in one run, in either order, whatever Intercom holds already: the
// row with only the email is refused, never written onto the other row's contact nor
// created as a lead beside its user (both happened before: a lead and a user with one
// email; the email-only row's values written onto the user holding the other row's
// external_id when it came first). A lead both rows find goes to the first row, as any
// destination record two rows resolve to.
describe('Intercom: two rows with one email, one of them with an external_id, in one run', () => {
  const t = perTestEmulator(startEmulator);
  const run = (rs: readonly ConformanceRecord[], mode: RunSyncOptions['mode'] = 'sync') =>
    runSync({ collectResults: true, destination: intercomDestination, config: t.env.config, source: memorySource(rs), state: t.state, retry: FAST, mode });
  const emailOnly = person(1, { external_id: '', email: 'same@example.com' });
  const withExternalId = person(2, { email: 'Same@Example.com' });
  const alsoExternalId = person(3, { email: 'same@example.com' });
  const held = {
    nothing: [],
    'a user with p2\'s external_id and the email': [{ role: 'user', external_id: 'ext-2', email: 'same@example.com', name: 'Before' }],
    'a user with p2\'s external_id, no email': [{ role: 'user', external_id: 'ext-2', name: 'Before' }],
  };
  const contacts = async () => (await records(t.env.admin)).contacts.map((c) => [c.role, c.role === 'user' ? c.external_id : '-', c.email?.toLowerCase(), c.name].join(' / '));

  for (const [what, seed] of Object.entries(held)) {
    for (const order of [[emailOnly, withExternalId], [withExternalId, emailOnly]]) {
      for (const mode of ['sync', 'additive'] as const) {
        it(`Intercom holds ${what}; ${order.map((r) => r.id).join(' then ')} (${mode}): p1 is refused naming p2, p2 is written, no second contact`, async () => {
          if (seed.length > 0) await t.env.admin.seed({ contacts: seed });
          const summary = await run(order, mode);
          expect(outcomes(summary)).toEqual({ p1: 'failed:identity_unclear', p2: seed.length > 0 ? 'updated' : 'created' });
          // Found, the user holds p2's external_id (the kit's foreign-identity refusal); not found, p2 will hold the email.
          const found = what.includes('and the email');
          expect(summary.results.find((r) => r.id === 'p1')?.message).toContain(found ? 'has the email of record "p2" in the source' : 'also the email of record "p2" in the source');
          expect(await contacts()).toEqual(['user / ext-2 / same@example.com / Person 2']);
          expect(calls(await t.env.admin.requests()).filter((c) => c.startsWith('POST /contacts →'))).toHaveLength(seed.length > 0 ? 0 : 1);
        });
      }
    }
  }

  // Intercom holds a user with the email and an external_id no row has: the email-only row
  // finds that user, the row with its own external_id does not (that user is someone else) and
  // is created. The email then names two people: the email-only row is refused, not written
  // onto the user (fresh reviewer 84, F4: it was, and a second user was created beside it).
  for (const order of [[emailOnly, withExternalId], [withExternalId, emailOnly]]) {
    for (const mode of ['sync', 'additive'] as const) {
      it(`Intercom holds a user with the email and a third external_id; ${order.map((r) => r.id).join(' then ')} (${mode}): p1 is refused naming p2 and that user, p2 is created beside it`, async () => {
        await t.env.admin.seed({ contacts: [{ role: 'user', external_id: 'ext-9', email: 'same@example.com', name: 'Before' }] });
        const held = (await records(t.env.admin)).contacts[0]?.id;
        const summary = await run(order, mode);
        expect(outcomes(summary)).toEqual({ p1: 'failed:identity_unclear', p2: 'created' });
        const message = summary.results.find((r) => r.id === 'p1')?.message ?? '';
        expect(message).toContain(`Intercom record ${held}, found by this row's email, is not known to be that of record "p2" in the source, which has this email too`);
        expect(message).toContain('Nothing was written.');
        expect((await contacts()).sort()).toEqual(['user / ext-2 / same@example.com / Person 2', 'user / ext-9 / same@example.com / Before']);
        expect(calls(await t.env.admin.requests()).filter((c) => c.startsWith('PUT /contacts'))).toEqual([]);
      });
    }
  }

  it('over two runs with a user holding the email and a third external_id: the email-only row is refused both times, the user keeps its values', async () => {
    await t.env.admin.seed({ contacts: [{ role: 'user', external_id: 'ext-9', email: 'same@example.com', name: 'Before' }] });
    // The second time Intercom holds two users with the email: the lookup itself cannot tell which (ambiguous_match).
    for (const [p1, p2] of [['failed:identity_unclear', 'created'], ['failed:ambiguous_match', 'unchanged']]) {
      expect(outcomes(await run([emailOnly, withExternalId]))).toEqual({ p1, p2 });
    }
    expect((await contacts()).sort()).toEqual(['user / ext-2 / same@example.com / Person 2', 'user / ext-9 / same@example.com / Before']);
  });

  // One record a window: the other row's lookup is not known yet when the email-only row comes
  // first, so its state decides. Untracked, the email-only row is refused (unsure), and nothing
  // is written onto a contact the other row may be about to create a twin of or take.
  describe('one record a window', () => {
    const windowed = (rs: readonly ConformanceRecord[]) => runSync({ collectResults: true, destination: intercomDestination, config: t.env.config, source: memorySource(rs), state: t.state, retry: FAST, mode: 'sync', windowSize: 1 });
    // p2 first: its user is created before p1 is looked up, which then finds two users with the email.
    for (const [order, code] of [[[emailOnly, withExternalId], 'identity_unclear'], [[withExternalId, emailOnly], 'ambiguous_match']] as const) {
      it(`a user with the email and a third external_id; ${order.map((r) => r.id).join(' then ')}: p1 is refused (${code}), p2 is created`, async () => {
        await t.env.admin.seed({ contacts: [{ role: 'user', external_id: 'ext-9', email: 'same@example.com', name: 'Before' }] });
        expect(outcomes(await windowed(order))).toEqual({ p1: `failed:${code}`, p2: 'created' });
        expect((await contacts()).sort()).toEqual(['user / ext-2 / same@example.com / Person 2', 'user / ext-9 / same@example.com / Before']);
      });
    }
    it('a lead with the email, p1 first: p1 is refused (p2 not looked up yet), p2 takes the lead', async () => {
      await t.env.admin.seed({ contacts: [{ role: 'lead', email: 'same@example.com', name: 'Lead' }] });
      expect(outcomes(await windowed([emailOnly, withExternalId]))).toEqual({ p1: 'failed:identity_unclear', p2: 'updated' });
      expect(await contacts()).toHaveLength(1);
    });
    it('p2 written before, then p1 joins in a window of its own: p1 is refused naming p2 (duplicate_destination_record), as in one window', async () => {
      expect(outcomes(await windowed([withExternalId]))).toEqual({ p2: 'created' });
      expect(outcomes(await windowed([emailOnly, withExternalId]))).toEqual({ p1: 'failed:duplicate_destination_record', p2: 'unchanged' });
      expect(await contacts()).toEqual(['user / ext-2 / same@example.com / Person 2']);
    });
  });

  // A row that owns its record keeps writing it when another row with its own external_id
  // takes the email (fresh reviewer 85: it was refused by the rule above, in windows of one
  // record at once, and in one window once the other row wrote the email onto its own user).
  describe('the email-only row already owns its contact', () => {
    const renamed = (name: string) => person(1, { external_id: '', email: 'same@example.com', name });
    for (const windowSize of [1, 10_000]) {
      for (const order of ['p1 first', 'p2 first']) {
        it(`p2 joins (windows of ${windowSize}, ${order}): p1 updates its lead, p2 is refused as the lead is p1's`, async () => {
          expect(outcomes(await run([renamed('Person 1')]))).toEqual({ p1: 'created' });
          const rows = order === 'p1 first' ? [renamed('Renamed'), withExternalId] : [withExternalId, renamed('Renamed')];
          const summary = await runSync({ collectResults: true, destination: intercomDestination, config: t.env.config, source: memorySource(rows), state: t.state, retry: FAST, mode: 'sync', windowSize });
          expect(outcomes(summary)).toEqual({ p1: 'updated', p2: 'failed:duplicate_destination_record' });
          expect(await contacts()).toEqual(['lead / - / same@example.com / Renamed']);
        });
      }
    }
    it('p2 finds its own user by external_id and writes the email onto it: p1 still updates its lead, then and on the next run', async () => {
      expect(outcomes(await run([renamed('Person 1')]))).toEqual({ p1: 'created' });
      await t.env.admin.seed({ contacts: [{ role: 'user', external_id: 'ext-2', email: 'u2@example.com', name: 'U2' }] });
      expect(outcomes(await run([renamed('Renamed'), withExternalId]))).toEqual({ p1: 'updated', p2: 'updated' });
      expect(outcomes(await run([renamed('Renamed again'), withExternalId]))).toEqual({ p1: 'updated', p2: 'unchanged' });
      expect((await contacts()).sort()).toEqual(['lead / - / same@example.com / Renamed again', 'user / ext-2 / same@example.com / Person 2']);
    });
  });

  it('three rows (two users sharing the email, and the email alone): the email-only row is refused naming both; the users are created', async () => {
    const summary = await run([emailOnly, withExternalId, alsoExternalId]);
    expect(outcomes(summary)).toEqual({ p1: 'failed:identity_unclear', p2: 'created', p3: 'created' });
    expect(summary.results.find((r) => r.id === 'p1')?.message).toContain('also the email of records "p2", "p3" in the source, and Intercom finds them by their own');
    expect((await contacts()).sort()).toEqual(['user / ext-2 / same@example.com / Person 2', 'user / ext-3 / same@example.com / Person 3']);
  });

  for (const [order, taker, other] of [[[emailOnly, withExternalId], 'p1', 'p2'], [[withExternalId, emailOnly], 'p2', 'p1']] as const) {
    it(`a lead with the email, ${taker} first: ${taker} takes it, ${other} is refused (duplicate_destination_record), as for any record two rows resolve to`, async () => {
      await t.env.admin.seed({ contacts: [{ role: 'lead', email: 'same@example.com', name: 'Lead' }] });
      const summary = await run(order);
      expect(outcomes(summary)).toEqual({ [taker]: 'updated', [other]: 'failed:duplicate_destination_record' });
      expect(await contacts()).toHaveLength(1);
    });
  }

  it('enrich creates nothing, so nothing is refused for it: the email-only row is not found', async () => {
    const summary = await run([emailOnly, withExternalId], 'enrich');
    expect(summary.results.find((r) => r.id === 'p1')?.code).not.toBe('identity_unclear');
    expect(await contacts()).toEqual([]);
  });
});
