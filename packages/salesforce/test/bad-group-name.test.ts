import { runSync } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
/** 81 characters: Salesforce's Campaign Name holds 80 (STRING_TOO_LONG, `value_too_long`). */
const TOO_LONG = 'C'.repeat(81);
const TOO_LONG_2 = 'D'.repeat(90);

const row = (id: string, groups: readonly string[]): ConformanceRecord => ({ id, snapshot: { properties: { Email: `${id.toLowerCase()}@example.com`, LastName: id }, groups: [...groups] } });
type Summary = Awaited<ReturnType<typeof runSync>>;
const byId = (summary: Summary) => Object.fromEntries(summary.results.map((r) => [r.id, r.code ?? r.outcome]));

// One group that cannot be created (a Campaign name over 80 characters) failed every record
// with a group change, with that group's error and without naming it; the others never got
// their memberships, and every rerun sent them again (reviewer 88, F3). Now only the records
// naming the bad group fail, saying which group and what to fix.
describe('Salesforce: a group that cannot be found or created fails only the records naming it', () => {
  const t = perTestEmulator(startEmulator);
  const run = (rows: readonly ConformanceRecord[]) =>
    runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode: 'sync', source: memorySource(rows), state: t.state, retry: FAST });
  const contactId = (email: string) => String(t.env.emulator.org.all('Contact').find((c) => c.Email === email)?.Id);
  /** Campaign name → the LastNames of its member Contacts, sorted. */
  const memberships = () => {
    const names = new Map(t.env.emulator.org.all('Campaign').map((c) => [String(c.Id), String(c.Name)]));
    const people = new Map(t.env.emulator.org.all('Contact').map((c) => [String(c.Id), String(c.LastName)]));
    const out: Record<string, string[]> = {};
    for (const m of t.env.emulator.org.all('CampaignMember')) (out[names.get(String(m.CampaignId)) ?? '?'] ??= []).push(people.get(String(m.ContactId)) ?? '?');
    for (const list of Object.values(out)) list.sort();
    return out;
  };
  /** Campaign create requests (sObject Collections). */
  const campaignCreates = () =>
    t.env.emulator.requests.filter((e) => e.method === 'POST' && (e.body as { records?: { attributes?: { type?: string } }[] } | undefined)?.records?.[0]?.attributes?.type === 'Campaign');
  /** Requests (not reads) whose body or ids name one of `ids`. */
  const writesNaming = (ids: readonly string[]) =>
    t.env.emulator.requests.filter((e) => e.method !== 'GET' && ids.some((id) => JSON.stringify([e.path, e.query, e.body]).includes(id)));

  it('an 81-character campaign name fails its row alone (value_too_long, naming the group); the row in a valid group joins it; a rerun writes nothing for the others and warns of nothing', async () => {
    const rows = [row('U1', [TOO_LONG]), row('U2', ['Fine2']), row('U3', [])];
    const first = await run(rows);
    expect(byId(first)).toEqual({ U1: 'value_too_long', U2: 'created', U3: 'created' });
    const failed = first.results.find((r) => r.id === 'U1');
    expect(failed?.message).toContain(`group "${TOO_LONG}" could not be found or created`);
    expect(failed?.message).toContain("Fix the group's name in the source");
    expect(memberships()).toEqual({ Fine2: ['U2'] });
    expect(t.env.emulator.org.all('Campaign').map((c) => c.Name)).toEqual(['Fine2']);

    t.env.emulator.clearRequests();
    const second = await run(rows);
    expect(byId(second)).toEqual({ U1: 'value_too_long', U2: 'unchanged', U3: 'unchanged' });
    // No false "deleted / has no members although this sync added" warnings: U1 was never added to its group.
    expect(second.notices.map((n) => n.code)).toEqual([]);
    expect(writesNaming([contactId('u2@example.com'), contactId('u3@example.com'), 'u2@example.com', 'u3@example.com'])).toEqual([]);
    // The one name looked up (Fine2 is known from the group check) failed: its campaign is not asked for a second time.
    expect(campaignCreates()).toHaveLength(1);
    // U1's write went through; only its campaign is outstanding: the rerun does not send its fields again.
    expect(writesNaming([contactId('u1@example.com'), 'u1@example.com'])).toEqual([]);
    expect(memberships()).toEqual({ Fine2: ['U2'] });
  });

  it('two bad groups among several good ones: only the rows naming a bad group fail, each naming its own; a row with good and bad groups joins the good ones', async () => {
    const rows = [
      row('A', ['Good1', TOO_LONG]),
      row('B', ['Good1', 'Good2']),
      row('C', [TOO_LONG_2]),
      row('D', ['Good3']),
      row('E', ['Good2', 'Good3']),
    ];
    const first = await run(rows);
    expect(byId(first)).toEqual({ A: 'value_too_long', B: 'created', C: 'value_too_long', D: 'created', E: 'created' });
    const message = (id: string) => first.results.find((r) => r.id === id)?.message ?? '';
    expect(message('A')).toContain(`"${TOO_LONG}"`);
    expect(message('C')).toContain(`"${TOO_LONG_2}"`);
    expect(message('C')).not.toContain(`"${TOO_LONG}"`);
    expect(memberships()).toEqual({ Good1: ['A', 'B'], Good2: ['B', 'E'], Good3: ['D', 'E'] });

    t.env.emulator.clearRequests();
    const second = await run(rows);
    expect(byId(second)).toEqual({ A: 'value_too_long', B: 'unchanged', C: 'value_too_long', D: 'unchanged', E: 'unchanged' });
    expect(second.notices.map((n) => n.code)).toEqual([]);
    // Nothing is written for anyone: A and C only try their campaigns again (A's Good1 membership stands).
    expect(writesNaming(['A', 'B', 'C', 'D', 'E'].flatMap((id) => [contactId(`${id.toLowerCase()}@example.com`), `${id.toLowerCase()}@example.com`]))).toEqual([]);
    expect(memberships()).toEqual({ Good1: ['A', 'B'], Good2: ['B', 'E'], Good3: ['D', 'E'] });
  });

  it('a removal whose stay group cannot be looked up fails only that row (its removal not sent); the other rows leave the group; the next run finishes it', async () => {
    await run([row('R1', ['Old']), row('R2', ['Old', 'Keep']), row('R3', ['Old'])]);
    expect(memberships()).toEqual({ Keep: ['R2'], Old: ['R1', 'R2', 'R3'] });
    // R1 leaves Old for Stay, a new campaign: the removal looks Stay up (it may be the same campaign). Both lookups naming
    // it (all names at once, then Stay alone) are refused, not retryable; the run's group check, which asks for it first, is
    // let through, and so is the addition's (which creates it).
    const refused = [{ message: 'Campaign: insufficient access rights on object', errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY' }];
    await t.env.admin.setFaults([{ kind: 'server_error', status: 400, method: 'GET', path: '/query', query: "FROM Campaign WHERE Name IN \\(.*'Stay'", body: refused, after: 1, times: 2 }]);
    const next = [row('R1', ['Stay']), row('R2', ['Keep']), row('R3', [])];
    const second = await run(next);
    expect(byId(second)).toEqual({ R1: 'insufficient_access', R2: 'updated', R3: 'updated' });
    expect(second.results.find((r) => r.id === 'R1')?.message).toContain('The record stays in group "Stay"');
    expect((await t.env.admin.faults()).injected.server_error).toBe(2);
    // R1 is still in Old (its removal was not sent) and joined Stay; R2 and R3 left Old.
    expect(memberships()).toEqual({ Keep: ['R2'], Old: ['R1'], Stay: ['R1'] });

    await t.env.admin.clearFaults();
    const third = await run(next);
    expect(byId(third)).toEqual({ R1: 'updated', R2: 'unchanged', R3: 'unchanged' });
    expect(memberships()).toEqual({ Keep: ['R2'], Stay: ['R1'] });
  });
});
