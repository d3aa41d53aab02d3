import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SyncMode } from '@syncmodes/connector-kit';
import { seededRandom } from '@syncmodes/connector-kit/emulator';
import type { VerifyStats } from '../stats';
import type { AudienceTarget } from './audience-scenario';
import { cliRunner, killRepeatedly, writeSourceCsv, type CrashOptions } from './crash-cli';

/**
 * The crash harness for an audience destination: SIGKILLs the CLI mid-sync (timed by the
 * emulator's request count) while alternating two versions of the source, then lets a run
 * finish and checks that every audience holds exactly what the mode promises for the final
 * source and that a rerun sends nothing.
 */
export async function runAudienceCrashHarness(target: AudienceTarget, mode: SyncMode, options: CrashOptions, stats: VerifyStats): Promise<void> {
  const h = target.harness;
  const t = await h.start();
  const dir = mkdtempSync(join(tmpdir(), `syncmodes-crash-${target.name}-`));
  const random = seededRandom(options.seed);
  const where = `crash ${target.name}/${mode}`;
  try {
    const version = (variant: number) =>
      Array.from({ length: options.rows + 20 }, (_, i) => i)
        .filter((i) => (variant === 0 ? i < options.rows : i >= 20))
        .map((i) => ({ i, id: `r${i}`, snapshot: h.record(i, i % 3 === variant ? ['alpha'] : ['alpha', 'beta']).snapshot }));
    const versions = [version(0), version(1)];
    const columns = Object.keys(versions[0]?.[0]?.snapshot.properties ?? {});
    const files = versions.map((rows, v) => {
      const path = join(dir, `source-${v}.csv`);
      writeSourceCsv(path, rows, columns);
      return path;
    });
    const runCli = cliRunner({ destination: h.destination, target: t, mode, columns, dir, okExitCodes: [0], where, stats });

    await t.admin.setFaults([{ kind: 'latency', latencyMs: options.latencyMs, path: '^/(?!__emulator)' }]);
    const first = await runCli(files[0] as string);
    const span = Math.max(2, first.requests);
    const current = await killRepeatedly(runCli, files, span, random, options, where, stats);
    await t.admin.clearFaults();
    await runCli(files[current] as string);
    await t.admin.clearRequests();
    await runCli(files[current] as string);
    const sent = (await t.admin.requests()).filter((e) => ['add', 'remove'].includes(h.classify(e)));
    if (sent.length > 0) stats.violations.push(`${where}: ${sent.length} request(s) on a rerun after recovery`);
    const actual = await t.read();
    const final = versions[current] ?? [];
    for (const audience of ['alpha', 'beta']) {
      const want = new Set(final.filter((row) => row.snapshot.groups.includes(audience)).map(({ i }) => h.memberKey(i)));
      const got = actual.get(audience) ?? new Set<string>();
      const missing = [...want].filter((m) => !got.has(m)).length;
      const extra = [...got].filter((m) => !want.has(m)).length;
      if (missing > 0) stats.violations.push(`${where}: ${missing} member(s) missing from ${audience}`);
      if (mode === 'sync' && extra > 0) stats.violations.push(`${where}: ${extra} member(s) left in ${audience} that sync mode should have removed`);
    }
    stats.recordsChecked += final.length;
    stats.scenarios++;
  } finally {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
