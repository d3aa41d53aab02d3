import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFields, parseConfig, type SyncMode } from '@syncmodes/connector-kit';
import type { ConformanceRecord, DestinationView } from '@syncmodes/connector-kit/testing';
import { seededRandom } from '@syncmodes/connector-kit/emulator';
import type { VerifyStats } from '../stats';
import type { RecordTarget } from '../targets';

const ENTRY = new URL('../cli-entry.ts', import.meta.url).pathname;

/** Options of {@link runCrashHarness}. */
export interface CrashOptions {
  /** Kills that must land while the CLI is talking to the destination. */
  readonly kills: number;
  /** Source rows. */
  readonly rows: number;
  /** Delay the emulator adds to each request, ms (so a run lasts long enough to be killed mid-way). */
  readonly latencyMs: number;
  readonly seed: number;
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function writeCsv(path: string, records: readonly ConformanceRecord[], columns: readonly string[]): void {
  const lines = [['id', ...columns, 'groups'].map(csvCell).join(',')];
  for (const r of records) lines.push([r.id, ...columns.map((c) => r.snapshot.properties[c]), r.snapshot.groups.join(';')].map(csvCell).join(','));
  writeFileSync(path, `${lines.join('\n')}\n`);
}

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
    const fields = configFields(destination.configSchema);
    const env: Record<string, string> = { ...(process.env as Record<string, string>), NX_TUI: 'false' };
    const optionArgs: string[] = [];
    for (const f of fields) {
      const value = (t.config as Record<string, unknown>)[f.key];
      if (value === undefined || typeof value === 'object') continue;
      if (f.meta.secret) env[f.meta.env ?? f.key] = String(value);
      else optionArgs.push('--option', `${f.key}=${String(value)}`);
    }
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
      writeCsv(path, records, columns);
      return path;
    });
    if (!destination.syncModes.includes('create' as never) && mode === 'enrich') {
      await t.seed([...new Map([...versions[0] ?? [], ...versions[1] ?? []].map((r) => [r.id, r])).values()].map((r) => h.withProperties(r, { [h.clearableProperty]: 'seeded' })));
    }
    const args = (file: string) => [
      'sync', '--to', destination.id, '--mode', mode, '--from', file, '--sync-name', 'crash', '--id', 'id',
      ...columns.flatMap((c) => ['--map', `${c}=${c}`]), '--groups', 'groups',
      '--state-dir', join(dir, 'state'), '--no-progress', '--allow-deletes', '1000000', ...optionArgs,
    ];
    /** Runs the CLI; with `killAtRequest`, SIGKILLs it once the emulator has seen that many of its requests. */
    const runCli = (file: string, killAtRequest?: number) =>
      new Promise<{ code: number | null; killed: boolean; requests: number }>((resolve) => {
        void (async () => {
          const before = (await t.admin.requests()).length;
          const child = spawn(process.execPath, ['--conditions=@syncmodes/source', '--import', 'tsx', ENTRY, ...args(file)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
          let stderr = '';
          child.stderr.on('data', (d) => (stderr += String(d)));
          let killed = false;
          let exited = false;
          child.on('exit', async (code) => {
            exited = true;
            if (!killed && code !== 0 && code !== 1) stats.violations.push(`${where}: the CLI exited ${code}: ${stderr.slice(0, 400)}`);
            resolve({ code, killed, requests: (await t.admin.requests()).length - before });
          });
          if (killAtRequest === undefined) return;
          while (!exited) {
            const seen = (await t.admin.requests()).length - before;
            if (seen >= killAtRequest) {
              killed = true;
              child.kill('SIGKILL');
              return;
            }
            await new Promise((r) => setTimeout(r, 5));
          }
        })();
      });

    await t.admin.setFaults([{ kind: 'latency', latencyMs: options.latencyMs, path: '^/(?!__emulator)' }]);
    const first = await runCli(files[0] as string);
    if (first.code !== 0 && first.code !== 1) return;
    // Kill at a random point of the requests a full run makes.
    const span = Math.max(2, first.requests);
    let landed = 0;
    let attempts = 0;
    let current = 1;
    while (landed < options.kills && attempts < options.kills * 4) {
      attempts++;
      const result = await runCli(files[current] as string, 1 + Math.floor(random() * (span - 1)));
      if (result.killed) landed++;
      current = 1 - current;
    }
    if (landed < options.kills) stats.violations.push(`${where}: only ${landed} of ${options.kills} kills landed mid-sync`);
    stats.killsSurvived += landed;

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
