import fc from 'fast-check';
import { runAudienceCrashHarness } from './checks/audience-crash';
import { runAudienceScenario } from './checks/audience-scenario';
import { runDeferredRemovals } from './checks/deferred-removals';
import { runBadInput } from './checks/bad-input';
import { runConcurrentAudience, runConcurrentRecords } from './checks/concurrent';
import { runCrashHarness } from './checks/crash';
import { FAULT_KINDS, runAudienceFaultMatrix, runFaultMatrix } from './checks/fault-matrix';
import { runAudienceGuardChecks, runGuardChecks } from './checks/guards';
import { runRecordsScenario } from './checks/records-scenario';
import { PEOPLE_TARGETS, runPeopleScenario } from './checks/people-moves';
import { peopleHistoryArb } from './model/people-history';
import { runSecretChecks } from './checks/secrets';
import { runDistributed } from './distributed/section';
import { historyArb, stateFaultHistoryArb, type HistoryOptions } from './model/history';
import { faultKindsFor, replayCommand, type Profile } from './profiles';
import { emptyStats, type VerifyStats } from './stats';
import { AUDIENCE_TARGETS, DISTRIBUTED_TARGET, RECORD_TARGETS, selectTargets, type RecordTarget, type Targets } from './targets';

/** One section of a verification run. */
export interface Section {
  readonly name: string;
  run(profile: Profile, stats: VerifyStats, log: (line: string) => void, targets: Targets): Promise<void>;
}

/** What the generated histories of a record destination may contain. */
function historyOptions(target: RecordTarget): HistoryOptions {
  return {
    keyChanges: target.harness.matchKeyChangeable !== false,
    reuseRemovedKeys: target.reuseRemovedKeys !== false,
    ambiguous: target.ambiguousKeys !== false,
    ...(target.historyFiller ? { filler: target.historyFiller } : {}),
  };
}

/** Audience histories: identities may change; the same identity twice is a duplicate key, never an ambiguous match. */
const AUDIENCE_HISTORIES: HistoryOptions = { keyChanges: true };

/** `count` of `list`, starting at a place the seed picks (all when `count` covers the list). */
function sample<T>(list: readonly T[], count: number, seed: number): T[] {
  if (count >= list.length) return [...list];
  return Array.from({ length: count }, (_, i) => list[(seed + i) % list.length] as T);
}

