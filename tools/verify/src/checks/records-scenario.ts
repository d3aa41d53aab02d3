import { operationsFor, parseConfig, runSync, snapshotHash, SqliteStateStore, type PropertyValue, type StateStore, type SyncMode, type SyncRunSummary } from '@syncmodes/connector-kit';
import type { RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import { memorySource, type ConformanceRecord, type ConformanceTarget, type DestinationView } from '@syncmodes/connector-kit/testing';
import type { z } from 'zod';
import type { HistorySpec, RowSpec, StepSpec } from '../model/history';
import { RecordsModel, type ExpectedOutcomes, type ModelRecord, type RecordsCheckpoint } from '../model/records-model';
import type { VerifyStats } from '../stats';
import { duplicateOf, type RecordTarget } from '../targets';
import { FailingStateStore } from './failing-state-store';
import { checkStateFault, keyTouched } from './state-fault-checks';

// timeoutRetries as retries: with the kit's default (2) a 20% timeout step's rerun had, now and
// then, one write after a completed repair (seeds 486729572, 575712056; not reproducible on
// replay). Likely cause, found since: the emulator logged a request held by a timeout fault (30 s)
// when it was cut, after the log had been cleared for a later run — the rerun's log showed a
// request of the faulty run (fixed in EmulatorServer.clearRequests). Kept until a full verify
// with the default shows it no longer happens.
const FAST_RETRY = { minTimeoutMs: 5, maxTimeoutMs: 40, defaultRateLimitWaitMs: 20, retries: 6, timeoutRetries: 6 } as const;
const WRITES = new Set(['create', 'update', 'delete', 'group']);

const keyValue = (v: PropertyValue | undefined): string | null => (v === undefined || v === null ? null : String(v));

function buildRecord(target: RecordTarget, row: RowSpec): ConformanceRecord {
  const h = target.harness;
  const base = h.record(row.looksIndex ?? row.keyIndex, row.groups);
  const own = h.record(row.keyIndex, row.groups).snapshot.properties;
  const key = row.looksIndex === undefined ? {} : Object.fromEntries([h.keyProperty, ...(target.lookupProperties ?? [])].map((name) => [name, keyValue(own[name])]));
  return h.withProperties({ id: row.id, snapshot: base.snapshot }, { ...key, [h.clearableProperty]: row.value });
}

/** A destination record as text, for comparing records that share a key (the view's properties). */
function canonical(properties: Readonly<Record<string, string | null>>, groups: Iterable<string>): string {
  return JSON.stringify([Object.entries(properties).sort(([a], [b]) => (a < b ? -1 : 1)), [...groups].sort()]);
}

function modelView(e: ModelRecord, names: readonly string[]): Record<string, string | null> {
  return Object.fromEntries(
    names.map((prop) => {
      const want = e.properties[prop];
      return [prop, want === undefined || want === null || want === '' ? null : String(want)];
    }),
  );
}

function compareOne(v: DestinationView, e: ModelRecord, where: string): string[] {
  const problems: string[] = [];
  const want = modelView(e, Object.keys(v.properties));
  for (const [prop, actual] of Object.entries(v.properties)) {
    if (want[prop] !== actual) problems.push(`${where}: ${e.key}.${prop} is ${JSON.stringify(actual)}, expected ${JSON.stringify(want[prop])}`);
  }
  const groups = [...v.groups].sort().join(',');
  const wantGroups = [...e.groups].sort().join(',');
  if (groups !== wantGroups) problems.push(`${where}: ${e.key} groups [${groups}], expected [${wantGroups}]`);
  return problems;
}

/** The destination's records against the model's, key by key (a key may be held by several records: seeded duplicates). */
export function compareData(view: readonly DestinationView[], expected: readonly ModelRecord[], where: string): string[] {
  const problems: string[] = [];
  const group = <T extends { key: string }>(list: readonly T[]) => {
    const out = new Map<string, T[]>();
    for (const x of list) out.set(x.key, [...(out.get(x.key) ?? []), x]);
    return out;
  };
  const byKey = group(view);
  const wantByKey = group(expected);
  // Records released in a run whose state failed may be kept or deleted (see `ModelRecord.uncertain`).
  const uncertain = new Set(expected.filter((e) => e.uncertain).map((e) => e.key));
  for (const key of uncertain) {
    byKey.delete(key);
    wantByKey.delete(key);
  }
  for (const [key, list] of byKey) {
    const want = wantByKey.get(key) ?? [];
    if (want.length === 0) problems.push(`${where}: unexpected record ${key} in the destination`);
    else if (list.length > want.length) problems.push(`${where}: ${list.length} destination records with key ${key}, expected ${want.length} (duplicate)`);
  }
  for (const [key, want] of wantByKey) {
    const list = byKey.get(key) ?? [];
    if (list.length < want.length) {
      problems.push(`${where}: ${want.length - list.length} record(s) with key ${key} missing from the destination (${want.map((e) => (e.foreign ? 'seeded' : 'created by the sync')).join(', ')})`);
    } else if (list.length === 1 && want.length === 1) {
      problems.push(...compareOne(list[0] as DestinationView, want[0] as ModelRecord, where));
    } else if (list.length === want.length) {
      const got = list.map((v) => canonical(v.properties, v.groups)).sort();
      const wanted = want.map((e) => canonical(modelView(e, Object.keys(list[0]?.properties ?? {})), e.groups)).sort();
      if (got.join('|') !== wanted.join('|')) problems.push(`${where}: the ${list.length} records with key ${key} hold ${got.join(' ')}, expected ${wanted.join(' ')}`);
    }
  }
  return problems;
}

/**
 * How strictly results are compared with the model: `exact`; `faulty` (faults were on: a
 * retryable failure or `not_sent` is also fine); `reconciling` (also: the previous run's
 * state failed and no run repaired it, so a record that run sent but could not record may
 * be created, updated or unchanged now, and one in no audience that it could not record is
 * reported `no_audience` again instead of `unchanged` — the data comparison decides).
 */
export type Strictness = 'exact' | 'faulty' | 'reconciling';

const WRITTEN = new Set(['created', 'updated', 'unchanged']);
/**
 * Outcomes that send nothing: after a state failure, whether the failed run recorded such a
 * record decides which one the next run reports (an additive record whose identifiers
 * changed is kept in its old audiences, `delete_not_allowed`, and reports it again when the
 * failed run could not record that it now tracks only the new identity: seed 6, quick,
 * facebook/additive state faults 9016#0).
 */
const EARLIER_IDENTITY = 'Its earlier identifiers (before they changed): ';
const NOTHING_HELD = new Set(['unchanged', 'skipped:no_audience', 'skipped:delete_not_allowed']);
/**
 * Refusals of a row that cannot be told apart, which write nothing: after a state failure, which
 * check refuses it first depends on what the failed run recorded (fresh reviewer 114's sampler,
 * seed 4711 #18, salesforce/sync: a never-written row on a key two Contacts share carried the
 * last values of a record whose row changed; refused ambiguous_match by the run after the
 * failure, identity_unclear by the next). The data check still finds anything written.
 */
const REFUSED_UNTOLD = new Set(['failed:ambiguous_match', 'failed:identity_unclear']);
/**
 * What the model expects of a departure whose lookup the kit needs no more when a new row with
 * its values was written in the run: with faults, that lookup may fail, and the kit releases
 * the record without it (kept as it is, no longer tracked: `RecordsModel.releasedUnlooked`).
 */
const LOOKUP_DECIDES = new Set(['failed:ambiguous_match', 'skipped:not_found']);
const RELEASED = 'no longer tracked by this sync';

/** Departures released after a failed lookup where the model decided otherwise (see {@link LOOKUP_DECIDES}). */
export function releasedUnlooked(summary: SyncRunSummary, expected: ExpectedOutcomes, sourceIds: readonly string[]): string[] {
  const inSource = new Set(sourceIds);
  return summary.results
    .filter((r) => !inSource.has(r.id) && r.outcome === 'skipped' && r.code === 'rekeyed' && r.message?.includes(RELEASED) === true && LOOKUP_DECIDES.has(expected.get(r.id) ?? ''))
    .map((r) => r.id);
}

/** Compares each result with the model's outcome, as strictly as `strictness` says. */
export function checkOutcomes(summary: SyncRunSummary, expected: ExpectedOutcomes, where: string, strictness: Strictness | boolean, sourceIds: readonly string[] = [], requestFaults = 0): string[] {
  const level = strictness === true ? 'faulty' : strictness === false ? 'exact' : strictness;
  const faulty = level !== 'exact';
  const problems: string[] = [];
  const seen = new Map<string, number>();
  // An audience record's earlier identifiers (a state entry of their own, see the kit's
  // earlier-identity.ts) are reported under its id with this prefix: their removal is not the
  // row's own result; the audiences' contents check it.
  const results = summary.results.filter((r) => !r.message?.startsWith(EARLIER_IDENTITY));
  for (const r of results) seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
  const inSource = new Set(sourceIds);
  // Only where a request of the run had a fault: a lookup may have failed (fresh reviewer 121, V1).
  const unlooked = faulty && requestFaults > 0 ? new Set(releasedUnlooked(summary, expected, sourceIds)) : new Set<string>();
  for (const id of expected.keys()) {
    const n = seen.get(id) ?? 0;
    // Reconciling, a record that left the source may be one the failed run never recorded: nothing to report for it.
    if (n === 0 && level === 'reconciling' && !inSource.has(id)) continue;
    if (n !== 1) problems.push(`${where}: record ${id} has ${n} results (lost or duplicated)`);
  }
  for (const r of results) {
    const want = expected.get(r.id);
    const got = r.code && r.outcome !== 'created' && r.outcome !== 'updated' && r.outcome !== 'deleted' && r.outcome !== 'unchanged' ? `${r.outcome}:${r.code}` : r.outcome;
    if (want === undefined) {
      // Reconciling, a record the model is done with may be one the failed run never finished (a departure resent).
      if (level !== 'reconciling' || inSource.has(r.id)) problems.push(`${where}: unexpected result for ${r.id} (${got})`);
      continue;
    }
    if (got === want || unlooked.has(r.id)) continue;
    if (faulty && ((r.outcome === 'failed' && r.retryable) || (r.outcome === 'skipped' && r.code === 'not_sent'))) continue;
    if (level === 'reconciling' && WRITTEN.has(got) && WRITTEN.has(want)) continue;
    if (level === 'reconciling' && NOTHING_HELD.has(got) && NOTHING_HELD.has(want)) continue;
    if (level === 'reconciling' && REFUSED_UNTOLD.has(got) && REFUSED_UNTOLD.has(want)) continue;
    // Reconciling, which of two ids a departed record is reported under may differ (a re-key the failed run did not finish).
    if (level === 'reconciling' && !inSource.has(r.id)) continue;
    problems.push(`${where}: ${r.id} ended ${got}${r.message ? ` (${r.message})` : ''}, the mode implies ${want}`);
  }
  return problems;
}

function checkLog(log: readonly RequestLogEntry[], mode: SyncMode, classify: (e: RequestLogEntry) => string, where: string): string[] {
  const ops = operationsFor(mode);
  const problems: string[] = [];
  for (const e of log) {
    const c = classify(e);
    if (c === 'delete' && !ops.delete) problems.push(`${where}: ${mode} mode sent a delete (${e.method} ${e.path})`);
    if (c === 'create' && !ops.create) problems.push(`${where}: ${mode} mode sent a create (${e.method} ${e.path})`);
  }
  return problems;
}

/** Everything one scenario uses. */
interface Scenario {
  readonly target: RecordTarget;
  readonly mode: SyncMode;
  readonly t: ConformanceTarget<z.ZodType>;
  readonly model: RecordsModel;
  readonly keyOf: (r: ConformanceRecord) => string | undefined;
  /** A run; `faults` marks the run that has the step's faults (a short client timeout applies only to it). */
  readonly run: (records: ConformanceRecord[], state?: StateStore, faults?: boolean) => Promise<SyncRunSummary>;
  readonly stats: VerifyStats;
  /** The sync's state (a failing store wraps it for a step's first run). */
  readonly stateStore: StateStore;
  /** Steps whose runs sent the target's `historyRequest` (e.g. a Bulk API 2.0 ingest job). */
  probed: number;
  /** Steps run without faults, state failures or reconciliation. */
  clean: number;
}

/** Before a step: people or another tool copy records the sync wrote (same key), in the destination and the model. */
async function makeCopies(s: Scenario, step: StepSpec, previous: readonly RowSpec[], copyNo: number): Promise<void> {
  if (!step.copies?.length) return;
  const candidates = s.model.copyCandidates();
  const rows = [...new Map(previous.map((row) => [row.keyIndex, row])).values()].filter((row) => candidates.has(s.keyOf(buildRecord(s.target, row)) as string));
  const picked = [...new Set(step.copies.map((p) => rows[p % Math.max(1, rows.length)]).filter((r): r is RowSpec => r !== undefined))];
  const copies = picked.map((row, i) => duplicateOf(s.target, row.keyIndex, copyNo + i));
  if (copies.length === 0) return;
  await s.t.seed(copies);
  for (const c of copies) s.model.seed(c);
}

/** Records a stopped run reports it did not send. */
export function notSentIds(summary: SyncRunSummary): string[] {
  return summary.results.filter((r) => r.code === 'not_sent').map((r) => r.id);
}

/** True when a run with these outcomes writes nothing (the model has converged for this source). */
export function converged(expected: ExpectedOutcomes): boolean {
  return [...expected.values()].every((o) => o !== 'created' && o !== 'updated' && o !== 'deleted');
}

/** Failures of a repair run the model does not expect in this step's runs. */
export function unexpectedFailures(summary: SyncRunSummary, expected: readonly ExpectedOutcomes[], where: string): string[] {
  return summary.results
    .filter((r) => r.outcome === 'failed' && !expected.some((e) => e.get(r.id) === `failed:${r.code}`))
    .map((r) => `${where}: ${r.id} failed ${r.code}: ${r.message}`);
}

/**
 * A run whose state failed: a release it reports failed `state_unwritable` was not
 * recorded, so the sync still tracks that record and the next run decides it again
 * (`RecordsModel.keepTracking`: deleted if the row that resembled it has left too). The
 * other releases (`skipped:rekeyed`, recorded; `not_sent`, decided again by the repair run
 * with the row that resembled it still new) stay released, and their records are left out of
 * the data checks (`ModelRecord.uncertain`).
 */
function settleReleases(model: RecordsModel, summary: SyncRunSummary, before: RecordsCheckpoint, releasedFirst: ReadonlyMap<string, number>): void {
  const unrecorded = new Set(summary.results.filter((r) => r.outcome === 'failed' && r.code === 'state_unwritable').map((r) => r.id));
  model.keepTracking([...unrecorded], before);
  // Released in the model's first reading of the run but not sent (a row resembling it whose create stayed a pending mark is
  // not new to the kit a run later: seed 558010475, full, tiny/sync state faults 558017875#1): left out as well.
  model.markUncertain([...model.released.values(), ...[...releasedFirst].filter(([id]) => !unrecorded.has(id)).map(([, pid]) => pid)]);
}

/**
 * After a run with faults or a failing state store, which records the sync now remembers as
 * not found depends on which lookups completed and which state writes went through: the model
 * takes it from the sync's state (a destination without that memory has none to take).
 */
async function settleNotFound(s: Scenario, source: readonly ConformanceRecord[], syncId: string, before: RecordsCheckpoint): Promise<void> {
  // The rows of the run and every row remembered before it (one that left may not have been forgotten: fresh reviewer 80's F2).
  const ids = [...new Set([...source.map((r) => r.id), ...before.notFound.keys(), ...s.model.notFoundIds()])];
  const entries = await s.stateStore.get(syncId, ids);
  const remembered = new Map([...entries].filter(([, e]) => e.notFound === true).map(([id, e]) => [id, e.hash] as const));
  s.model.settleNotFound(ids, remembered);
}

/**
 * One step: the run with faults (and a state store that may fail), then repair runs
 * without faults, then a rerun that must send nothing, then the data. The model applies the
 * step's source once per run: the first run's outcomes come from its first application, the
 * repair run's from its second (a record that failed `duplicate_destination_record` because
 * the other record moved away from its key gets its own record in the next run); a repair
 * after faults may lag the model by one run, so it gets one more run where the model did.
 */
async function runStep(s: Scenario, step: StepSpec, where: string, seed: number, reconciling: boolean): Promise<void> {
  const { t, target, mode, stats } = s;
  const h = target.harness;
  const source = step.rows.map((row) => buildRecord(target, row));
  const checkpoint = s.model.checkpoint();
  const expected = s.model.apply(source);
  const releasedFirst = new Map(s.model.released);
  const failing = step.stateFailsAfter === undefined ? undefined : new FailingStateStore(s.stateStore, step.stateFailsAfter);
  const faulty = step.faults.length > 0 || failing !== undefined || reconciling;
  const before = failing ? await t.read() : [];
  await t.admin.clearRequests();
  await t.admin.setFaults(step.faults, seed);
  const first = await s.run(source, failing, true);
  const log1 = await t.admin.requests();
  await t.admin.clearFaults();
  stats.faultsInjected += log1.filter((e) => e.fault).length;
  const requestFaults = log1.filter((e) => e.fault).length;
  stats.violations.push(...checkOutcomes(first, expected, `${where} (faults)`, reconciling ? 'reconciling' : faulty, step.rows.map((r) => r.id), requestFaults));
  const unlooked = requestFaults > 0 ? releasedUnlooked(first, expected, step.rows.map((r) => r.id)) : [];
  stats.violations.push(...checkLog(log1, mode, h.classify, `${where} (faults)`));
  const probe = target.historyRequest;
  if (probe && log1.some((e) => e.method === 'POST' && probe.path.test(e.path))) s.probed++;
  if (!faulty) s.clean++;
  if (failing) await checkStateFault({ failing, summary: first, source, touched: keyTouched(before, await t.read(), s.keyOf), deletes: mode === 'sync', where: `${where} (state fault)`, stats });
  stats.runs++;
  stats.recordsChecked += first.results.length;
  if (step.repair === false) {
    // No repair: the next step's run must reconcile. What this run did not send is still as it was (checked above).
    s.model.restore(checkpoint);
    s.model.apply(source, new Set(notSentIds(first)));
    s.model.releasedUnlooked(unlooked);
    s.model.unrecordedCreates(first.results.filter((r) => r.code === 'state_unwritable' && expected.get(r.id) === 'created').map((r) => r.id));
    s.model.unrecordedWrites(first.results.filter((r) => r.code === 'state_unwritable').map((r) => r.id), checkpoint);
    s.model.groupsUnsent(first.results.filter((r) => r.code === 'groups_pending').map((r) => r.id), checkpoint);
    if (failing) settleReleases(s.model, first, checkpoint, releasedFirst);
    await settleNotFound(s, source, first.syncId, checkpoint);
    return;
  }
  if (failing) settleReleases(s.model, first, checkpoint, releasedFirst);
  s.model.releasedUnlooked(unlooked);
  if (faulty) await settleNotFound(s, source, first.syncId, checkpoint);

  const rounds = [expected, s.model.apply(source)];
  const repairs = faulty && !converged(rounds[1] as ExpectedOutcomes) ? 2 : 1;
  for (let k = 0; k < repairs; k++) {
    await t.admin.clearRequests();
    const repair = await s.run(source);
    stats.violations.push(...checkLog(await t.admin.requests(), mode, h.classify, `${where} (repair)`));
    if (repair.status !== 'completed') stats.violations.push(`${where} (repair): the run ended ${repair.status} (${repair.reason?.code ?? ''})`);
    if (!faulty) stats.violations.push(...checkOutcomes(repair, rounds[1] as ExpectedOutcomes, `${where} (repair)`, false));
    else stats.violations.push(...unexpectedFailures(repair, rounds, `${where} (repair)`));
  }
  if (!converged(rounds[1] as ExpectedOutcomes) && !converged(s.model.apply(source))) stats.violations.push(`${where}: the model itself needs more than two runs for this source (verify cannot check it)`);

  await t.admin.clearRequests();
  const again = await s.run(source);
  const writes = (await t.admin.requests()).filter((e) => WRITES.has(h.classify(e)));
  if (writes.length > 0) stats.violations.push(`${where} (rerun): ${writes.length} write(s) sent for unchanged input: ${writes.map((e) => `${e.method} ${e.path}`).join(', ')}`);
  if (again.counts.created + again.counts.updated + again.counts.deleted > 0) stats.violations.push(`${where} (rerun): reported changes for unchanged input`);

  stats.violations.push(...compareData(await t.read(), s.model.expected(), where));
  stats.runs += 1 + repairs;
}

/**
 * Runs one history against a record destination in one mode. Before the first run:
 * seeded records (and, where the history has them, keys two or three seeded records
 * share). Each step: copies of synced records where the step says so, a run with the
 * step's faults (and a state store that fails after some writes where the step says so),
 * a repair run without faults, and a rerun that must send no write. After each step the
 * destination's data must equal the model's; every run's request log must respect the
 * mode; every input row must get exactly one result, the one the mode implies (or a
 * retryable failure / not_sent when faults were on).
 */
export async function runRecordsScenario(
  target: RecordTarget,
  mode: SyncMode,
  history: HistorySpec,
  seed: number,
  stats: VerifyStats,
  configOverrides: Record<string, unknown> = {},
): Promise<void> {
  const h = target.harness;
  const t: ConformanceTarget<z.ZodType> = await h.start();
  const state = new SqliteStateStore(':memory:');
  const label = `${target.name}/${mode}/${history.label ?? `seed ${seed}`}`;
  try {
    const destination = h.destination;
    const rawConfig = { ...(t.config as Record<string, unknown>), ...configOverrides };
    const config = parseConfig(destination, rawConfig) as Record<string, unknown>;
    const keyOf = (r: ConformanceRecord) => destination.matchKey(r.snapshot, config);
    const remembersNotFound = destination.kind === 'records' && (destination.recheckNotFoundAfterMs ?? 0) > 0;
    const model = new RecordsModel(mode, { keyOf, removedKeepKeys: target.reuseRemovedKeys === false, remembersNotFound, rowHash: (r) => snapshotHash(r.snapshot), ...(target.lookupKeys ? { lookupKeys: (r) => target.lookupKeys?.(r, keyOf) ?? [] } : {}) });
    const seeded = [
      ...history.seeded.map((k) => h.withProperties({ id: `seed${k}`, snapshot: h.record(k, ['foreign']).snapshot }, { [h.clearableProperty]: 'S' })),
      ...(history.ambiguous ?? []).flatMap((a) => Array.from({ length: a.copies }, (_, c) => duplicateOf(target, a.keyIndex, c))),
    ];
    await t.seed(seeded);
    for (const s of seeded) model.seed(s);
    // A short client timeout (the timeout fault) is for the faulty run: on a busy machine the
    // repair runs and the rerun would time out for real and prove nothing about the kit.
    const { requestTimeoutMs: _short, ...cleanConfig } = rawConfig;
    const run = (records: ConformanceRecord[], store: StateStore = state, faults = false) =>
      runSync({ collectResults: true, destination, config: faults ? rawConfig : { ...(t.config as Record<string, unknown>), ...cleanConfig }, mode, source: memorySource(records), state: store, sourceKey: 'id', retry: FAST_RETRY, guard: { maxDeletes: 10_000, allowEmptySource: true } });
    const scenario: Scenario = { target, mode, t, model, keyOf, run, stats, stateStore: state, probed: 0, clean: 0 };

    let previous: readonly RowSpec[] = [];
    for (const [i, step] of history.steps.entries()) {
      await makeCopies(scenario, step, previous, 10 + i * 10);
      await runStep(scenario, step, `${label} step ${i + 1}`, seed + i, history.steps[i - 1]?.repair === false);
      previous = step.rows;
    }
    // The path the target exists for (e.g. Bulk API 2.0) must be taken at least once per history
    // that creates and has a step without faults (a step may change too few records for it, or
    // stop early under its faults).
    const probe = target.historyRequest;
    if (probe && mode !== 'enrich' && scenario.clean > 0 && scenario.probed === 0) stats.violations.push(`${label}: no run of the history sent ${probe.what}`);
    stats.scenarios++;
  } finally {
    state.close();
    await t.stop();
  }
}
