import fc from 'fast-check';
import { runAudienceCrashHarness } from './checks/audience-crash';
import { runAudienceScenario } from './checks/audience-scenario';
import { runBadInput } from './checks/bad-input';
import { runCrashHarness } from './checks/crash';
import { FAULT_KINDS, runAudienceFaultMatrix, runFaultMatrix } from './checks/fault-matrix';
import { runAudienceGuardChecks, runGuardChecks } from './checks/guards';
import { runRecordsScenario } from './checks/records-scenario';
import { runSecretChecks } from './checks/secrets';
import { historyArb } from './model/history';
import { faultKindsFor, type Profile } from './profiles';
import { emptyStats, type VerifyStats } from './stats';
import { AUDIENCE_TARGETS, RECORD_TARGETS, selectTargets, type Targets } from './targets';

/** One section of a verification run. */
export interface Section {
  readonly name: string;
  run(profile: Profile, stats: VerifyStats, log: (line: string) => void, targets: Targets): Promise<void>;
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
          const arb = historyArb({ keyChanges: target.harness.matchKeyChangeable !== false, reuseRemovedKeys: target.reuseRemovedKeys !== false });
          const histories = fc.sample(arb, { numRuns: profile.histories, seed });
          for (const [i, history] of histories.entries()) await runRecordsScenario(target, mode, history, seed + i, stats);
          log(`  ${target.name}/${mode}: ${histories.length} histories`);
        }
      }
      for (const target of targets.audiences) {
        const t = AUDIENCE_TARGETS.indexOf(target);
        for (const [m, mode] of target.harness.destination.syncModes.entries()) {
          const seed = profile.seed + 5_000 + t * 100 + m * 10;
          const histories = fc.sample(historyArb({ keyChanges: true }), { numRuns: profile.histories, seed });
          for (const [i, history] of histories.entries()) await runAudienceScenario(target, mode, history, seed + i, stats);
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
      for (const target of targets.records) {
        for (const mode of target.harness.destination.syncModes) {
          const kinds = faultKindsFor(FAULT_KINDS, profile.faultKinds, offsetOf(target.name, mode));
          await runFaultMatrix(target, mode, profile.faultRate, stats, kinds);
          log(`  ${target.name}/${mode}: ${kinds.join(', ')}`);
        }
      }
      for (const target of targets.audiences) {
        for (const mode of target.harness.destination.syncModes) {
          const kinds = faultKindsFor(FAULT_KINDS, profile.faultKinds, offsetOf(target.name, mode));
          await runAudienceFaultMatrix(target, mode, profile.faultRate, stats, kinds);
          log(`  ${target.name}/${mode}: ${kinds.join(', ')}`);
        }
      }
    },
  },
  {
    name: 'crashes (SIGKILL mid-sync, then rerun)',
    async run(profile, stats, log, targets) {
      for (const target of targets.records) {
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
  const sections: { name: string; stats: VerifyStats; ms: number }[] = [];
  for (const section of SECTIONS) {
    const stats = emptyStats();
    const started = Date.now();
    log(`${section.name} …`);
    await section.run(profile, stats, log, targets);
    sections.push({ name: section.name, stats, ms: Date.now() - started });
    total.scenarios += stats.scenarios;
    total.runs += stats.runs;
    total.faultsInjected += stats.faultsInjected;
    total.killsSurvived += stats.killsSurvived;
    total.recordsChecked += stats.recordsChecked;
    total.violations.push(...stats.violations);
  }
  return { total, sections };
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The summary: per section and in total — scenarios, faults injected, kills survived, records checked, violations. */
export function formatSummary(profile: Profile, result: Awaited<ReturnType<typeof verifyAll>>): string {
  const lines = [`syncmodes verify (${profile.name})`];
  for (const s of result.sections) {
    lines.push(
      `  ${s.name.padEnd(58)} ${fmt(s.stats.scenarios).padStart(5)} scenarios · ${fmt(s.stats.faultsInjected)} faults · ${fmt(s.stats.killsSurvived)} kills · ${fmt(s.stats.recordsChecked)} records · ${s.stats.violations.length} violations · ${(s.ms / 1000).toFixed(0)} s`,
    );
  }
  const t = result.total;
  lines.push(`scenarios run: ${fmt(t.scenarios)} · runs: ${fmt(t.runs)} · faults injected: ${fmt(t.faultsInjected)} · kills survived: ${fmt(t.killsSurvived)} · records checked: ${fmt(t.recordsChecked)} · violations: ${t.violations.length}`);
  for (const v of t.violations.slice(0, 50)) lines.push(`  VIOLATION ${v}`);
  if (t.violations.length > 50) lines.push(`  … and ${t.violations.length - 50} more`);
  return lines.join('\n');
}