/** Every check, in the order the summary lists them. */
export const SECTIONS: readonly Section[] = [
  {
    name: 'mode invariants (property-based, with faults)',
    async run(profile, stats, log, targets) {
      for (const target of targets.records.filter((r) => r.propertyHistories !== false)) {
        const t = RECORD_TARGETS.indexOf(target);
        for (const [m, mode] of target.harness.destination.syncModes.entries()) {
          const seed = profile.seed + t * 100 + m * 10;
          const histories = fc.sample(historyArb(historyOptions(target)), { numRuns: profile.histories, seed });
          for (const [i, history] of histories.entries()) await runRecordsScenario(target, mode, { ...history, label: `seed ${seed}#${i}` }, seed + i, stats);
          log(`  ${target.name}/${mode}: ${histories.length} histories`);
        }
      }
      for (const target of targets.audiences) {
        const t = AUDIENCE_TARGETS.indexOf(target);
        for (const [m, mode] of target.harness.destination.syncModes.entries()) {
          const seed = profile.seed + 5_000 + t * 100 + m * 10;
          const histories = fc.sample(historyArb(AUDIENCE_HISTORIES), { numRuns: profile.histories, seed });
          for (const [i, history] of histories.entries()) await runAudienceScenario(target, mode, { ...history, label: `seed ${seed}#${i}` }, seed + i, stats);
          log(`  ${target.name}/${mode}: ${histories.length} histories`);
        }
        if (target.refuseRemovals) {
          const seed = profile.seed + 6_000 + t * 100;
          const histories = fc.sample(historyArb(AUDIENCE_HISTORIES), { numRuns: profile.histories, seed });
          for (const [i, history] of histories.entries()) await runDeferredRemovals(target, { ...history, label: `seed ${seed}#${i}` }, stats);
          log(`  ${target.name}/sync, removals refused then allowed: ${histories.length} histories`);
        }
      }
    },
  },
  {
    name: 'identity by id (people moved between ids, id as key)',
    async run(profile, stats, log, targets) {
      const names = new Set(targets.records.map((r) => r.name));
      for (const [t, target] of PEOPLE_TARGETS.entries()) {
        if (!names.has(target.name)) continue;
        for (const [m, mode] of target.harness.destination.syncModes.entries()) {
          const seed = profile.seed + 11_000 + t * 100 + m * 10;
          const histories = fc.sample(peopleHistoryArb, { numRuns: profile.peopleHistories, seed });
          for (const [i, history] of histories.entries()) await runPeopleScenario(target, mode, history, `seed ${seed}#${i}`, stats);
          log(`  ${target.name}/${mode}: ${histories.length} histories`);
        }
      }
    },
  },
  {
    name: `fault matrix (429, 5xx, timeouts, resets, lost responses, token expiry)`,
    async run(profile, stats, log, targets) {
      // Each destination and mode gets its own rotation of fault kinds, whichever targets run.
      const offsets = new Map<string, number>();
      for (const target of [...RECORD_TARGETS, ...AUDIENCE_TARGETS]) for (const mode of target.harness.destination.syncModes) offsets.set(`${target.name}/${mode}`, offsets.size);
      const offsetOf = (name: string, mode: string) => offsets.get(`${name}/${mode}`) ?? 0;
      for (const target of targets.records.filter((r) => r.faultMatrix !== false)) {
        for (const mode of target.harness.destination.syncModes) {
          const kinds = faultKindsFor(FAULT_KINDS, profile.faultKinds, offsetOf(target.name, mode) + profile.seed);
          await runFaultMatrix(target, mode, profile.faultRate, stats, kinds, profile.seed);
          log(`  ${target.name}/${mode}: ${kinds.join(', ')}`);
        }
      }
      for (const target of targets.audiences) {
        for (const mode of target.harness.destination.syncModes) {
          const kinds = faultKindsFor(FAULT_KINDS, profile.faultKinds, offsetOf(target.name, mode) + profile.seed);
          await runAudienceFaultMatrix(target, mode, profile.faultRate, stats, kinds, profile.seed);
          log(`  ${target.name}/${mode}: ${kinds.join(', ')}`);
        }
      }
    },
  },
  {
    name: 'crashes (SIGKILL mid-sync, then rerun)',
    async run(profile, stats, log, targets) {
      for (const target of targets.records.filter((r) => r.cli !== false)) {
        const mode = target.harness.destination.syncModes.includes('sync') ? 'sync' : 'enrich';
        const before = stats.killsSurvived;
        await runCrashHarness(target, mode, { kills: profile.kills, rows: profile.crashRows, latencyMs: target.harness.writeBatchLimit > 1 ? 150 : 10, seed: profile.seed }, stats);
        log(`  ${target.name}/${mode}: ${stats.killsSurvived - before} kills`);
      }
      for (const target of targets.audiences) {
        const before = stats.killsSurvived;
        await runAudienceCrashHarness(target, 'sync', { kills: profile.kills, rows: profile.crashRows * 5, latencyMs: 150, seed: profile.seed }, stats);
        log(`  ${target.name}/sync: ${stats.killsSurvived - before} kills`);
      }
    },
  },
  {
    name: 'concurrent runs (two CLI processes, one sync)',
    async run(profile, stats, log, targets) {
      const all = [...targets.records.filter((r) => r.cli !== false).map((r) => ({ record: r })), ...targets.audiences.map((a) => ({ audience: a }))];
      for (const pick of sample(all, profile.concurrentTargets, profile.seed)) {
        const before = stats.scenarios;
        if ('record' in pick) await runConcurrentRecords(pick.record, pick.record.matrixRows ?? profile.concurrentRows, stats);
        else await runConcurrentAudience(pick.audience, profile.concurrentRows, stats);
        log(`  ${'record' in pick ? pick.record.name : pick.audience.name}: ${stats.scenarios - before} pairs of runs`);
      }
    },
  },
  {
    name: 'state write failures (disk full mid-run, then the next run)',
    async run(profile, stats, log, targets) {
      for (const target of targets.records) {
        const t = RECORD_TARGETS.indexOf(target);
        for (const [m, mode] of target.harness.destination.syncModes.entries()) {
          const seed = profile.seed + 7_000 + t * 100 + m * 10;
          const histories = fc.sample(stateFaultHistoryArb(historyOptions(target)), { numRuns: profile.stateFaultHistories, seed });
          for (const [i, history] of histories.entries()) await runRecordsScenario(target, mode, { ...history, label: `state faults, seed ${seed}#${i}` }, seed + i, stats);
          log(`  ${target.name}/${mode}: ${histories.length} histories`);
        }
      }
      for (const target of targets.audiences) {
        const t = AUDIENCE_TARGETS.indexOf(target);
        for (const [m, mode] of target.harness.destination.syncModes.entries()) {
          const seed = profile.seed + 9_000 + t * 100 + m * 10;
          const histories = fc.sample(stateFaultHistoryArb(AUDIENCE_HISTORIES), { numRuns: profile.stateFaultHistories, seed });
          for (const [i, history] of histories.entries()) await runAudienceScenario(target, mode, { ...history, label: `state faults, seed ${seed}#${i}` }, seed + i, stats);
          log(`  ${target.name}/${mode}: ${histories.length} histories`);
        }
      }
    },
  },
  {
    name: 'distributed (3 worker processes on Postgres: SIGKILL, SIGSTOP, guard)',
    async run(profile, stats, log, targets) {
      if (targets.distributed) await runDistributed(profile, stats, log);
    },
  },
  { name: 'bad input corpus', run: (_p, stats) => runBadInput(stats) },
  { name: 'secrets and personal data', run: (_p, stats) => runSecretChecks(stats) },
  {
    name: 'deletion and empty-source guards',
    async run(_p, stats, _log, targets) {
      await runGuardChecks(targets.records, stats);
      await runAudienceGuardChecks(targets.audiences, stats);
    },
  },
];

