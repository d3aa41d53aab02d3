import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFields, type SyncMode } from '@syncmodes/connector-kit';
import { seededRandom } from '@syncmodes/connector-kit/emulator';
import type { VerifyStats } from '../stats';
import type { AudienceTarget } from './audience-scenario';
import type { CrashOptions } from './crash';

const ENTRY = new URL('../cli-entry.ts', import.meta.url).pathname;
const cell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

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
    const fields = configFields(h.destination.configSchema);
    const env: Record<string, string> = { ...(process.env as Record<string, string>) };
    const optionArgs: string[] = [];
    for (const f of fields) {
      const value = (t.config as Record<string, unknown>)[f.key];
      if (value === undefined || typeof value === 'object') continue;
      if (f.meta.secret) env[f.meta.env ?? f.key] = String(value);
      else optionArgs.push('--option', `${f.key}=${String(value)}`);
    }
    const version = (variant: number) =>
      Array.from({ length: options.rows + 20 }, (_, i) => i)
        .filter((i) => (variant === 0 ? i < options.rows : i >= 20))
        .map((i) => ({ i, record: h.record(i, i % 3 === variant ? ['alpha'] : ['alpha', 'beta']) }));
    const versions = [version(0), version(1)];
    const columns = Object.keys(versions[0]?.[0]?.record.snapshot.properties ?? {});
    const files = versions.map((rows, v) => {
      const path = join(dir, `source-${v}.csv`);
      const lines = [['id', ...columns, 'groups'].join(','), ...rows.map(({ i, record }) => [`r${i}`, ...columns.map((c) => cell(record.snapshot.properties[c])), record.snapshot.groups.join(';')].join(','))];
      writeFileSync(path, `${lines.join('\n')}\n`);
      return path;
    });
    const args = (file: string) => [
      'sync', '--to', h.destination.id, '--mode', mode, '--from', file, '--sync-name', 'crash', '--id', 'id', ...columns.flatMap((c) => ['--map', `${c}=${c}`]),
      '--groups', 'groups', '--state-dir', join(dir, 'state'), '--no-progress', '--allow-deletes', '1000000', ...optionArgs,
    ];
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
            if (!killed && code !== 0) stats.violations.push(`${where}: the CLI exited ${code}: ${stderr.slice(0, 400)}`);
            resolve({ code, killed, requests: (await t.admin.requests()).length - before });
          });
          if (killAtRequest === undefined) return;
          while (!exited) {
            if ((await t.admin.requests()).length - before >= killAtRequest) {
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
    const span = Math.max(2, first.requests);
    let landed = 0;
    let attempts = 0;
    let current = 1;
    while (landed < options.kills && attempts < options.kills * 4) {
      attempts++;
      if ((await runCli(files[current] as string, 1 + Math.floor(random() * (span - 1)))).killed) landed++;
      current = 1 - current;
    }
    if (landed < options.kills) stats.violations.push(`${where}: only ${landed} of ${options.kills} kills landed mid-sync`);
    stats.killsSurvived += landed;
    await t.admin.clearFaults();
    await runCli(files[current] as string);
    await t.admin.clearRequests();
    await runCli(files[current] as string);
    const sent = (await t.admin.requests()).filter((e) => ['add', 'remove'].includes(h.classify(e)));
    if (sent.length > 0) stats.violations.push(`${where}: ${sent.length} request(s) on a rerun after recovery`);
    const actual = await t.read();
    const final = versions[current] ?? [];
    for (const audience of ['alpha', 'beta']) {
      const want = new Set(final.filter(({ record }) => record.snapshot.groups.includes(audience)).map(({ i }) => h.memberKey(i)));
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
