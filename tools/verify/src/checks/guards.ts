import { SqliteStateStore, runSync, type AnyDestination } from '@syncmodes/connector-kit';
import type { EmulatorClient } from '@syncmodes/connector-kit/emulator';
import { memorySource, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import type { VerifyStats } from '../stats';
import type { RecordTarget } from '../targets';
import type { AudienceTarget } from './audience-scenario';

/** What the guard check needs of a destination and its started emulator. */
interface GuardSubject<T extends { readonly admin: EmulatorClient; readonly config: unknown; stop(): Promise<void> }> {
  readonly name: string;
  readonly destination: AnyDestination;
  start(): Promise<T>;
  record(i: number, groups: string[]): ConformanceRecord;
  /** Records (or audience members) the destination holds. */
  held(target: T): Promise<number>;
}

const RECORDS = 30;

/**
 * After a sync-mode run of 30 records, a run that would delete half of them and a run with
 * an empty source must both be refused before any request reaches the destination, and
 * leave its data as it was.
 */
async function checkGuards<T extends { readonly admin: EmulatorClient; readonly config: unknown; stop(): Promise<void> }>(subject: GuardSubject<T>, stats: VerifyStats): Promise<void> {
  if (!subject.destination.syncModes.includes('sync')) return;
  const where = `guards ${subject.name}`;
  const t = await subject.start();
  const state = new SqliteStateStore(':memory:');
  try {
    const records = Array.from({ length: RECORDS }, (_, i) => subject.record(i, ['alpha']));
    const run = (rs: readonly ConformanceRecord[]) => runSync({ collectResults: true, destination: subject.destination, config: t.config, mode: 'sync', source: memorySource([...rs]), state, sourceKey: 'id' });
    const first = await run(records);
    if (first.counts.created !== RECORDS) stats.violations.push(`${where}: setup created ${first.counts.created} of ${RECORDS}`);
    for (const [label, rs, code] of [
      ['deletion guard', records.slice(0, RECORDS / 2), 'deletion_guard'],
      ['empty source', [], 'empty_source'],
    ] as const) {
      await t.admin.clearRequests();
      const summary = await run(rs);
      if (summary.status !== 'refused' || summary.reason?.code !== code) stats.violations.push(`${where}: ${label} not refused (${summary.status} ${summary.reason?.code ?? ''})`);
      const sent = await t.admin.requests();
      if (sent.length > 0) stats.violations.push(`${where}: ${label}: ${sent.length} request(s) reached the destination before the refusal`);
      stats.scenarios++;
    }
    if ((await subject.held(t)) !== RECORDS) stats.violations.push(`${where}: data changed by a refused run`);
    stats.recordsChecked += RECORDS;
  } finally {
    state.close();
    await t.stop();
  }
}

/** The deletion and empty-source guards, for every record destination that can delete. */
export async function runGuardChecks(targets: readonly RecordTarget[], stats: VerifyStats): Promise<void> {
  for (const { name, harness: h } of targets) {
    await checkGuards({ name, destination: h.destination, start: () => h.start(), record: (i, g) => h.record(i, g), held: async (t) => (await t.read()).length }, stats);
  }
}

/** The same guards for audience destinations that can remove people (sync mode). */
export async function runAudienceGuardChecks(targets: readonly AudienceTarget[], stats: VerifyStats): Promise<void> {
  for (const { name, harness: h } of targets) {
    await checkGuards({ name, destination: h.destination, start: () => h.start(), record: (i, g) => h.record(i, g), held: async (t) => (await t.read()).get('alpha')?.size ?? 0 }, stats);
  }
}
