import { parseConfig, runSync, SqliteStateStore } from '@syncmodes/connector-kit';
import { memorySource } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { emptyStats } from '../src/stats';
import { RECORD_TARGETS, selectTargets } from '../src/targets';
import { PEOPLE_TARGETS, runPeopleScenario } from '../src/checks/people-moves';
import { runRecordsScenario } from '../src/checks/records-scenario';
import type { PeopleHistory } from '../src/model/people-history';
import type { HistorySpec } from '../src/model/history';
import { isProcessSection, sectionTests } from './section-tests';

// CI's short version of `npm run verify`: every section but those that start processes
// (`verify-processes.test.ts`, run beside this file), with the quick profile.
sectionTests((name) => !isProcessSection(name));

describe('verification targets', () => {
  it('salesforce-bulk sends write batches of more than 200 records as Bulk API 2.0 ingest jobs, not collections', async () => {
    const target = RECORD_TARGETS.find((t) => t.name === 'salesforce-bulk');
    if (!target) throw new Error('no salesforce-bulk target');
    const h = target.harness;
    const t = await h.start();
    try {
      const config = parseConfig(h.destination, t.config);
      const summary = await runSync({ collectResults: true, destination: h.destination, config, source: memorySource(Array.from({ length: 201 }, (_, i) => h.record(i))), state: new SqliteStateStore(':memory:'), mode: 'additive' });
      expect(summary.counts.created).toBe(201);
      const log = await t.admin.requests();
      expect(log.filter((e) => h.classify(e) === 'create').map((e) => `${e.method} ${e.path.replace(/v\d+\.\d+/, 'vXX')}`)).toEqual(['POST /services/data/vXX/jobs/ingest']);
      expect(log.some((e) => e.path.includes('/composite/sobjects'))).toBe(false);
    } finally {
      await t.stop();
    }
  });

  it('a release the failed run could not record is decided again: deleted once the row that resembled it has left too, and the row it blocked then moves (seed 672732455, quick)', async () => {
    // r3 leaves while new row r4 carries its values under another email: r3's record is kept
    // and released, but the state fails before the release is recorded (r3 failed
    // state_unwritable), so the sync still tracks it. r2 wants r3's email, held by that record.
    // Next run r4 leaves as well: r3's record is deleted, and r2 then moves to the freed email.
    const target = RECORD_TARGETS.find((t) => t.name === 'tiny');
    if (!target) throw new Error('no tiny target');
    const history: HistorySpec = {
      label: 'unrecorded release',
      seeded: [],
      steps: [
        { rows: [{ id: 'r2', keyIndex: 200, looksIndex: 1, value: null, groups: ['alpha'] }, { id: 'r3', keyIndex: 3, value: 'B', groups: ['beta'] }], faults: [] },
        { rows: [{ id: 'r2', keyIndex: 3, looksIndex: 1, value: null, groups: ['alpha'] }, { id: 'r4', keyIndex: 201, looksIndex: 3, value: 'B', groups: ['beta'] }], faults: [], stateFailsAfter: 3, repair: false },
        { rows: [{ id: 'r2', keyIndex: 3, looksIndex: 1, value: null, groups: ['alpha'] }], faults: [] },
      ],
    };
    const stats = emptyStats();
    await runRecordsScenario(target, 'sync', history, 1, stats);
    expect(stats.faultsInjected).toBeGreaterThan(0);
    expect(stats.violations).toEqual([]);
  });

  // Histories that verify's model once read wrongly after a state failure (the kit was right): a release not
  // sent whose resembling row stayed a pending mark (full, seed 558010475, state faults 558017875#1), and group changes
  // left pending (groups_pending) before the record left the source (seed 303#12 of the state-fault histories).
  const histories: ReadonlyArray<readonly [string, string]> = [
    ['a release not sent, its resembling row a pending mark', '{"seeded":[100,101,102],"ambiguous":[{"keyIndex":150,"copies":2},{"keyIndex":151,"copies":3}],"steps":[{"rows":[{"id":"r0","keyIndex":100,"value":null,"groups":["beta"]},{"id":"r1","keyIndex":101,"value":null,"groups":["beta"]},{"id":"r2","keyIndex":2,"value":null,"groups":["alpha","beta"]}],"faults":[],"stateFailsAfter":0},{"rows":[{"id":"r1","keyIndex":200,"value":null,"groups":["beta"]},{"id":"r2","keyIndex":2,"value":null,"groups":["alpha","beta"]},{"id":"r3","keyIndex":201,"looksIndex":100,"value":null,"groups":["beta"]}],"faults":[],"stateFailsAfter":1,"repair":false},{"rows":[{"id":"r1","keyIndex":200,"value":null,"groups":["beta"]},{"id":"r3","keyIndex":201,"looksIndex":100,"value":null,"groups":["beta"]}],"faults":[]}]}'],
    ['group changes left pending, then the record left', '{"seeded":[100,101,102],"ambiguous":[{"keyIndex":150,"copies":2},{"keyIndex":151,"copies":3}],"steps":[{"rows":[{"id":"r0","keyIndex":150,"value":"A","groups":["beta"]},{"id":"r1","keyIndex":150,"value":null,"groups":[]},{"id":"r2","keyIndex":100,"value":"B","groups":["alpha","beta"]},{"id":"r3","keyIndex":3,"value":null,"groups":["alpha","beta"]},{"id":"r4","keyIndex":101,"value":"B","groups":["alpha"]},{"id":"r5","keyIndex":150,"value":"A","groups":["alpha","beta"]}],"faults":[],"stateFailsAfter":2},{"rows":[{"id":"r0","keyIndex":150,"value":"B","groups":["beta"],"looksIndex":101},{"id":"r1","keyIndex":150,"value":null,"groups":["alpha"]},{"id":"r2","keyIndex":100,"value":"B","groups":["alpha","beta"]},{"id":"r3","keyIndex":200,"value":null,"groups":["alpha","beta"]},{"id":"r4","keyIndex":101,"value":"A","groups":["alpha"],"looksIndex":150},{"id":"r5","keyIndex":150,"value":"A","groups":["alpha","beta"]},{"id":"r6","keyIndex":102,"value":"B","groups":["alpha"]},{"id":"r7","keyIndex":3,"value":null,"groups":[]}],"faults":[],"stateFailsAfter":5},{"rows":[{"id":"r0","keyIndex":150,"value":"B","groups":["beta"],"looksIndex":101},{"id":"r2","keyIndex":100,"value":"B","groups":["alpha","beta"]},{"id":"r3","keyIndex":150,"value":null,"groups":["alpha","beta"]},{"id":"r4","keyIndex":101,"value":null,"groups":["alpha"],"looksIndex":102},{"id":"r5","keyIndex":150,"value":"A","groups":["alpha","beta"]},{"id":"r6","keyIndex":102,"value":"A","groups":["alpha"],"looksIndex":150},{"id":"r7","keyIndex":3,"value":null,"groups":[]},{"id":"r8","keyIndex":201,"looksIndex":150,"value":null,"groups":["alpha"]}],"faults":[],"stateFailsAfter":2,"repair":false},{"rows":[{"id":"r0","keyIndex":150,"value":"B","groups":["beta"],"looksIndex":101},{"id":"r3","keyIndex":150,"value":null,"groups":["alpha","beta"]},{"id":"r5","keyIndex":150,"value":"A","groups":["alpha","beta"]},{"id":"r7","keyIndex":3,"value":null,"groups":[]}],"faults":[]}]}'],
  ];
  it('state faults, group changes left pending, then sent by the next run (intercom/additive, full, seed 328096569, history 328103679#0): no violation', async () => {
    const target = RECORD_TARGETS.find((t) => t.name === 'intercom');
    if (!target) throw new Error('no intercom target');
    const stats = emptyStats();
    await runRecordsScenario(target, 'additive', { ...(JSON.parse('{"seeded":[100,101],"ambiguous":[{"keyIndex":150,"copies":2},{"keyIndex":151,"copies":3}],"steps":[{"rows":[{"id":"r0","keyIndex":0,"value":"B","groups":[]},{"id":"r1","keyIndex":1,"value":"A","groups":["beta"]},{"id":"r2","keyIndex":2,"value":"A","groups":["alpha"]}],"faults":[],"stateFailsAfter":0},{"rows":[{"id":"r0","keyIndex":0,"value":"B","groups":[]},{"id":"r1","keyIndex":1,"value":"A","groups":["beta"]},{"id":"r2","keyIndex":2,"value":"A","groups":["alpha","beta"]}],"faults":[],"stateFailsAfter":3},{"rows":[{"id":"r0","keyIndex":0,"value":"B","groups":[]},{"id":"r1","keyIndex":1,"value":"A","groups":["beta"]},{"id":"r2","keyIndex":2,"value":"A","groups":["alpha","beta"]}],"faults":[],"stateFailsAfter":1},{"rows":[{"id":"r0","keyIndex":0,"value":"A","groups":["beta"],"looksIndex":200},{"id":"r2","keyIndex":2,"value":null,"groups":["alpha","beta"]}],"faults":[],"stateFailsAfter":2,"repair":false},{"rows":[{"id":"r0","keyIndex":0,"value":"A","groups":["beta"],"looksIndex":200}],"faults":[]}]}') as HistorySpec), label: 'pending groups sent' }, 328103679, stats);
    expect(stats.faultsInjected).toBeGreaterThan(0);
    expect(stats.violations).toEqual([]);
  }, 60_000);

  it('state faults, a new id takes the key of a record kept in an earlier run with other values: refused identity_unclear, as the model now expects (intercom/additive, full, seed 697798702, history 697805812#0): no violation', async () => {
    const target = RECORD_TARGETS.find((t) => t.name === 'intercom');
    if (!target) throw new Error('no intercom target');
    const stats = emptyStats();
    await runRecordsScenario(target, 'additive', { ...(JSON.parse('{"seeded":[100,101],"ambiguous":[{"keyIndex":150,"copies":2},{"keyIndex":151,"copies":3}],"steps":[{"rows":[{"id":"r0","keyIndex":0,"value":null,"groups":[]},{"id":"r1","keyIndex":1,"value":null,"groups":["beta"]}],"faults":[],"stateFailsAfter":2},{"rows":[{"id":"r1","keyIndex":1,"value":null,"groups":["beta"]},{"id":"r2","keyIndex":1,"value":"B","groups":["beta"]}],"faults":[],"stateFailsAfter":5},{"rows":[{"id":"r1","keyIndex":1,"value":"A","groups":["beta"],"looksIndex":0},{"id":"r2","keyIndex":0,"value":"B","groups":["beta"],"looksIndex":203},{"id":"r3","keyIndex":202,"looksIndex":1,"value":null,"groups":["beta"]},{"id":"r4","keyIndex":4,"value":null,"groups":["alpha","beta"]}],"faults":[],"copies":[411435397],"stateFailsAfter":2},{"rows":[{"id":"r1","keyIndex":1,"value":"A","groups":["beta"],"looksIndex":0},{"id":"r3","keyIndex":202,"looksIndex":1,"value":null,"groups":["beta"]}],"faults":[]}]}') as HistorySpec), label: 'kept leaver' }, 697805812, stats);
    expect(stats.faultsInjected).toBeGreaterThan(0);
    expect(stats.violations).toEqual([]);
  }, 60_000);

  // CI of stop 51 (quick, seed 110057374, tiny/sync 110057774#0): r2 left while new row r5 carried its values under another
  // key and was created; r2's lookup failed after every retry, so it stayed tracked, and a run later (r5 no longer new) it
  // was taken out of alpha as an ordinary departure — deleted, had this sync created it.
  it('faults, tiny/sync: a departure whose lookup fails in the run that creates a new row with its values is still released, never deleted or taken out of its groups later (quick, seed 110057374, history 110057774#0): no violation', async () => {
    const target = RECORD_TARGETS.find((t) => t.name === 'tiny');
    if (!target) throw new Error('no tiny target');
    const stats = emptyStats();
    await runRecordsScenario(target, 'sync', { ...(JSON.parse('{"seeded":[100,101,102],"ambiguous":[{"keyIndex":150,"copies":2},{"keyIndex":151,"copies":3}],"steps":[{"rows":[{"id":"r0","keyIndex":100,"value":"B","groups":["beta"]},{"id":"r1","keyIndex":151,"value":null,"groups":["alpha","beta"]},{"id":"r2","keyIndex":101,"value":null,"groups":["alpha"]},{"id":"r3","keyIndex":3,"value":"A","groups":["alpha","beta"]},{"id":"r4","keyIndex":4,"value":null,"groups":["alpha","beta"]}],"faults":[{"kind":"rate_limit","rate":0.1014280477186977,"retryAfterSec":0.02,"latencyMs":30,"status":503,"path":"^/(?!__emulator)"},{"kind":"server_error","rate":0.1014280477186977,"retryAfterSec":0.02,"latencyMs":30,"status":503,"path":"^/(?!__emulator)"},{"kind":"latency","rate":0.1014280477186977,"retryAfterSec":0.02,"latencyMs":30,"status":503,"path":"^/(?!__emulator)"}]},{"rows":[{"id":"r0","keyIndex":100,"value":"B","groups":["beta"]},{"id":"r1","keyIndex":151,"value":null,"groups":["alpha","beta"]},{"id":"r3","keyIndex":3,"value":"A","groups":["alpha","beta"]},{"id":"r4","keyIndex":4,"value":null,"groups":["alpha","beta"]},{"id":"r5","keyIndex":200,"looksIndex":101,"value":null,"groups":["alpha"]},{"id":"r6","keyIndex":6,"value":null,"groups":["alpha","beta"]},{"id":"r7","keyIndex":7,"value":null,"groups":["alpha","beta"]}],"faults":[{"kind":"rate_limit","rate":0.15205107441279916,"retryAfterSec":0.02,"latencyMs":30,"status":503,"path":"^/(?!__emulator)"},{"kind":"server_error","rate":0.15205107441279916,"retryAfterSec":0.02,"latencyMs":30,"status":503,"path":"^/(?!__emulator)"},{"kind":"reset","rate":0.15205107441279916,"retryAfterSec":0.02,"latencyMs":30,"status":503,"path":"^/(?!__emulator)"},{"kind":"lost_response","rate":0.15205107441279916,"retryAfterSec":0.02,"latencyMs":30,"status":503,"path":"^/(?!__emulator)"},{"kind":"latency","rate":0.15205107441279916,"retryAfterSec":0.02,"latencyMs":30,"status":503,"path":"^/(?!__emulator)"}]},{"rows":[{"id":"r0","keyIndex":100,"value":"B","groups":["beta"]},{"id":"r3","keyIndex":3,"value":"A","groups":["alpha","beta"]},{"id":"r4","keyIndex":4,"value":null,"groups":["alpha","beta"],"looksIndex":151},{"id":"r5","keyIndex":200,"looksIndex":101,"value":null,"groups":["alpha"]},{"id":"r6","keyIndex":6,"value":null,"groups":["alpha","beta"]},{"id":"r7","keyIndex":7,"value":null,"groups":["alpha","beta"]},{"id":"r8","keyIndex":102,"value":"B","groups":["alpha"]}],"faults":[{"kind":"rate_limit","rate":0.08385115800866665,"retryAfterSec":0.02,"latencyMs":30,"status":503,"path":"^/(?!__emulator)"},{"kind":"lost_response","rate":0.08385115800866665,"retryAfterSec":0.02,"latencyMs":30,"status":503,"path":"^/(?!__emulator)"}]}]}') as HistorySpec), label: 'seed 110057774#0' }, 110057774, stats);
    expect(stats.faultsInjected).toBeGreaterThan(0);
    expect(stats.violations).toEqual([]);
  }, 60_000);

  // Sweep of stop 52 (quick, seed 1001, salesforce/additive state faults 8011#0): r2's update (to the seeded person's values) was
  // marked and never sent; the run stopped, and the mark could not be taken back. r2 then left while r0 took r2's real last
  // values under a new Email: compared with the mark's values only, r0 was written onto the seeded person's Contact.
  it('state faults, salesforce/additive: a row carrying the last values of a record that left with an update marked and never sent is refused, not written onto another Contact (quick, seed 1001, history 8011#0): no violation', async () => {
    const target = RECORD_TARGETS.find((t) => t.name === 'salesforce');
    if (!target) throw new Error('no salesforce target');
    const stats = emptyStats();
    await runRecordsScenario(target, 'additive', { ...(JSON.parse('{"seeded":[100,101],"ambiguous":[{"keyIndex":150,"copies":2},{"keyIndex":151,"copies":3}],"steps":[{"rows":[{"id":"r0","keyIndex":100,"value":"A","groups":[]},{"id":"r1","keyIndex":1,"value":null,"groups":["alpha"]},{"id":"r2","keyIndex":2,"value":"A","groups":[]},{"id":"r3","keyIndex":3,"value":null,"groups":[]}],"faults":[],"stateFailsAfter":5},{"rows":[{"id":"r0","keyIndex":100,"value":"A","groups":[]},{"id":"r1","keyIndex":1,"value":null,"groups":["alpha"]},{"id":"r2","keyIndex":2,"value":"A","groups":[]},{"id":"r3","keyIndex":2,"value":null,"groups":[]}],"faults":[],"stateFailsAfter":5},{"rows":[{"id":"r0","keyIndex":100,"value":"A","groups":[],"looksIndex":2},{"id":"r1","keyIndex":1,"value":null,"groups":["alpha"]},{"id":"r2","keyIndex":2,"value":"A","groups":[],"looksIndex":100}],"faults":[],"copies":[1850216137],"stateFailsAfter":4},{"rows":[{"id":"r0","keyIndex":202,"value":"A","groups":[],"looksIndex":2},{"id":"r2","keyIndex":2,"value":"A","groups":[],"looksIndex":100},{"id":"r4","keyIndex":201,"looksIndex":1,"value":null,"groups":["alpha"]},{"id":"r5","keyIndex":100,"value":"B","groups":[]}],"faults":[],"stateFailsAfter":1,"repair":false},{"rows":[{"id":"r0","keyIndex":202,"value":"A","groups":[],"looksIndex":2},{"id":"r4","keyIndex":201,"looksIndex":1,"value":null,"groups":["alpha"]}],"faults":[]}]}') as HistorySpec), label: 'state faults, seed 8011#0' }, 8011, stats);
    expect(stats.faultsInjected).toBeGreaterThan(0);
    expect(stats.violations).toEqual([]);
  }, 60_000);

  // CI of stop 49 (quick, seed 145591318, salesforce/sync state faults 145598318#0): r2's Email change was marked and never
  // sent (the run stopped), then r2 left; the Contact this sync created, still holding the old Email, was kept (match_field_changed).
  it('state faults, salesforce/sync: a row leaving after a run that marked its Email change and stopped has its Contact deleted (quick, seed 145591318, history 145598318#0): no violation', async () => {
    const target = RECORD_TARGETS.find((t) => t.name === 'salesforce');
    if (!target) throw new Error('no salesforce target');
    const stats = emptyStats();
    await runRecordsScenario(target, 'sync', { ...(JSON.parse('{"seeded":[100,101,102],"ambiguous":[{"keyIndex":150,"copies":2},{"keyIndex":151,"copies":3}],"steps":[{"rows":[{"id":"r0","keyIndex":100,"value":"B","groups":["alpha","beta"]},{"id":"r1","keyIndex":101,"value":"A","groups":["alpha","beta"]},{"id":"r2","keyIndex":2,"value":null,"groups":["alpha","beta"]},{"id":"r3","keyIndex":3,"value":null,"groups":["beta"]},{"id":"r4","keyIndex":4,"value":"B","groups":["alpha","beta"]}],"faults":[],"stateFailsAfter":1},{"rows":[{"id":"r0","keyIndex":100,"value":"B","groups":["alpha","beta"]},{"id":"r1","keyIndex":101,"value":null,"groups":["alpha","beta"],"looksIndex":2},{"id":"r2","keyIndex":2,"value":"A","groups":["alpha","beta"],"looksIndex":101},{"id":"r4","keyIndex":4,"value":"B","groups":["alpha","beta"]}],"faults":[],"stateFailsAfter":5},{"rows":[{"id":"r0","keyIndex":100,"value":"B","groups":["alpha","beta"]},{"id":"r1","keyIndex":101,"value":null,"groups":["alpha","beta"],"looksIndex":2},{"id":"r2","keyIndex":200,"value":"A","groups":["alpha","beta"],"looksIndex":101},{"id":"r4","keyIndex":4,"value":"B","groups":["alpha","beta"]}],"faults":[],"stateFailsAfter":2},{"rows":[{"id":"r0","keyIndex":100,"value":"B","groups":["alpha","beta"]},{"id":"r2","keyIndex":200,"value":"A","groups":["alpha","beta"],"looksIndex":204},{"id":"r6","keyIndex":202,"looksIndex":4,"value":"B","groups":["alpha","beta"]},{"id":"r7","keyIndex":203,"looksIndex":101,"value":"A","groups":["alpha","beta"]}],"faults":[],"stateFailsAfter":1,"repair":false},{"rows":[{"id":"r0","keyIndex":100,"value":"B","groups":["alpha","beta"]},{"id":"r6","keyIndex":202,"looksIndex":4,"value":"B","groups":["alpha","beta"]}],"faults":[]}]}') as HistorySpec), label: 'unconfirmed key change, then left' }, 145598318, stats);
    expect(stats.faultsInjected).toBeGreaterThan(0);
    expect(stats.violations).toEqual([]);
  }, 60_000);

  // New-user check of stop 53 (quick, seed 371763238, tiny/additive state faults 371770648#0): r1's update was sent and never
  // recorded (its mark keeps the values before it); r1 left while new row r2 had those earlier values. The kit compares a
  // departing record's every version and released r1's record (kept, groups too); the model compared its last values only and
  // expected r1 taken out of its group.
  it('state faults, tiny/additive: a row leaving after its update was sent and never recorded, while a new row has the values before that update, is released with its groups (quick, seed 371763238, history 371770648#0): no violation', async () => {
    const target = RECORD_TARGETS.find((t) => t.name === 'tiny');
    if (!target) throw new Error('no tiny target');
    const stats = emptyStats();
    await runRecordsScenario(target, 'additive', { ...(JSON.parse('{"seeded":[100,101,102],"ambiguous":[{"keyIndex":150,"copies":2},{"keyIndex":151,"copies":3}],"steps":[{"rows":[{"id":"r0","keyIndex":100,"value":"A","groups":[]}],"faults":[],"stateFailsAfter":4},{"rows":[{"id":"r0","keyIndex":100,"value":"A","groups":[]},{"id":"r1","keyIndex":101,"value":"A","groups":["beta"]}],"faults":[],"stateFailsAfter":0},{"rows":[{"id":"r0","keyIndex":100,"value":"A","groups":[]},{"id":"r1","keyIndex":101,"value":"A","groups":["beta"],"looksIndex":201},{"id":"r2","keyIndex":200,"looksIndex":101,"value":"A","groups":["beta"]},{"id":"r3","keyIndex":150,"value":"B","groups":["alpha","beta"]}],"faults":[],"copies":[1910574765],"stateFailsAfter":1,"repair":false},{"rows":[{"id":"r0","keyIndex":100,"value":"A","groups":[]},{"id":"r2","keyIndex":200,"looksIndex":101,"value":"A","groups":["beta"]}],"faults":[]}]}') as HistorySpec), label: 'released by an earlier version' }, 371770648, stats);
    expect(stats.faultsInjected).toBeGreaterThan(0);
    expect(stats.violations).toEqual([]);
  }, 60_000);

  // A sample of the state-fault histories (seed 1090), tiny/sync and additive: three rows rotated their values; the run wrote
  // the one it did not refuse and could not record it. Its mark, resent unchanged, counted among the window's changed rows,
  // so the next run wrote the two rows refused before (a clean history refuses them again).
  for (const mode of ['sync', 'additive'] as const) {
    it(`state faults, tiny/${mode}: a rotation of three rows stays refused after the one row written could not be recorded (history 1090): no violation`, async () => {
      const target = RECORD_TARGETS.find((t) => t.name === 'tiny');
      if (!target) throw new Error('no tiny target');
      const stats = emptyStats();
      await runRecordsScenario(target, mode, { ...(JSON.parse('{"seeded":[100],"ambiguous":[{"keyIndex":150,"copies":2},{"keyIndex":151,"copies":3}],"steps":[{"rows":[{"id":"r0","keyIndex":0,"value":"B","groups":["alpha"]},{"id":"r1","keyIndex":100,"value":null,"groups":["alpha"]},{"id":"r2","keyIndex":2,"value":null,"groups":[]},{"id":"r3","keyIndex":3,"value":"A","groups":["alpha","beta"]}],"faults":[],"stateFailsAfter":4},{"rows":[{"id":"r0","keyIndex":0,"value":"B","groups":["alpha"]},{"id":"r1","keyIndex":100,"value":"A","groups":["alpha"],"looksIndex":3},{"id":"r3","keyIndex":3,"value":null,"groups":["alpha","beta"],"looksIndex":100}],"faults":[],"stateFailsAfter":1},{"rows":[{"id":"r0","keyIndex":0,"value":"B","groups":["alpha"],"looksIndex":100},{"id":"r1","keyIndex":100,"value":"A","groups":["alpha"],"looksIndex":3},{"id":"r3","keyIndex":3,"value":"B","groups":["alpha","beta"],"looksIndex":0}],"faults":[],"copies":[1856413324],"stateFailsAfter":1},{"rows":[{"id":"r0","keyIndex":0,"value":"B","groups":["alpha"],"looksIndex":100},{"id":"r3","keyIndex":3,"value":"B","groups":["alpha","beta"],"looksIndex":0}],"faults":[]}]}') as HistorySpec), label: 'rotation after an unrecorded write' }, 1090, stats);
      expect(stats.faultsInjected).toBeGreaterThan(0);
      expect(stats.violations).toEqual([]);
    }, 60_000);
  }

  // Fresh reviewer 133 (F3): the same history with one more run of the changed rows that stops before sending anything
  // (stateFailsAfter 0): r1's update stays unrecorded, its earlier values with it; the model had forgotten them as the row was
  // unchanged, and expected r1's record taken out of its group.
  for (const mode of ['sync', 'additive'] as const) {
    it(`state faults, tiny/${mode}: an unrecorded update whose resend is never sent keeps its earlier values (fresh reviewer 133, F3): no violation`, async () => {
      const target = RECORD_TARGETS.find((t) => t.name === 'tiny');
      if (!target) throw new Error('no tiny target');
      const changed = [
        { id: 'r0', keyIndex: 100, value: 'A' as const, groups: [] },
        { id: 'r1', keyIndex: 101, value: 'A' as const, groups: ['beta' as const], looksIndex: 201 },
      ];
      const steps = [
        { rows: [{ id: 'r0', keyIndex: 100, value: 'A' as const, groups: [] }], faults: [], stateFailsAfter: 4 },
        { rows: [{ id: 'r0', keyIndex: 100, value: 'A' as const, groups: [] }, { id: 'r1', keyIndex: 101, value: 'A' as const, groups: ['beta' as const] }], faults: [] },
        { rows: changed, faults: [], stateFailsAfter: 1, repair: false },
        { rows: changed, faults: [], stateFailsAfter: 0, repair: false },
        { rows: [{ id: 'r0', keyIndex: 100, value: 'A' as const, groups: [] }, { id: 'r2', keyIndex: 200, looksIndex: 101, value: 'A' as const, groups: ['beta' as const] }], faults: [] },
      ];
      const stats = emptyStats();
      await runRecordsScenario(target, mode, { seeded: [100, 101, 102], steps, label: 'resend never sent' }, 4242, stats);
      expect(stats.faultsInjected).toBeGreaterThan(0);
      expect(stats.violations).toEqual([]);
    }, 60_000);
  }

  // Fresh reviewer 133's sampler (state faults, seed 61000 #925, tiny/additive): a run created r5 and stopped before sending
  // its groups (groups_pending); the model kept the groups on the new record, which has none yet.
  it('state faults, tiny/additive: a record created by a run that stopped before its groups holds none (fresh reviewer 133, history 61000#925): no violation', async () => {
    const target = RECORD_TARGETS.find((t) => t.name === 'tiny');
    if (!target) throw new Error('no tiny target');
    const stats = emptyStats();
    await runRecordsScenario(target, 'additive', { ...(JSON.parse('{"seeded":[100,101],"ambiguous":[{"keyIndex":150,"copies":2},{"keyIndex":151,"copies":3}],"steps":[{"rows":[{"id":"r0","keyIndex":151,"value":null,"groups":["alpha"]},{"id":"r1","keyIndex":1,"value":null,"groups":["beta"]},{"id":"r2","keyIndex":2,"value":"A","groups":["alpha"]}],"faults":[],"stateFailsAfter":2},{"rows":[{"id":"r1","keyIndex":1,"value":null,"groups":["beta"],"looksIndex":151},{"id":"r4","keyIndex":2,"value":"B","groups":["alpha"],"looksIndex":3},{"id":"r3","keyIndex":3,"value":null,"groups":["alpha","beta"],"looksIndex":2}],"faults":[],"stateFailsAfter":2},{"rows":[{"id":"r1","keyIndex":1,"value":null,"groups":["beta"],"looksIndex":151},{"id":"r4","keyIndex":2,"value":"B","groups":["alpha"],"looksIndex":3},{"id":"r3","keyIndex":3,"value":null,"groups":["alpha","beta"],"looksIndex":2}],"faults":[],"stateFailsAfter":0},{"rows":[{"id":"r1","keyIndex":1,"value":null,"groups":["beta"],"looksIndex":151},{"id":"r4","keyIndex":2,"value":"B","groups":["alpha"],"looksIndex":3},{"id":"r3","keyIndex":3,"value":null,"groups":["alpha"],"looksIndex":2},{"id":"r5","keyIndex":5,"value":"A","groups":["beta"]}],"faults":[],"stateFailsAfter":3,"repair":false},{"rows":[{"id":"r1","keyIndex":1,"value":null,"groups":["beta"],"looksIndex":151},{"id":"r3","keyIndex":3,"value":null,"groups":["alpha"],"looksIndex":2}],"faults":[]}]}') as HistorySpec), label: 'created, groups pending' }, 61925, stats);
    expect(stats.faultsInjected).toBeGreaterThan(0);
    expect(stats.violations).toEqual([]);
  }, 60_000);

  // A sample of the state-fault histories (seed 30075), tiny: r2 took r1's email and name as r1 left, while a copy shared the
  // email; r2 was refused (match_key_taken) and r1's record deleted (sync) or taken out of its groups (additive), not kept.
  for (const mode of ['sync', 'additive'] as const) {
    it(`state faults, tiny/${mode}: a record that left, whose email and name a tracked row took while a copy shares the email, is kept (history 30075): no violation`, async () => {
      const target = RECORD_TARGETS.find((t) => t.name === 'tiny');
      if (!target) throw new Error('no tiny target');
      const stats = emptyStats();
      await runRecordsScenario(target, mode, { ...(JSON.parse('{"seeded":[100,101,102],"ambiguous":[{"keyIndex":150,"copies":2},{"keyIndex":151,"copies":3}],"steps":[{"rows":[{"id":"r0","keyIndex":0,"value":"A","groups":[]},{"id":"r1","keyIndex":1,"value":"B","groups":[]}],"faults":[],"stateFailsAfter":3},{"rows":[{"id":"r0","keyIndex":0,"value":"A","groups":[]},{"id":"r1","keyIndex":1,"value":"B","groups":[]},{"id":"r2","keyIndex":2,"value":null,"groups":["alpha"]}],"faults":[],"copies":[1030144471],"stateFailsAfter":3},{"rows":[{"id":"r0","keyIndex":0,"value":"A","groups":[]},{"id":"r1","keyIndex":1,"value":"B","groups":[]},{"id":"r2","keyIndex":1,"value":null,"groups":["alpha"]},{"id":"r3","keyIndex":3,"value":null,"groups":[]}],"faults":[],"stateFailsAfter":1},{"rows":[{"id":"r0","keyIndex":0,"value":"A","groups":[]},{"id":"r2","keyIndex":1,"value":null,"groups":["alpha"]}],"faults":[]}]}') as HistorySpec), label: 'taken key on a copy' }, 30075, stats);
      expect(stats.violations).toEqual([]);
    }, 60_000);
  }

  // A sample of the histories (seed 5173), tiny/enrich: a new id took the email of a record kept in an earlier run, while a
  // copy of that record shared the email. The kit refuses an earlier leaver's key by the record its lookup found, so the two
  // records answer ambiguous_match first; the model expected identity_unclear.
  it('tiny/enrich: a new id with the key of a kept leaver that a copy shares is refused ambiguous_match (history 5173): no violation', async () => {
    const target = RECORD_TARGETS.find((t) => t.name === 'tiny');
    if (!target) throw new Error('no tiny target');
    const stats = emptyStats();
    await runRecordsScenario(target, 'enrich', { ...(JSON.parse('{"seeded":[100,101],"ambiguous":[{"keyIndex":150,"copies":2},{"keyIndex":151,"copies":3}],"steps":[{"rows":[{"id":"r0","keyIndex":100,"value":"A","groups":[]},{"id":"r1","keyIndex":1,"value":"A","groups":["alpha","beta"]},{"id":"r2","keyIndex":2,"value":"A","groups":["alpha","beta"]}],"faults":[{"kind":"server_error","rate":0.0500000000000001,"retryAfterSec":0.02,"latencyMs":30,"status":503,"path":"^/(?!__emulator)"},{"kind":"reset","rate":0.0500000000000001,"retryAfterSec":0.02,"latencyMs":30,"status":503,"path":"^/(?!__emulator)"},{"kind":"latency","rate":0.0500000000000001,"retryAfterSec":0.02,"latencyMs":30,"status":503,"path":"^/(?!__emulator)"}]},{"rows":[{"id":"r0","keyIndex":200,"value":"A","groups":[]},{"id":"r1","keyIndex":1,"value":"A","groups":["alpha","beta"]},{"id":"r2","keyIndex":2,"value":"A","groups":["alpha","beta"]},{"id":"r3","keyIndex":100,"value":"A","groups":["alpha"]}],"faults":[{"kind":"rate_limit","rate":0.0500000000000001,"retryAfterSec":0.02,"latencyMs":30,"status":503,"path":"^/(?!__emulator)"},{"kind":"server_error","rate":0.0500000000000001,"retryAfterSec":0.02,"latencyMs":30,"status":503,"path":"^/(?!__emulator)"},{"kind":"latency","rate":0.0500000000000001,"retryAfterSec":0.02,"latencyMs":30,"status":503,"path":"^/(?!__emulator)"}],"copies":[2000653018]},{"rows":[{"id":"r4","keyIndex":1,"value":"A","groups":["alpha","beta"]},{"id":"r2","keyIndex":2,"value":"A","groups":["alpha","beta"]},{"id":"r3","keyIndex":2,"value":"A","groups":["alpha"],"looksIndex":200}],"faults":[{"kind":"rate_limit","rate":0.1829612388307242,"retryAfterSec":0.02,"latencyMs":30,"status":503,"path":"^/(?!__emulator)"},{"kind":"reset","rate":0.1829612388307242,"retryAfterSec":0.02,"latencyMs":30,"status":503,"path":"^/(?!__emulator)"},{"kind":"lost_response","rate":0.1829612388307242,"retryAfterSec":0.02,"latencyMs":30,"status":503,"path":"^/(?!__emulator)"},{"kind":"latency","rate":0.1829612388307242,"retryAfterSec":0.02,"latencyMs":30,"status":503,"path":"^/(?!__emulator)"}]},{"rows":[{"id":"r5","keyIndex":1,"value":"A","groups":["alpha","beta"]},{"id":"r3","keyIndex":100,"value":"A","groups":["alpha"],"looksIndex":200},{"id":"r6","keyIndex":201,"looksIndex":2,"value":"A","groups":["alpha","beta"]}],"faults":[{"kind":"rate_limit","rate":0.16265402179222754,"retryAfterSec":0.02,"latencyMs":30,"status":503,"path":"^/(?!__emulator)"},{"kind":"latency","rate":0.16265402179222754,"retryAfterSec":0.02,"latencyMs":30,"status":503,"path":"^/(?!__emulator)"}]}]}') as HistorySpec), label: 'kept leaver, copy on its key' }, 5173, stats);
    expect(stats.violations).toEqual([]);
  }, 60_000);

  // Seed 3333 (quick), tiny/additive state faults 10743#0, with the fix above: r3's key change was sent and never recorded,
  // and a copy took its old key; r3 left. Taken by its old key, the copy lost r3's groups and r3's own record kept them.
  it('state faults, tiny/additive: a row leaving after a run that sent its key change without recording it, while a copy took the old key, has its own record\'s groups removed (quick, seed 3333, history 10743#0): no violation', async () => {
    const target = RECORD_TARGETS.find((t) => t.name === 'tiny');
    if (!target) throw new Error('no tiny target');
    const stats = emptyStats();
    await runRecordsScenario(target, 'additive', { ...(JSON.parse('{"seeded":[100,101],"ambiguous":[{"keyIndex":150,"copies":2},{"keyIndex":151,"copies":3}],"steps":[{"rows":[{"id":"r0","keyIndex":0,"value":"A","groups":[]},{"id":"r1","keyIndex":1,"value":"B","groups":["alpha"]},{"id":"r2","keyIndex":2,"value":null,"groups":["beta"]}],"faults":[],"stateFailsAfter":4},{"rows":[{"id":"r0","keyIndex":2,"value":"B","groups":[],"looksIndex":1},{"id":"r1","keyIndex":1,"value":"A","groups":["alpha"],"looksIndex":0},{"id":"r2","keyIndex":2,"value":null,"groups":["beta"]}],"faults":[],"stateFailsAfter":3},{"rows":[{"id":"r2","keyIndex":2,"value":null,"groups":["beta"]},{"id":"r3","keyIndex":0,"looksIndex":0,"value":"A","groups":["alpha"]},{"id":"r4","keyIndex":201,"looksIndex":1,"value":"B","groups":[]}],"faults":[],"stateFailsAfter":3},{"rows":[{"id":"r2","keyIndex":2,"value":null,"groups":["beta"]},{"id":"r3","keyIndex":200,"looksIndex":203,"value":"A","groups":["alpha"]},{"id":"r4","keyIndex":201,"looksIndex":1,"value":"B","groups":[]},{"id":"r5","keyIndex":202,"looksIndex":0,"value":"A","groups":["alpha"]}],"faults":[],"copies":[338091802],"stateFailsAfter":1,"repair":false},{"rows":[{"id":"r2","keyIndex":2,"value":null,"groups":["beta"]},{"id":"r4","keyIndex":201,"looksIndex":1,"value":"B","groups":[]}],"faults":[]}]}') as HistorySpec), label: 'unconfirmed key change, copy on the old key, then left' }, 10743, stats);
    expect(stats.faultsInjected).toBeGreaterThan(0);
    expect(stats.violations).toEqual([]);
  }, 60_000);

  it('state faults, salesforce/sync: after an unrepaired state failure, a never-written row on a shared key that carries a changed record\'s last values may be refused ambiguous_match or identity_unclear (fresh reviewer 114, seed 4711 #18): no violation', async () => {
    const target = RECORD_TARGETS.find((t) => t.name === 'salesforce');
    if (!target) throw new Error('no salesforce target');
    const stats = emptyStats();
    await runRecordsScenario(target, 'sync', { ...(JSON.parse('{"seeded":[100],"ambiguous":[{"keyIndex":150,"copies":2},{"keyIndex":151,"copies":3}],"steps":[{"rows":[{"id":"r0","keyIndex":0,"value":"A","groups":[]},{"id":"r1","keyIndex":1,"value":"A","groups":["alpha","beta"]},{"id":"r2","keyIndex":150,"value":"A","groups":[]},{"id":"r3","keyIndex":151,"value":"A","groups":["beta"]},{"id":"r4","keyIndex":4,"value":"A","groups":["alpha","beta"]},{"id":"r5","keyIndex":100,"value":null,"groups":[]}],"faults":[],"stateFailsAfter":2},{"rows":[{"id":"r0","keyIndex":0,"value":"A","groups":[]},{"id":"r1","keyIndex":1,"value":"A","groups":["alpha","beta"]},{"id":"r2","keyIndex":150,"value":"A","groups":[]},{"id":"r3","keyIndex":151,"value":"A","groups":["beta"]},{"id":"r4","keyIndex":4,"value":"A","groups":["alpha","beta"]},{"id":"r5","keyIndex":100,"value":null,"groups":[]},{"id":"r6","keyIndex":6,"value":null,"groups":["alpha","beta"]}],"faults":[],"stateFailsAfter":3},{"rows":[{"id":"r0","keyIndex":0,"value":"A","groups":[]},{"id":"r1","keyIndex":1,"value":"A","groups":["alpha","beta"]},{"id":"r2","keyIndex":150,"value":"A","groups":[]},{"id":"r3","keyIndex":151,"value":"A","groups":["beta"],"looksIndex":201},{"id":"r4","keyIndex":4,"value":"A","groups":["alpha","beta"]},{"id":"r5","keyIndex":100,"value":null,"groups":[]},{"id":"r6","keyIndex":6,"value":"A","groups":["alpha","beta"]},{"id":"r7","keyIndex":200,"looksIndex":151,"value":"A","groups":["beta"]}],"faults":[],"stateFailsAfter":5},{"rows":[{"id":"r0","keyIndex":0,"value":"A","groups":[]},{"id":"r1","keyIndex":204,"value":"A","groups":["alpha","beta"]},{"id":"r2","keyIndex":150,"value":"A","groups":[],"looksIndex":203},{"id":"r3","keyIndex":151,"value":"A","groups":["beta"],"looksIndex":201},{"id":"r4","keyIndex":4,"value":"B","groups":["alpha","beta"],"looksIndex":151},{"id":"r5","keyIndex":100,"value":null,"groups":[]},{"id":"r6","keyIndex":6,"value":"A","groups":["alpha","beta"]},{"id":"r7","keyIndex":200,"looksIndex":4,"value":"A","groups":["beta"]},{"id":"r8","keyIndex":202,"looksIndex":150,"value":"A","groups":[]}],"faults":[],"stateFailsAfter":2,"repair":false},{"rows":[{"id":"r0","keyIndex":0,"value":"A","groups":[]},{"id":"r2","keyIndex":150,"value":"A","groups":[],"looksIndex":203},{"id":"r4","keyIndex":4,"value":"B","groups":["alpha","beta"],"looksIndex":151},{"id":"r6","keyIndex":6,"value":"A","groups":["alpha","beta"]},{"id":"r8","keyIndex":202,"looksIndex":150,"value":"A","groups":[]}],"faults":[]}]}') as HistorySpec), label: 'refused either way' }, 4711 + 18, stats);
    expect(stats.faultsInjected).toBeGreaterThan(0);
    expect(stats.violations).toEqual([]);
  }, 60_000);

  for (const [name, json] of histories) {
    for (const mode of ['sync', 'additive'] as const) {
      it(`state faults, ${name} (${mode}): no violation`, async () => {
        const target = RECORD_TARGETS.find((t) => t.name === 'tiny');
        if (!target) throw new Error('no tiny target');
        const stats = emptyStats();
        await runRecordsScenario(target, mode, { ...(JSON.parse(json) as HistorySpec), label: name }, 1, stats);
        expect(stats.faultsInjected).toBeGreaterThan(0);
        expect(stats.violations).toEqual([]);
      });
    }
  }

  // OneSignal remembers a record it did not find (a day): while its row is unchanged it is not looked up nor compared with
  // the run's other rows (the kit's not-found memory). CI90's seed 947695138 (quick), onesignal/enrich state faults
  // 947702338#0: r4, remembered as not found a run earlier, carries r0's last values when r0 changes; the model refused it.
  it('state faults, onesignal/enrich: a row remembered as not found and unchanged is skipped not_found, not compared with a record whose last values it carries (quick, seed 947695138, history 947702338#0): no violation', async () => {
    const target = RECORD_TARGETS.find((t) => t.name === 'onesignal');
    if (!target) throw new Error('no onesignal target');
    const stats = emptyStats();
    await runRecordsScenario(target, 'enrich', { ...(JSON.parse('{"seeded":[100,101,102],"steps":[{"rows":[{"id":"r0","keyIndex":100,"value":"B","groups":[]},{"id":"r1","keyIndex":1,"value":"A","groups":["beta"]},{"id":"r2","keyIndex":101,"value":"A","groups":["beta"]},{"id":"r3","keyIndex":3,"value":null,"groups":[]}],"faults":[],"stateFailsAfter":2},{"rows":[{"id":"r0","keyIndex":1,"value":"B","groups":[],"looksIndex":201},{"id":"r1","keyIndex":1,"value":"A","groups":["beta"]},{"id":"r2","keyIndex":101,"value":"A","groups":["beta"]},{"id":"r3","keyIndex":3,"value":null,"groups":[]},{"id":"r4","keyIndex":200,"looksIndex":100,"value":"B","groups":[]},{"id":"r5","keyIndex":102,"value":"A","groups":["alpha"]}],"faults":[],"stateFailsAfter":3},{"rows":[{"id":"r0","keyIndex":100,"value":null,"groups":[],"looksIndex":101},{"id":"r6","keyIndex":1,"value":"A","groups":["beta"]},{"id":"r2","keyIndex":101,"value":"B","groups":["beta"],"looksIndex":201},{"id":"r3","keyIndex":3,"value":null,"groups":[]},{"id":"r4","keyIndex":200,"looksIndex":100,"value":"B","groups":[]},{"id":"r5","keyIndex":102,"value":"A","groups":["alpha"]}],"faults":[],"stateFailsAfter":2},{"rows":[{"id":"r0","keyIndex":100,"value":null,"groups":[],"looksIndex":101},{"id":"r6","keyIndex":102,"value":"A","groups":["beta"]},{"id":"r2","keyIndex":101,"value":"B","groups":["beta"],"looksIndex":201},{"id":"r3","keyIndex":3,"value":null,"groups":[]},{"id":"r4","keyIndex":200,"looksIndex":100,"value":"B","groups":[]},{"id":"r5","keyIndex":102,"value":"A","groups":["alpha"]}],"faults":[],"stateFailsAfter":5},{"rows":[{"id":"r0","keyIndex":100,"value":null,"groups":[],"looksIndex":101},{"id":"r2","keyIndex":101,"value":"B","groups":["beta"],"looksIndex":201},{"id":"r4","keyIndex":200,"looksIndex":100,"value":"B","groups":[]}],"faults":[]}]}') as HistorySpec), label: 'remembered not found' }, 947702338, stats);
    expect(stats.faultsInjected).toBeGreaterThan(0);
    expect(stats.violations).toEqual([]);
  }, 60_000);

  it('state faults, onesignal/enrich: a not-found memory the failing store did not record is no memory: the next run compares that row, and refuses it with the record whose last values it carries (no violation)', async () => {
    const target = RECORD_TARGETS.find((t) => t.name === 'onesignal');
    if (!target) throw new Error('no onesignal target');
    const stats = emptyStats();
    const history: HistorySpec = {
      seeded: [100, 101],
      steps: [
        { rows: [{ id: 'r0', keyIndex: 100, value: 'B', groups: [] }], faults: [] },
        // r4 is looked up and not found; the store refuses its first write, and no repair run follows.
        { rows: [{ id: 'r0', keyIndex: 100, value: 'B', groups: [] }, { id: 'r4', keyIndex: 200, looksIndex: 100, value: 'B', groups: [] }], faults: [], stateFailsAfter: 0, repair: false },
        // r0 changes; r4, unchanged, carries its last values.
        { rows: [{ id: 'r0', keyIndex: 100, looksIndex: 101, value: null, groups: [] }, { id: 'r4', keyIndex: 200, looksIndex: 100, value: 'B', groups: [] }], faults: [] },
      ],
    };
    await runRecordsScenario(target, 'enrich', { ...history, label: 'unrecorded not found' }, 1, stats);
    expect(stats.faultsInjected).toBeGreaterThan(0);
    expect(stats.violations).toEqual([]);
  }, 60_000);

  // Fresh reviewer 80: the state keeps an older not-found memory when the changed row is refused or its write fails, and
  // a run whose store fails cannot forget a row that left; the model took only a memory of the current row (F1, F2).
  describe('state and faults, onesignal/enrich: the model remembers what the sync\'s state remembers (fresh reviewer 80)', () => {
    const r0 = { id: 'r0', keyIndex: 100, value: 'B' as const, groups: [] };
    const r0changed = { id: 'r0', keyIndex: 100, looksIndex: 101, value: null, groups: [] };
    const r4carry = { id: 'r4', keyIndex: 200, looksIndex: 100, value: 'B' as const, groups: [] };
    const r5 = { id: 'r5', keyIndex: 101, value: 'A' as const, groups: [] };
    const latency = [{ kind: 'latency' as const, rate: 1, latencyMs: 1, path: '^/(?!__emulator)' }];
    const histories: [string, HistorySpec][] = [
      [
        'a remembered row borrows a key in a run with faults (duplicate_match_key), then has its remembered row again while the record whose values it carries changes',
        { seeded: [100, 101], steps: [{ rows: [r0, r5], faults: [] }, { rows: [r0, r4carry, r5], faults: [] }, { rows: [r0, { ...r4carry, keyIndex: 101 }, r5], faults: latency }, { rows: [r0changed, r4carry, r5], faults: [] }] },
      ],
      [
        'a remembered row changes in a run whose state writes fail, then has its remembered row again',
        { seeded: [100, 101], steps: [{ rows: [r0], faults: [] }, { rows: [r0, r4carry], faults: [] }, { rows: [r0, { ...r4carry, value: 'A' }], faults: [], stateFailsAfter: 0, repair: false }, { rows: [r0changed, r4carry], faults: [] }] },
      ],
      [
        'a remembered row leaves in a run whose state writes fail (not forgotten), then comes back unchanged',
        { seeded: [100, 101], steps: [{ rows: [r0], faults: [] }, { rows: [r0, r4carry], faults: [] }, { rows: [r0], faults: [], stateFailsAfter: 0, repair: false }, { rows: [r0changed, r4carry], faults: [] }] },
      ],
    ];
    it.each(histories)('%s: no violation', async (label, history) => {
      const target = RECORD_TARGETS.find((t) => t.name === 'onesignal');
      if (!target) throw new Error('no onesignal target');
      const stats = emptyStats();
      await runRecordsScenario(target, 'enrich', { ...history, label }, 3, stats);
      expect(stats.violations).toEqual([]);
    }, 60_000);
  });

  it('identity by id, salesforce/sync: a row taking a departed record\'s Email with other rows\' values is refused; that record is not deleted (full, seed 328096569, history 328107569#0)', async () => {
    const target = PEOPLE_TARGETS.find((t) => t.name === 'salesforce');
    if (!target) throw new Error('no salesforce people target');
    const history = JSON.parse(
      '{"people":4,"steps":[[{"kind":"leave","a":18},{"kind":"edit","a":1,"field":3},{"kind":"trade","a":7,"b":40,"field":3}],[{"kind":"swap","a":27,"b":43,"keep":1},{"kind":"shift","newcomer":false,"keep":2},{"kind":"trade","a":36,"b":31,"field":2}],[{"kind":"join"},{"kind":"rotate","a":13,"b":50,"c":18,"keep":1},{"kind":"shift","newcomer":false,"keep":0}]]}',
    ) as PeopleHistory;
    const stats = emptyStats();
    await runPeopleScenario(target, 'sync', history, 'seed 328107569#0', stats);
    expect(stats.scenarios).toBe(1);
    expect(stats.violations).toEqual([]);
  }, 60_000);

  it('identity by id, intercom/additive: one person under two ids, then one id given to someone new who kept the name: that id refused, no one written onto the person\'s contact (full, seed 28890446, history 28901556#0)', async () => {
    const target = PEOPLE_TARGETS.find((t) => t.name === 'intercom');
    if (!target) throw new Error('no intercom people target');
    const history = JSON.parse(
      '{"people":5,"steps":[[{"kind":"copy","a":16,"b":10}],[{"kind":"swap","a":36,"b":27,"keep":0},{"kind":"edit","a":43,"field":3},{"kind":"reuse","a":42}],[{"kind":"rotate","a":20,"b":46,"c":24,"keep":2},{"kind":"swap","a":21,"b":44,"keep":0},{"kind":"copy","a":10,"b":9}]]}',
    ) as PeopleHistory;
    const stats = emptyStats();
    await runPeopleScenario(target, 'additive', history, 'seed 28901556#0', stats);
    expect(stats.scenarios).toBe(1);
    expect(stats.violations).toEqual([]);
  }, 60_000);

  // CI75 (quick, seed 112453665, salesforce-bulk/sync state faults 112460965#0; the same without faults): r2, tracked under its own
  // record, takes the key of r1, which leaves, while carrying the values of r3, which leaves too. r2 is refused identity_unclear;
  // r1's record was deleted although the only row holding its key could not be told to be someone else.
  const keyTakenByUnclearRow = {
    seeded: [100, 101],
    ambiguous: [{ keyIndex: 150, copies: 2 }, { keyIndex: 151, copies: 3 }],
    steps: [
      { rows: [{ id: 'r0', keyIndex: 0, value: 'B', groups: [] }, { id: 'r1', keyIndex: 1, value: 'A', groups: [] }, { id: 'r2', keyIndex: 2, value: 'A', groups: ['alpha'] }, { id: 'r3', keyIndex: 3, value: null, groups: [] }, { id: 'r4', keyIndex: 100, value: 'B', groups: ['alpha', 'beta'] }], faults: [] },
      { rows: [{ id: 'r0', keyIndex: 0, value: 'B', groups: [] }, { id: 'r1', keyIndex: 1, value: 'A', groups: [] }, { id: 'r2', keyIndex: 1, value: null, groups: ['alpha'], looksIndex: 3 }, { id: 'r3', keyIndex: 3, value: 'B', groups: [], looksIndex: 100 }], faults: [] },
      { rows: [{ id: 'r0', keyIndex: 0, value: 'B', groups: [] }, { id: 'r2', keyIndex: 1, value: null, groups: ['alpha'], looksIndex: 3 }], faults: [] },
    ],
  } as HistorySpec;
  for (const name of ['tiny', 'salesforce', 'intercom']) {
    it(`a row refused identity_unclear holds the key of a record that left: that record is kept, not deleted (${name}/sync, quick seed 112453665)`, async () => {
      const target = RECORD_TARGETS.find((t) => t.name === name);
      if (!target) throw new Error(`no ${name} target`);
      const stats = emptyStats();
      await runRecordsScenario(target, 'sync', { ...keyTakenByUnclearRow, label: 'key taken by an unclear row' }, 1, stats);
      expect(stats.violations).toEqual([]);
    });
  }

  it('refuses an unknown target name, naming the known ones', () => {
    expect(() => selectTargets(['nope'])).toThrow(/Unknown target "nope"\. Known targets: salesforce, intercom, onesignal, salesforce-bulk, tiny, facebook, distributed\./);
    expect(selectTargets(['facebook', 'intercom'])).toMatchObject({ records: [{ name: 'intercom' }], audiences: [{ name: 'facebook' }], distributed: false });
    expect(selectTargets(['distributed'])).toEqual({ records: [], audiences: [], distributed: true });
  });
});
