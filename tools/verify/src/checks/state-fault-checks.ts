import type { SyncRunSummary } from '@syncmodes/connector-kit';
import type { ConformanceRecord, DestinationView } from '@syncmodes/connector-kit/testing';
import type { VerifyStats } from '../stats';
import type { FailingStateStore } from './failing-state-store';

/** What a run whose state store failed is checked against. */
export interface StateFaultRun {
  readonly failing: FailingStateStore;
  readonly summary: SyncRunSummary;
  readonly source: readonly ConformanceRecord[];
  /** Whether the run changed what the destination holds for this source record. */
  readonly touched: (r: ConformanceRecord) => boolean;
  /** Whether the sync may delete (sync mode): then what it sent must be remembered as its own, or it is orphaned. */
  readonly deletes: boolean;
  readonly where: string;
  readonly stats: VerifyStats;
}

/** Record destinations: the records under each key, as text. */
function byKey(view: readonly DestinationView[]): Map<string, string> {
  const out = new Map<string, string[]>();
  for (const v of view) out.set(v.key, [...(out.get(v.key) ?? []), JSON.stringify([v.properties, [...v.groups].sort()])]);
  return new Map([...out].map(([k, list]) => [k, list.sort().join('|')]));
}

/** Record destinations: whether the records under the source record's key changed between two reads. */
export function keyTouched(before: readonly DestinationView[], after: readonly DestinationView[], keyOf: (r: ConformanceRecord) => string | undefined): (r: ConformanceRecord) => boolean {
  const b = byKey(before);
  const a = byKey(after);
  return (r) => {
    const key = keyOf(r);
    return key !== undefined && b.get(key) !== a.get(key);
  };
}

/** Audience destinations: whether the person's memberships changed between two reads. */
export function memberTouched(before: ReadonlyMap<string, ReadonlySet<string>>, after: ReadonlyMap<string, ReadonlySet<string>>, memberOf: (r: ConformanceRecord) => string): (r: ConformanceRecord) => boolean {
  const audiences = [...new Set([...before.keys(), ...after.keys()])];
  return (r) => audiences.some((a) => (before.get(a)?.has(memberOf(r)) ?? false) !== (after.get(a)?.has(memberOf(r)) ?? false));
}

/**
 * A run whose state store refused writes (a full disk): it must stop with
 * `state_unwritable`; every record sent but not recorded is named in the report
 * (failed `state_unwritable`, its state entry still the write-ahead mark); a record
 * reported created or updated is recorded (still pending only when its group changes are,
 * `groups_pending`); a record reported not sent was not written.
 * (The repair run that follows, with a working store, must reconcile: the scenario checks
 * that its data equals the model's and that later runs still own what was created.)
 */
export async function checkStateFault(run: StateFaultRun): Promise<void> {
  const { failing, summary, where, stats } = run;
  if (failing.refused === 0) return; // the run needed fewer writes than the store allowed
  stats.faultsInjected++;
  if (summary.status !== 'stopped' || summary.reason?.code !== 'state_unwritable') {
    stats.violations.push(`${where}: the state store failed but the run ended ${summary.status}${summary.reason ? ` (${summary.reason.code})` : ''}, not stopped with state_unwritable`);
  }
  const source = new Map(run.source.map((r) => [r.id, r]));
  const ids = summary.results.map((r) => r.id).filter((id) => source.has(id));
  const entries = await failing.inner.get(summary.syncId, ids);
  for (const r of summary.results) {
    const row = source.get(r.id);
    if (!row) continue;
    const entry = entries.get(r.id);
    if (r.outcome === 'failed' && r.code === 'state_unwritable') {
      stats.sentNotRecorded++;
      // Where the sync deletes, the next run must know what this one sent (its write-ahead mark), or a record that leaves the source before then is never deleted.
      if (run.deletes && !entry?.pending) stats.violations.push(`${where}: ${r.id} is reported sent but not recorded, yet its state entry is ${entry ? 'not pending' : 'missing'}: if it leaves the source before the next run, sync mode never removes what this run sent`);
    } else if ((r.outcome === 'created' || r.outcome === 'updated') && (!entry || (entry.pending && r.code !== 'groups_pending'))) {
      // Written and recorded (with its group changes still pending, the entry stays pending: the next run sends them).
      stats.violations.push(`${where}: ${r.id} is reported ${r.outcome}${r.code ? ` (${r.code})` : ''} but state ${entry ? 'still has it pending' : 'has no entry'}`);
    } else if (r.code === 'not_sent' && run.touched(row)) {
      stats.violations.push(`${where}: ${r.id} is reported not sent, but the destination changed for it`);
    }
  }
}
