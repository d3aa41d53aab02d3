import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type SyncMode } from '@syncmodes/connector-kit';
import type { ConformanceRecord, DestinationView } from '@syncmodes/connector-kit/testing';
import { seededRandom } from '@syncmodes/connector-kit/emulator';
import type { VerifyStats } from '../stats';
import type { RecordTarget } from '../targets';
import { cliRunner, killRepeatedly, writeSourceCsv, type CrashOptions } from './crash-cli';

export type { CrashOptions } from './crash-cli';

/**
 * Kills the real CLI (SIGKILL) at random moments of a sync against a standalone emulator,
 * again and again, alternating between two versions of the source so there is always work
 * in flight; then lets a run finish and checks: no duplicate record, no lost record, the
 * destination holds what the mode promises for the final source, and a rerun sends no
 * write (state is consistent with the destination).
 */
export async function runCrashHarness(target: RecordTarget, mode: SyncMode, options: CrashOptions, stats: VerifyStats): Promise<void> {
  const h = target.harness;
  const t = await h.start();
  const dir = mkdtempSync(join(tmpdir(), `syncmodes-crash-${target.name}-`));
  const random = seededRandom(options.seed);
  const where = `crash ${target.name}/${mode}`;
  try {
    const destination = h.destination;
    const config = parseConfig(destination, t.config) as Record<string, unknown>;
    const groupsFor = (i: number, variant: number) => (i % 3 === variant ? ['alpha'] : ['alpha', 'beta']);
    const version = (variant: number) =>
      Array.from({ length: options.rows + 20 }, (_, i) => i)
        .filter((i) => (variant === 0 ? i < options.rows : i >= 20))
        .map((i) => {
          const base = h.record(i, groupsFor(i, variant));
          return h.withProperties({ id: `r${i}`, snapshot: base.snapshot }, { [h.clearableProperty]: `v${variant}-${i % 7}` });
        });
    const versions = [version(0), version(1)];
    const columns = Object.keys(versions[0]?.[0]?.snapshot.properties ?? {});
    const files = versions.map((records, v) => {
      const path = join(dir, `source-${v}.csv`);
      writeSourceCsv(path, records, columns);
      return path;
    });
    if (!destination.syncModes.includes('create' as never) && mode === 'enrich') {
      // Seeded without memberships: a sync takes out only memberships it made (its state
      // says so), so a membership seeded here would stay, as the records model says.
      const seeded = [...new Map([...versions[0] ?? [], ...versions[1] ?? []].map((r) => [r.id, r])).values()];
      await t.seed(seeded.map((r) => h.withProperties({ id: r.id, snapshot: { ...r.snapshot, groups: [] } }, { [h.clearableProperty]: 'seeded' })));
    }
    const runCli = cliRunner({ destination, target: t, mode, columns, dir, okExitCodes: [0, 1], where, stats });

    await t.admin.setFaults([{ kind: 'latency', latencyMs: options.latencyMs, path: '^/(?!__emulator)' }]);
    const first = await runCli(files[0] as string);
    if (first.code !== 0 && first.code !== 1) return;
    // Kill at a random point of the requests a full run makes.
    const span = Math.max(2, first.requests);
    const current = await killRepeatedly(runCli, files, span, random, options, where, stats);

    await t.admin.clearFaults();
    const finalFile = files[current] as string;
    const finalRecords = versions[current] as ConformanceRecord[];
    const done = await runCli(finalFile);
    if (done.code !== 0) stats.violations.push(`${where}: the run after the kills ended with exit code ${done.code}`);
    await t.admin.clearRequests();
    await runCli(finalFile);
    const writes = (await t.admin.requests()).filter((e) => ['create', 'update', 'delete', 'group'].includes(h.classify(e)));
    if (writes.length > 0) stats.violations.push(`${where}: ${writes.length} write(s) on a rerun after recovery: state and destination disagree`);

    const view: DestinationView[] = await t.read();
    const byKey = new Map<string, number>();
    for (const v of view) byKey.set(v.key, (byKey.get(v.key) ?? 0) + 1);
    for (const [key, n] of byKey) if (n > 1) stats.violations.push(`${where}: ${n} records with key ${key} (duplicated)`);
    for (const r of finalRecords) {
      const key = destination.matchKey(r.snapshot, config) as string;
      const v = view.find((x) => x.key === key);
      if (!v) {
        stats.violations.push(`${where}: record ${r.id} (${key}) lost`);
        continue;
      }
      const want = String(r.snapshot.properties[h.clearableProperty]);
      if (v.properties[h.clearableProperty] !== want) stats.violations.push(`${where}: ${key}.${h.clearableProperty} is ${v.properties[h.clearableProperty]}, expected ${want}`);
      if ([...v.groups].sort().join(',') !== [...r.snapshot.groups].sort().join(',')) stats.violations.push(`${where}: ${key} groups [${[...v.groups].sort()}], expected [${[...r.snapshot.groups].sort()}]`);
    }
    stats.recordsChecked += finalRecords.length;
    stats.scenarios++;
  } finally {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
