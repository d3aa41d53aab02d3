import { parseConfig, runSync, SqliteStateStore, type SyncMode, type SyncRunSummary } from '@syncmodes/connector-kit';
import type { RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import { memorySource, type AudienceConformanceHarness, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import type { z } from 'zod';
import { AudienceModel } from '../model/audience-model';
import type { HistorySpec } from '../model/history';
import type { ExpectedOutcomes } from '../model/records-model';
import type { VerifyStats } from '../stats';

/** An audience destination under verification, with its conformance harness. */
export interface AudienceTarget {
  readonly name: string;
  readonly harness: AudienceConformanceHarness<z.ZodType>;
}

const FAST_RETRY = { minTimeoutMs: 5, maxTimeoutMs: 40, defaultRateLimitWaitMs: 20, retries: 6 } as const;

function checkOutcomes(summary: SyncRunSummary, expected: ExpectedOutcomes, where: string, faulty: boolean): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const r of summary.results) seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
  for (const id of expected.keys()) if ((seen.get(id) ?? 0) !== 1) problems.push(`${where}: record ${id} has ${seen.get(id) ?? 0} results`);
  for (const r of summary.results) {
    const want = expected.get(r.id);
    const got = r.code && ['skipped', 'failed'].includes(r.outcome) ? `${r.outcome}:${r.code}` : r.outcome;
    if (got === want) continue;
    if (faulty && ((r.outcome === 'failed' && r.retryable) || (r.outcome === 'skipped' && r.code === 'not_sent'))) continue;
    problems.push(`${where}: ${r.id} ended ${got}${r.message ? ` (${r.message})` : ''}, the mode implies ${want ?? 'no result'}`);
  }
  return problems;
}

/**
 * Runs one random history against an audience destination in one mode: each step with
 * faults, then a repair run, then a rerun that must send nothing; after each step every
 * audience's members must equal the model's, and additive must never have sent a removal.
 */
export async function runAudienceScenario(
  target: AudienceTarget,
  mode: SyncMode,
  history: HistorySpec,
  seed: number,
  stats: VerifyStats,
  configOverrides: Record<string, unknown> = {},
): Promise<void> {
  const h = target.harness;
  const t = await h.start();
  const state = new SqliteStateStore(':memory:');
  const label = `${target.name}/${mode}/${history.label ?? `seed ${seed}`}`;
  try {
    const rawConfig = { ...(t.config as Record<string, unknown>), ...configOverrides };
    parseConfig(h.destination, rawConfig);
    const model = new AudienceModel(mode);
    const foreign = history.seeded.map((k) => h.memberKey(k));
    await t.seed({ foreign });
    model.seed('foreign', foreign);
    const run = (records: ConformanceRecord[]) =>
      runSync({ collectResults: true, destination: h.destination, config: rawConfig, mode, source: memorySource(records), state, sourceKey: 'id', retry: FAST_RETRY, guard: { maxDeletes: 10_000, allowEmptySource: true } });
    const removals = (log: readonly RequestLogEntry[]) => log.filter((e) => h.classify(e) === 'remove');

    for (const [i, step] of history.steps.entries()) {
      const where = `${label} step ${i + 1}`;
      const records = step.rows.map((row) => {
        const r = h.record(row.keyIndex, row.groups);
        return { id: row.id, snapshot: r.snapshot };
      });
      const expected = model.apply(step.rows.map((row) => ({ id: row.id, member: h.memberKey(row.keyIndex), groups: row.groups })));
      await t.admin.clearRequests();
      await t.admin.setFaults(step.faults, seed + i);
      const first = await run(records);
      const log1 = await t.admin.requests();
      await t.admin.clearFaults();
      stats.faultsInjected += log1.filter((e) => e.fault).length;
      stats.violations.push(...checkOutcomes(first, expected, `${where} (faults)`, step.faults.length > 0));
      await t.admin.clearRequests();
      const repair = await run(records);
      const log2 = await t.admin.requests();
      if (mode !== 'sync' && removals([...log1, ...log2]).length > 0) stats.violations.push(`${where}: ${mode} mode sent a removal`);
      for (const r of repair.results) if (r.outcome === 'failed' && expected.get(r.id) !== `failed:${r.code}`) stats.violations.push(`${where} (repair): ${r.id} failed ${r.code}: ${r.message}`);
      await t.admin.clearRequests();
      await run(records);
      const writes = (await t.admin.requests()).filter((e) => ['add', 'remove'].includes(h.classify(e)));
      if (writes.length > 0) stats.violations.push(`${where} (rerun): ${writes.length} request(s) sent for unchanged input`);
      const actual = await t.read();
      for (const name of new Set([...actual.keys(), ...model.audiences.keys()])) {
        const got = [...(actual.get(name) ?? [])].sort().join(',');
        const want = [...(model.audiences.get(name) ?? [])].sort().join(',');
        if (got !== want) stats.violations.push(`${where}: audience ${name} holds [${got.slice(0, 80)}…], the model says [${want.slice(0, 80)}…]`);
      }
      stats.runs += 3;
      stats.recordsChecked += first.results.length;
    }
    stats.scenarios++;
  } finally {
    state.close();
    await t.stop();
  }
}
