import { runSync, type SyncMode } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { readContacts, startEmulator } from './salesforce-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const row = (id: string, email: string, groups: string[]): ConformanceRecord => ({ id, snapshot: { properties: { Email: email, LastName: id }, groups } });

// Fresh reviewer 88, F1 (major): a campaign member a person made (Status "Responded") was
// taken for one this sync added — the add answered DUPLICATE_VALUE, which counted as success —
// and removed when the row left the campaign, in additive mode too. The READMEs promise "only
// memberships this sync added are removed".
describe('Salesforce: campaign memberships the record had before this sync added them', () => {
  const t = perTestEmulator(startEmulator);
  const members = () => t.env.emulator.org.all('CampaignMember');

  for (const mode of ['sync', 'additive', 'enrich'] as const satisfies readonly SyncMode[]) {
    it(`${mode}: a membership made by a person stays when the row leaves that campaign, and a rerun sends nothing`, async () => {
      t.env.emulator.seed({ Contact: [{ LastName: 'Resp', Email: 'resp@example.com', Campaigns: ['Summit'] }] });
      const made = members()[0];
      const run = (groups: string[]) => runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode, source: memorySource([row('r1', 'resp@example.com', groups)]), state: t.state, retry: FAST });
      await run(['Summit', 'Webinar']);
      expect([...((await readContacts(t.env.admin))[0]?.groups ?? [])].sort()).toEqual(['Summit', 'Webinar']);

      t.env.emulator.clearRequests();
      const rerun = await run(['Summit', 'Webinar']);
      expect(rerun.results[0]?.outcome).toBe('unchanged');
      expect(t.env.emulator.requests.filter((e) => e.method !== 'GET')).toEqual([]);

      const left = await run([]);
      expect(left.results[0]?.outcome).toBe('updated'); // out of Webinar, which this sync added
      // Fresh reviewer 95, F7: the result says the person's membership was kept.
      expect(left.results[0]?.message).toMatch(/Left group "Summit", where the Salesforce record already was when this sync added it \(someone else's membership\): kept there, no longer tracked\./);
      expect((await readContacts(t.env.admin))[0]?.groups).toEqual(['Summit']);
      expect(members().find((m) => m.Id === made?.Id)).toBeDefined();

      // Back in Summit later: no add was needed, and the person's membership is still theirs.
      t.env.emulator.clearRequests();
      await run(['Summit']);
      const again = await run([]);
      expect(again.results[0]).toMatchObject({ outcome: 'unchanged' });
      expect(again.results[0]?.message).toMatch(/^Already up to date in Salesforce\. Left group "Summit", where/);
      expect(members().find((m) => m.Id === made?.Id)).toBeDefined();
    });
  }

  // Fresh reviewer 92, F2: after a case-only rename of the row's group, the "already a member"
  // answer to the add of `vip` was taken for a person's membership: the sync's own, never removed.
  it("additive: the sync's own membership renamed by case only (VIP, then vip) stays its own, and is removed when the row leaves it", async () => {
    const run = (groups: string[]) => runSync({ destination: salesforceDestination, config: t.env.config, mode: 'additive', source: memorySource([row('r1', 'own@example.com', groups)]), state: t.state, retry: FAST });
    await run(['VIP']);
    expect(members()).toHaveLength(1);
    await run(['vip']);
    expect(members()).toHaveLength(1);
    await run([]);
    expect(members()).toEqual([]);
  });

  // Fresh reviewer 92, F1: a run whose record write failed (retried out) had counted its
  // planned add held, so the next run's "already a member" answer counted as the sync's own.
  it('additive: a person\'s membership stays after a run whose record write failed (its add never sent)', async () => {
    t.env.emulator.seed({ Contact: [{ LastName: 'P', Email: 'p@example.com', Campaigns: ['VIP'] }] });
    const made = members()[0];
    const run = (groups: string[], title: string) =>
      runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode: 'additive', source: memorySource([{ id: 'r1', snapshot: { properties: { Email: 'p@example.com', LastName: 'P', Title: title }, groups } }]), state: t.state, retry: FAST });
    await run([], 'A');
    t.env.emulator.setFaults([{ kind: 'server_error', method: 'PATCH', path: 'composite/sobjects$', times: 50 }]);
    expect((await run(['VIP'], 'B')).results[0]).toMatchObject({ outcome: 'failed' });
    t.env.emulator.setFaults([]);
    await run(['VIP'], 'B');
    await run([], 'B');
    expect(members().map((m) => m.Id)).toEqual([made?.Id]);
  });

  // Fresh trial 153, F1: an add refused at every try (503 Service Unavailable) was still held as this sync's own; a membership
  // made before the next run — even through the API by the integration user, so CreatedById cannot tell — was taken for that
  // add landing late, and removed when the row left the campaign. An add whose answer was lost stays the sync's own.
  for (const [fault, kept] of [['server_error', true], ['lost_response', false]] as const) {
    it(`sync: after an add ${fault === 'server_error' ? 'refused (503) at every try' : 'whose answer was lost at every try'}, a membership made before the next run is ${kept ? 'kept as someone else\'s' : 'the sync\'s own'} when the row leaves`, async () => {
      const run = (groups: string[]) => runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode: 'sync', source: memorySource([row('r1', 'p@example.com', groups)]), state: t.state, retry: FAST });
      await run([]);
      t.env.emulator.org.create('Campaign', { Name: 'Platinum', IsActive: true }, { asSeed: true });
      t.env.emulator.setFaults([{ kind: fault, method: 'POST', path: 'composite/sobjects$', times: 100 }]);
      expect((await run(['Platinum'])).results[0]).toMatchObject({ outcome: 'failed', retryable: true });
      t.env.emulator.setFaults([]);
      const [contact, campaign] = [t.env.emulator.org.all('Contact')[0], t.env.emulator.org.all('Campaign')[0]];
      // The lost answers' add went through: the member is there already; else it is made now, as the integration user.
      if (members().length === 0) t.env.emulator.org.create('CampaignMember', { CampaignId: campaign?.Id, ContactId: contact?.Id, Status: 'Responded' });
      expect(members()).toHaveLength(1);
      await run(['Platinum']);
      const left = await run([]);
      expect(members()).toHaveLength(kept ? 1 : 0);
      if (kept) expect(left.results[0]?.message).toMatch(/someone else's membership\): kept there/);
    });
  }

  // Fresh reviewer 155, F1 (my regression in 89d822e): the add answered DUPLICATE_VALUE, then the read of who made the member
  // kept answering 503; that item's failure was taken for an add refused, so the row no longer held the group, and the departing
  // row's removal deleted the member the new row wants — in additive mode too.
  for (const mode of ['sync', 'additive'] as const satisfies readonly SyncMode[]) {
    it(`${mode}: a row taking over the record keeps its campaign when the read of who made the member keeps failing`, async () => {
      t.env.emulator.seed({ Contact: [{ LastName: 'Own', Email: 'own@example.com' }] });
      const run = (id: string, groups: string[]) => runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode, source: memorySource([row(id, 'own@example.com', groups)]), state: t.state, retry: FAST });
      await run('r1', ['Alpha']);
      expect(members()).toHaveLength(1);
      t.env.emulator.setFaults([{ kind: 'server_error', method: 'GET', query: 'CreatedById', times: 1000 }]);
      t.env.emulator.clearRequests();
      await run('r3', ['Alpha']);
      expect(t.env.emulator.requests.filter((e) => e.method === 'DELETE')).toEqual([]);
      expect(members()).toHaveLength(1);
      t.env.emulator.setFaults([]);
      await run('r3', ['Alpha']);
      await run('r3', []);
      expect(members()).toEqual([]);
    });
  }

  // Verify (seed 998622555, enrich with state write failures): r1 added the Contact to alpha,
  // then left the source as r3 came with the same Email and alpha. The add answered
  // DUPLICATE_VALUE — r1's membership, this sync's own — and was taken for a person's: never removed.
  for (const mode of ['sync', 'additive', 'enrich'] as const satisfies readonly SyncMode[]) {
    it(`${mode}: the sync's own membership stays its own when the row changes its id, and is removed when the row leaves the campaign`, async () => {
      t.env.emulator.seed({ Contact: [{ LastName: 'Own', Email: 'own@example.com' }] });
      const run = (id: string, groups: string[]) => runSync({ destination: salesforceDestination, config: t.env.config, mode, source: memorySource([row(id, 'own@example.com', groups)]), state: t.state, retry: FAST });
      await run('r1', ['Alpha']);
      expect(members()).toHaveLength(1);
      await run('r3', ['Alpha']);
      expect(members()).toHaveLength(1);
      await run('r3', []);
      expect(members()).toEqual([]);
    });
  }

  // Fresh reviewer 93, F5: the state read that tells the sync's own membership under another row
  // failed once, was taken for "no other entry", and the membership became found: kept for good.
  // Now the failure fails the read's records (groups pending); the next run decides again.
  it("additive: a failed state read while deciding an 'already a member' answer leaves the membership the sync's own", async () => {
    t.env.emulator.seed({ Contact: [{ LastName: 'Own', Email: 'own@example.com' }] });
    // Fails the first state read made after a CampaignMember create went out (the one deciding its answer).
    let failures = 0;
    const memberCreateSent = () => t.env.emulator.requests.some((e) => e.method === 'POST' && JSON.stringify(e.body).includes('"CampaignMember"'));
    const flaky = new Proxy(t.state, {
      get(target, key, receiver) {
        if (key === 'findByDestinationIds') {
          return (...args: Parameters<typeof target.findByDestinationIds>) =>
            failures > 0 && memberCreateSent() && failures-- > 0 ? Promise.reject(new Error('SQLITE_IOERR: disk I/O error (injected)')) : target.findByDestinationIds(...args);
        }
        const value = Reflect.get(target, key, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const run = (id: string, groups: string[]) => runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode: 'additive', source: memorySource([row(id, 'own@example.com', groups)]), state: flaky, retry: FAST });
    await run('r1', ['Alpha']);
    failures = 1;
    t.env.emulator.clearRequests();
    const failed = await run('r3', ['Alpha']);
    expect(failures).toBe(0);
    expect(failed.results[0]?.message).toMatch(/SQLITE_IOERR|pending/);
    await run('r3', ['Alpha']);
    await run('r3', []);
    expect(members()).toEqual([]);
  });

  // Fresh reviewer 93, F1: one 503 on the first add, then the resend answered DUPLICATE_VALUE —
  // which, for a resend, the kit took for its own add landing twice: the person's member
  // (Status "Responded") was deleted when the row left the campaign. Now the member is read:
  // CreatedById is not the integration user, so it is a person's, whatever the sends.
  for (const mode of ['sync', 'additive', 'enrich'] as const satisfies readonly SyncMode[]) {
    it(`${mode}: a person's membership stays when the add was resent after a 503`, async () => {
      t.env.emulator.seed({ Contact: [{ LastName: 'Resp', Email: 'resp@example.com', Campaigns: ['Summit'] }] });
      const made = members()[0];
      const run = (groups: string[]) => runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode, source: memorySource([row('r1', 'resp@example.com', groups)]), state: t.state, retry: FAST });
      await run([]);
      t.env.emulator.setFaults([{ kind: 'server_error', method: 'POST', path: 'composite/sobjects$', times: 1 }]);
      t.env.emulator.clearRequests();
      expect((await run(['Summit'])).results[0]).toMatchObject({ outcome: 'updated' });
      t.env.emulator.setFaults([]);
      const reads = t.env.emulator.requests.filter((e) => e.method === 'GET' && /CreatedById/.test(JSON.stringify(e.query)));
      expect(reads).toHaveLength(1);
      await run([]);
      expect(members().map((m) => m.Id)).toEqual([made?.Id]);
    });
  }

  // Fresh reviewer 95, F4: a 503 on the read of who made the member (the identity URL, or the
  // CreatedById query) fell back to the state's view, and the person's member was deleted. Now
  // the add fails with that error and is sent again; the read then proves it a person's.
  for (const [what, fault] of [
    ['identity read', { kind: 'server_error', method: 'GET', path: 'v62\\.0/?$', times: 1 }],
    ['CreatedById query', { kind: 'server_error', method: 'GET', path: '/query$', query: 'CreatedById', times: 1 }],
  ] as const) {
    it(`additive: a person's membership stays when the add's resend and the ${what} each meet a 503`, async () => {
      t.env.emulator.seed({ Contact: [{ LastName: 'Resp', Email: 'resp@example.com', Campaigns: ['Summit'] }] });
      const made = members()[0];
      const run = (groups: string[]) => runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode: 'additive', source: memorySource([row('r1', 'resp@example.com', groups)]), state: t.state, retry: FAST });
      await run([]);
      t.env.emulator.setFaults([{ kind: 'server_error', method: 'POST', path: 'composite/sobjects$', times: 1 }, fault]);
      t.env.emulator.clearRequests();
      expect((await run(['Summit'])).results[0]).toMatchObject({ outcome: 'updated' });
      expect(t.env.emulator.requests.filter((e) => e.fault !== undefined)).toHaveLength(2);
      t.env.emulator.setFaults([]);
      await run([]);
      expect(members().map((m) => m.Id)).toEqual([made?.Id]);
    });
  }

  // Fresh reviewer 93, F3: the sync's add failed (a 503 each time: not applied), a person then
  // added the member, and the next run's DUPLICATE_VALUE counted as the sync's own because the
  // failed run's write-ahead mark had listed the group. The member's CreatedById says whose it is.
  it("additive: a person's membership made after the sync's add failed stays the person's", async () => {
    t.env.emulator.seed({ Contact: [{ LastName: 'P', Email: 'p@example.com' }] });
    t.env.emulator.org.create('Campaign', { Name: 'VIP', IsActive: true }, { asSeed: true });
    const run = (groups: string[]) => runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode: 'additive', source: memorySource([row('r1', 'p@example.com', groups)]), state: t.state, retry: FAST });
    await run([]);
    t.env.emulator.setFaults([{ kind: 'server_error', method: 'POST', path: 'composite/sobjects$', times: 50 }]);
    expect((await run(['VIP'])).results[0]).toMatchObject({ outcome: 'failed' });
    t.env.emulator.setFaults([]);
    expect(members()).toEqual([]);
    const contact = t.env.emulator.org.all('Contact')[0];
    const campaign = t.env.emulator.org.all('Campaign').find((c) => c.Name === 'VIP');
    const made = t.env.emulator.org.create('CampaignMember', { CampaignId: campaign?.Id, ContactId: contact?.Id, Status: 'Responded' }, { asSeed: true });
    expect(made.success).toBe(true);
    await run(['VIP']);
    await run([]);
    expect(members().map((m) => m.Id)).toEqual([made.id]);
  });

  // The sync's own member (CreatedById: the integration user) found again after a 503 on its
  // add is still the sync's own: removed when the row leaves the campaign.
  it("additive: the sync's own membership answered DUPLICATE_VALUE on a resend is removed when the row leaves", async () => {
    t.env.emulator.seed({ Contact: [{ LastName: 'O', Email: 'o@example.com' }] });
    const run = (groups: string[]) => runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode: 'additive', source: memorySource([row('r1', 'o@example.com', groups)]), state: t.state, retry: FAST });
    await run([]);
    t.env.emulator.setFaults([{ kind: 'lost_response', method: 'POST', path: 'composite/sobjects$', times: 1 }]);
    await run(['VIP']);
    t.env.emulator.setFaults([]);
    expect(members()).toHaveLength(1);
    await run([]);
    expect(members()).toEqual([]);
  });

  it('sync: a record that leaves the source (kept: not created by this sync) leaves only the campaigns this sync added it to', async () => {
    t.env.emulator.seed({ Contact: [{ LastName: 'Resp', Email: 'resp@example.com', Campaigns: ['Summit'] }] });
    const made = members()[0];
    await runSync({ destination: salesforceDestination, config: t.env.config, mode: 'sync', source: memorySource([row('r1', 'resp@example.com', ['Summit', 'Webinar']), row('r2', 'other@example.com', [])]), state: t.state, retry: FAST });
    const left = await runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode: 'sync', source: memorySource([row('r2', 'other@example.com', [])]), state: t.state, retry: FAST });
    expect(left.results.find((r) => r.id === 'r1')).toMatchObject({ outcome: 'skipped', code: 'not_owned' });
    expect(left.results.find((r) => r.id === 'r1')?.message).toContain('removed from 1 managed group(s)');
    expect(members().map((m) => m.Id)).toEqual([made?.Id]);
  });
});
