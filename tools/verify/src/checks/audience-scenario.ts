import { parseConfig, runSync, SqliteStateStore, type StateStore, type SyncMode } from '@syncmodes/connector-kit';
import type { EmulatorClient, RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import { memorySource, type AudienceConformanceHarness, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import type { z } from 'zod';
import { AudienceModel } from '../model/audience-model';
import type { HistorySpec } from '../model/history';
import type { VerifyStats } from '../stats';
import { FailingStateStore } from './failing-state-store';
import { checkOutcomes, notSentIds } from './records-scenario';
import { checkStateFault, memberTouched } from './state-fault-checks';

/** An audience destination under verification, with its conformance harness. */
export interface AudienceTarget {
  readonly name: string;
  readonly harness: AudienceConformanceHarness<z.ZodType>;
  /** Makes the emulator refuse every removal (a deferral, e.g. Meta's low audience size), or stop refusing. */
  readonly refuseRemovals?: (admin: EmulatorClient, refuse: boolean) => Promise<void>;
}

// timeoutRetries as retries: with the kit's default (2) a 20% timeout step's rerun had, now and
// then, one write after a completed repair (seeds 486729572, 575712056; not reproducible on
// replay). Likely cause, found since: the emulator logged a request held by a timeout fault (30 s)
// when it was cut, after the log had been cleared for a later run — the rerun's log showed a
// request of the faulty run (fixed in EmulatorServer.clearRequests). Kept until a full verify
// with the default shows it no longer happens.
const FAST_RETRY = { minTimeoutMs: 5, maxTimeoutMs: 40, defaultRateLimitWaitMs: 20, retries: 6, timeoutRetries: 6 } as const;

/**
 * Runs one history against an audience destination in one mode: each step with faults
 * (and a state store that fails after some writes where the step says so), then a repair
 * run (unless the step says the next step's run must reconcile), then a rerun that must
 * send nothing; after each step every audience's members must equal the model's, and
 * additive must never have sent a removal.
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
    // A short client timeout (the timeout fault) is for the faulty run only (see runRecordsScenario).
    const { requestTimeoutMs: _short, ...cleanConfig } = rawConfig;
    const run = (records: ConformanceRecord[], store: StateStore = state, faults = false) =>
      runSync({ collectResults: true, destination: h.destination, config: faults ? rawConfig : { ...(t.config as Record<string, unknown>), ...cleanConfig }, mode, source: memorySource(records), state: store, sourceKey: 'id', retry: FAST_RETRY, guard: { maxDeletes: 10_000, allowEmptySource: true } });
    const removals = (log: readonly RequestLogEntry[]) => log.filter((e) => h.classify(e) === 'remove');

    for (const [i, step] of history.steps.entries()) {
      const where = `${label} step ${i + 1}`;
      const records = step.rows.map((row) => {
        const r = h.record(row.keyIndex, row.groups);
        return { id: row.id, snapshot: r.snapshot };
      });
      const checkpoint = model.checkpoint();
      const rows = step.rows.map((row) => ({ id: row.id, member: h.memberKey(row.keyIndex), groups: row.groups }));
      const expected = model.apply(rows);
      const failing = step.stateFailsAfter === undefined ? undefined : new FailingStateStore(state, step.stateFailsAfter);
      const before = failing ? await t.read() : new Map<string, Set<string>>();
      await t.admin.clearRequests();
      await t.admin.setFaults(step.faults, seed + i);
      const first = await run(records, failing, true);
      const log1 = await t.admin.requests();
      await t.admin.clearFaults();
      stats.faultsInjected += log1.filter((e) => e.fault).length;
      const reconciling = history.steps[i - 1]?.repair === false;
      stats.violations.push(...checkOutcomes(first, expected, `${where} (faults)`, reconciling ? 'reconciling' : step.faults.length > 0 || failing !== undefined, step.rows.map((r) => r.id)));
      if (failing) {
        const memberOf = (r: ConformanceRecord) => h.memberKey(step.rows.find((row) => row.id === r.id)?.keyIndex ?? -1);
        await checkStateFault({ failing, summary: first, source: records, touched: memberTouched(before, await t.read(), memberOf), deletes: mode === 'sync', where: `${where} (state fault)`, stats });
      }
      stats.runs++;
      stats.recordsChecked += first.results.length;
      if (step.repair === false) {
        if (mode !== 'sync' && removals(log1).length > 0) stats.violations.push(`${where}: ${mode} mode sent a removal`);
        // No repair: the next step's run must reconcile. What this run did not send is still as it was.
        model.restore(checkpoint);
        model.apply(rows, new Set(notSentIds(first)));
        continue;
      }
      await t.admin.clearRequests();
      const repair = await run(records);
      const log2 = await t.admin.requests();
      if (mode !== 'sync' && removals([...log1, ...log2]).length > 0) stats.violations.push(`${where}: ${mode} mode sent a removal`);
      if (repair.status !== 'completed') stats.violations.push(`${where} (repair): the run ended ${repair.status} (${repair.reason?.code ?? ''})`);
      for (const r of repair.results) if (r.outcome === 'failed' && expected.get(r.id) !== `failed:${r.code}`) stats.violations.push(`${where} (repair): ${r.id} failed ${r.code}: ${r.message}`);
      await t.admin.clearRequests();
      await run(records);
      const writes = (await t.admin.requests()).filter((e) => ['add', 'remove'].includes(h.classify(e)));
      if (writes.length > 0) stats.violations.push(`${where} (rerun): ${writes.length} request(s) sent for unchanged input`);
      const actual = await t.read();
      for (const name of new Set([...actual.keys(), ...model.audiences.keys()])) {
        const got = new Set(actual.get(name) ?? []);
        const want = new Set(model.audiences.get(name) ?? []);
        const extra = [...got].filter((m) => !want.has(m)).sort();
        const missing = [...want].filter((m) => !got.has(m)).sort();
        const short = (list: string[]) => list.map((m) => m.slice(0, 12)).join(',');
        if (extra.length + missing.length > 0) stats.violations.push(`${where}: audience ${name} holds ${got.size} members, the model says ${want.size}: extra [${short(extra)}], missing [${short(missing)}]`);
      }
      stats.runs += 2;
    }
    stats.scenarios++;
  } finally {
    state.close();
    await t.stop();
  }
}
