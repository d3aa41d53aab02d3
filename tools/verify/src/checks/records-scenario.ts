import { operationsFor, parseConfig, runSync, SqliteStateStore, type SyncMode, type SyncRunSummary } from '@syncmodes/connector-kit';
import type { RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import { memorySource, type ConformanceRecord, type ConformanceTarget, type DestinationView } from '@syncmodes/connector-kit/testing';
import type { z } from 'zod';
import type { HistorySpec, RowSpec } from '../model/history';
import { RecordsModel, type ExpectedOutcomes, type ModelRecord } from '../model/records-model';
import type { VerifyStats } from '../stats';
import type { RecordTarget } from '../targets';

const FAST_RETRY = { minTimeoutMs: 5, maxTimeoutMs: 40, defaultRateLimitWaitMs: 20, retries: 6 } as const;
const WRITES = new Set(['create', 'update', 'delete', 'group']);

function buildRecord(target: RecordTarget, row: RowSpec): ConformanceRecord {
  const h = target.harness;
  const base = h.record(row.keyIndex, row.groups);
  return h.withProperties({ id: row.id, snapshot: base.snapshot }, { [h.clearableProperty]: row.value });
}

function compareData(view: readonly DestinationView[], expected: readonly ModelRecord[], where: string): string[] {
  const problems: string[] = [];
  const byKey = new Map<string, DestinationView[]>();
  for (const v of view) byKey.set(v.key, [...(byKey.get(v.key) ?? []), v]);
  for (const [key, list] of byKey) if (list.length > 1) problems.push(`${where}: ${list.length} destination records with key ${key} (duplicate)`);
  const expectedKeys = new Set(expected.map((e) => e.key));
  for (const key of byKey.keys()) if (!expectedKeys.has(key)) problems.push(`${where}: unexpected record ${key} in the destination`);
  for (const e of expected) {
    const v = byKey.get(e.key)?.[0];
    if (!v) {
      problems.push(`${where}: record ${e.key} missing from the destination (${e.foreign ? 'seeded' : 'created by the sync'})`);
      continue;
    }
    for (const [prop, actual] of Object.entries(v.properties)) {
      const want = e.properties[prop];
      const wantText = want === undefined || want === null || want === '' ? null : String(want);
      if (wantText !== actual) problems.push(`${where}: ${e.key}.${prop} is ${JSON.stringify(actual)}, expected ${JSON.stringify(wantText)}`);
    }
    const groups = [...v.groups].sort().join(',');
    const want = [...e.groups].sort().join(',');
    if (groups !== want) problems.push(`${where}: ${e.key} groups [${groups}], expected [${want}]`);
  }
  return problems;
}

function checkOutcomes(summary: SyncRunSummary, expected: ExpectedOutcomes, where: string, faulty: boolean): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const r of summary.results) seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
  for (const id of expected.keys()) {
    const n = seen.get(id) ?? 0;
    if (n !== 1) problems.push(`${where}: record ${id} has ${n} results (lost or duplicated)`);
  }
  for (const r of summary.results) {
    const want = expected.get(r.id);
    const got = r.code && r.outcome !== 'created' && r.outcome !== 'updated' && r.outcome !== 'deleted' && r.outcome !== 'unchanged' ? `${r.outcome}:${r.code}` : r.outcome;
    if (want === undefined) {
      problems.push(`${where}: unexpected result for ${r.id} (${got})`);
      continue;
    }
    if (got === want) continue;
    if (faulty && ((r.outcome === 'failed' && r.retryable) || (r.outcome === 'skipped' && r.code === 'not_sent'))) continue;
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

/**
 * Runs one random history against a record destination in one mode. Each step: a run with
 * the step's faults, a repair run without faults, and a rerun that must send no write.
 * After each step the destination's data must equal the model's; every run's request log
 * must respect the mode; every input row must get exactly one result, the one the mode
 * implies (or a retryable failure / not_sent when faults were on).
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
    const model = new RecordsModel(mode, (r) => destination.matchKey(r.snapshot, config));
    const seeded = history.seeded.map((k) => h.withProperties({ id: `seed${k}`, snapshot: h.record(k, ['foreign']).snapshot }, { [h.clearableProperty]: 'S' }));
    await t.seed(seeded);
    for (const s of seeded) model.seed(s);
    const run = (records: ConformanceRecord[]) =>
      runSync({ collectResults: true, destination, config: rawConfig, mode, source: memorySource(records), state, sourceKey: 'id', retry: FAST_RETRY, guard: { maxDeletes: 10_000, allowEmptySource: true } });

    for (const [i, step] of history.steps.entries()) {
      const where = `${label} step ${i + 1}`;
      const source = step.rows.map((row) => buildRecord(target, row));
      const expected = model.apply(source);
      await t.admin.clearRequests();
      await t.admin.setFaults(step.faults, seed + i);
      const first = await run(source);
      const log1 = await t.admin.requests();
      await t.admin.clearFaults();
      stats.faultsInjected += log1.filter((e) => e.fault).length;
      stats.violations.push(...checkOutcomes(first, expected, `${where} (faults)`, step.faults.length > 0));
      stats.violations.push(...checkLog(log1, mode, h.classify, `${where} (faults)`));

      await t.admin.clearRequests();
      const repair = await run(source);
      stats.violations.push(...checkLog(await t.admin.requests(), mode, h.classify, `${where} (repair)`));
      for (const r of repair.results) {
        if (r.outcome === 'failed' && expected.get(r.id) !== `failed:${r.code}`) stats.violations.push(`${where} (repair): ${r.id} failed ${r.code}: ${r.message}`);
      }

      await t.admin.clearRequests();
      const again = await run(source);
      const writes = (await t.admin.requests()).filter((e) => WRITES.has(h.classify(e)));
      if (writes.length > 0) stats.violations.push(`${where} (rerun): ${writes.length} write(s) sent for unchanged input: ${writes.map((e) => `${e.method} ${e.path}`).join(', ')}`);
      if (again.counts.created + again.counts.updated + again.counts.deleted > 0) stats.violations.push(`${where} (rerun): reported changes for unchanged input`);

      stats.violations.push(...compareData(await t.read(), model.expected(), where));
      stats.runs += 3;
      stats.recordsChecked += first.results.length;
    }
    stats.scenarios++;
  } finally {
    state.close();
    await t.stop();
  }
}