/** Runs every section; returns the totals and each section's figures. */
export async function verifyAll(profile: Profile, log: (line: string) => void = () => undefined, targets: Targets = selectTargets()): Promise<{ total: VerifyStats; sections: { name: string; stats: VerifyStats; ms: number }[] }> {
  const total = emptyStats();
  const chosen = [...targets.records, ...targets.audiences].map((t) => t.name).concat(targets.distributed ? [DISTRIBUTED_TARGET] : []);
  const replay = replayCommand(profile, chosen.length === RECORD_TARGETS.length + AUDIENCE_TARGETS.length + 1 ? undefined : chosen);
  const sections: { name: string; stats: VerifyStats; ms: number }[] = [];
  for (const section of SECTIONS) {
    const stats = emptyStats();
    const started = Date.now();
    log(`${section.name} …`);
    await section.run(profile, stats, log, targets);
    // Every violation says how to replay the run that found it.
    stats.violations = stats.violations.map((v) => `${v} [replay: ${replay}]`);
    sections.push({ name: section.name, stats, ms: Date.now() - started });
    total.scenarios += stats.scenarios;
    total.runs += stats.runs;
    total.faultsInjected += stats.faultsInjected;
    total.killsSurvived += stats.killsSurvived;
    total.recordsChecked += stats.recordsChecked;
    total.sentNotRecorded += stats.sentNotRecorded;
    total.violations.push(...stats.violations);
  }
  return { total, sections };
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The summary: per section and in total — scenarios, faults injected, kills survived, records checked, violations. */
export function formatSummary(profile: Profile, result: Awaited<ReturnType<typeof verifyAll>>): string {
  const lines = [`syncmodes verify (${profile.name}, seed ${profile.seed})`];
  for (const s of result.sections) {
    lines.push(
      `  ${s.name.padEnd(58)} ${fmt(s.stats.scenarios).padStart(5)} scenarios · ${fmt(s.stats.faultsInjected)} faults · ${fmt(s.stats.killsSurvived)} kills · ${fmt(s.stats.recordsChecked)} records${s.stats.sentNotRecorded > 0 ? ` (${fmt(s.stats.sentNotRecorded)} sent, not recorded, named)` : ''} · ${s.stats.violations.length} violations · ${(s.ms / 1000).toFixed(0)} s`,
    );
  }
  const t = result.total;
  lines.push(`scenarios run: ${fmt(t.scenarios)} · runs: ${fmt(t.runs)} · faults injected: ${fmt(t.faultsInjected)} · kills survived: ${fmt(t.killsSurvived)} · records checked: ${fmt(t.recordsChecked)} · violations: ${t.violations.length}`);
  for (const v of t.violations.slice(0, 50)) lines.push(`  VIOLATION ${v}`);
  if (t.violations.length > 50) lines.push(`  … and ${t.violations.length - 50} more`);
  return lines.join('\n');
}
