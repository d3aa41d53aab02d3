import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFields, parseConfig, type AnyDestination, type SyncMode } from '@syncmodes/connector-kit';
import type { EmulatorClient, RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import type { VerifyStats } from '../stats';
import type { RecordTarget } from '../targets';
import type { AudienceTarget } from './audience-scenario';
import { cliInvocation, spawnCli, writeSourceCsv, type CrashRow } from './crash-cli';
import { requestLogReader } from './request-log';

/** A started emulator, as this check uses it. */
interface Started {
  readonly admin: EmulatorClient;
  readonly config: unknown;
  stop(): Promise<void>;
}

/** What the check needs of a destination: its rows, how its emulator counts writes, what its data must hold after one run. */
interface ConcurrentSubject<T extends Started> {
  readonly name: string;
  readonly destination: AnyDestination;
  readonly mode: SyncMode;
  start(): Promise<T>;
  /** The source rows; seeds the emulator first where the mode needs records to exist. */
  prepare(t: T, rows: number): Promise<CrashRow[]>;
  /** Records (or memberships) a logged request writes; `undefined` when the request carries them in a form the harness cannot count (a bulk ingest job). */
  written(e: RequestLogEntry): number | undefined;
  /** What one run writes for these rows. */
  expectedWrites(rows: readonly CrashRow[]): number;
  /** Problems with the destination's data after the runs (duplicates, missing records). */
  checkData(t: T, rows: readonly CrashRow[]): Promise<string[]>;
}

/** One CLI process of the check, with its exit. */
interface Child {
  readonly pid: number;
  readonly exited: Promise<{ code: number | null; stderr: string }>;
}

function launch(args: readonly string[], env: Record<string, string>): Child {
  const child = spawnCli(args, env);
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  child.stdout?.on('data', (d) => (stdout += String(d)));
  // The summary (stdout) and the errors and logs (stderr), as the user sees them.
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stderr: `${stdout}${stderr}` })));
  return { pid: child.pid as number, exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the emulator has logged a write since `logged` was made (the run holding the sync is sending), or the child exited. */
async function firstWrite(logged: () => Promise<readonly RequestLogEntry[]>, subject: ConcurrentSubject<Started>, child: Child): Promise<boolean> {
  let done = false;
  void child.exited.then(() => (done = true));
  while (!done) {
    if ((await logged()).some((e) => (subject.written(e) ?? 1) > 0)) return true;
    await sleep(10);
  }
  return false;
}

/**
 * Two ways of running one sync twice at once, both through the real CLI with one state
 * directory: `together` starts both processes at the same moment; `paused` starts one,
 * pauses it (SIGSTOP) once it is sending, starts the other, and resumes the first when the
 * second has exited. Either way exactly one may run: it ends 0, the other ends 3 with
 * `sync_running` before sending anything.
 */
async function runPair(how: 'together' | 'paused', t: Started, subject: ConcurrentSubject<Started>, args: string[], env: Record<string, string>, where: string): Promise<string[]> {
  let first: Child;
  let second: Child;
  if (how === 'together') {
    first = launch(args, env);
    second = launch(args, env);
  } else {
    const logged = await requestLogReader(t.admin);
    first = launch(args, env);
    if (!(await firstWrite(logged, subject, first))) return [`${where}: the first run ended before it sent anything (${(await first.exited).code})`];
    process.kill(first.pid, 'SIGSTOP');
    second = launch(args, env);
    await second.exited;
    process.kill(first.pid, 'SIGCONT');
  }
  const ends = [await first.exited, await second.exited];
  const codes = ends.map((e) => e.code);
  const refused = ends.find((e) => e.code === 3);
  const problems: string[] = [];
  if (!(codes.includes(0) && refused)) problems.push(`${where}: exit codes ${codes.join(' and ')}, expected one 0 and one 3 (${ends.map((e) => e.stderr.trim().split('\n').slice(-2).join(' ')).join(' | ').slice(0, 400)})`);
  // Refused while the other holds the sync (sync_running), or — paused past its lease's time to
  // live, so the other took the sync over — stopped when it resumed (lease_lost).
  else if (!/sync_running|lease_lost/.test(refused.stderr)) problems.push(`${where}: the run that ended 3 says neither sync_running nor lease_lost: ${refused.stderr.slice(-400)}`);
  if (how === 'paused' && ends[1]?.code !== 3) problems.push(`${where}: the second run (started while the first was sending) was not the one refused`);
  return problems;
}

/** How long a request of the runs under this check may take, ms: longer than any pause of the `paused` order. */
const PAUSED_REQUEST_TIMEOUT_MS = 600_000;

/** `--option requestTimeoutMs=…` for a destination that has that option (see {@link PAUSED_REQUEST_TIMEOUT_MS}). */
function pauseProof(destination: AnyDestination): string[] {
  const has = configFields(destination.configSchema).some((f) => f.key === 'requestTimeoutMs');
  return has ? ['--option', `requestTimeoutMs=${PAUSED_REQUEST_TIMEOUT_MS}`] : [];
}

/**
 * Runs one sync twice at once (both orders of `runPair`) against a fresh emulator, then
 * checks: the writes the emulator logged are exactly one run's (nothing sent twice), the
 * data holds every record once, and a rerun sends nothing.
 */
async function checkConcurrent<T extends Started>(subject: ConcurrentSubject<T>, rows: number, stats: VerifyStats): Promise<void> {
  for (const how of ['together', 'paused'] as const) {
    const t = await subject.start();
    const dir = mkdtempSync(join(tmpdir(), `syncmodes-concurrent-${subject.name}-`));
    const where = `concurrent ${subject.name}/${subject.mode} (${how})`;
    try {
      const source = await subject.prepare(t, rows);
      const columns = Object.keys(source[0]?.snapshot.properties ?? {});
      const file = join(dir, 'source.csv');
      writeSourceCsv(file, source, columns);
      const { args: argsFor, env } = cliInvocation({ destination: subject.destination, target: t, mode: subject.mode, columns, dir });
      // The paused run's requests are in flight for as long as the other run lives, which on a loaded
      // 2-core machine passed Intercom's 20 s request timeout: its create was cut and failed (exit 1), a
      // timeout this check is not about. A long per-request timeout keeps it to what it checks: one run at a time.
      const args = (file: string) => argsFor(file, pauseProof(subject.destination));
      // Every call is slow, the first very slow: the run that holds the sync is still sending while the other starts.
      await t.admin.setFaults([
        { kind: 'latency', latencyMs: 3_000, times: 1, path: '^/(?!__emulator)' },
        { kind: 'latency', latencyMs: 40, path: '^/(?!__emulator)' },
      ]);
      await t.admin.clearRequests();
      stats.violations.push(...(await runPair(how, t, subject as unknown as ConcurrentSubject<Started>, args(file), env, where)));
      await t.admin.clearFaults();
      const log = await t.admin.requests();
      const counts = log.map((e) => subject.written(e));
      const want = subject.expectedWrites(source);
      const sent = counts.reduce<number>((a, n) => a + (n ?? 0), 0);
      if (!counts.includes(undefined) && sent !== want) stats.violations.push(`${where}: ${sent} record writes logged by the emulator, one run sends ${want}`);
      stats.violations.push(...(await subject.checkData(t, source)).map((p) => `${where}: ${p}`));
      await t.admin.clearRequests();
      const rerun = await launch(args(file), env).exited;
      if (rerun.code !== 0) stats.violations.push(`${where}: the rerun exited ${rerun.code}: ${rerun.stderr.slice(0, 300)}`);
      const again = (await t.admin.requests()).filter((e) => (subject.written(e) ?? 1) > 0);
      if (again.length > 0) stats.violations.push(`${where}: the rerun sent ${again.length} write(s): state and destination disagree`);
      stats.scenarios++;
      stats.runs += 3;
      stats.recordsChecked += source.length;
    } finally {
      await t.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** A record destination under the concurrency check: additive where it may create (else enrich over seeded records). */
export async function runConcurrentRecords(target: RecordTarget, rows: number, stats: VerifyStats): Promise<void> {
  const h = target.harness;
  const modes = h.destination.syncModes;
  const mode: SyncMode = modes.includes('additive') ? 'additive' : modes.includes('sync') ? 'sync' : 'enrich';
  const writes = new Set(mode === 'enrich' ? ['update'] : ['create']);
  await checkConcurrent(
    {
      name: target.name,
      destination: h.destination,
      mode,
      start: () => h.start(),
      async prepare(t, n) {
        const records = Array.from({ length: n }, (_, i) => h.withProperties({ id: `r${i}`, snapshot: h.record(i, i % 2 === 0 ? ['alpha'] : []).snapshot }, { [h.clearableProperty]: `v${i}` }));
        if (mode === 'enrich') await t.seed(records.map((r) => h.withProperties(r, { [h.clearableProperty]: 'seeded' })));
        return records;
      },
      written: (e) => {
        if (!writes.has(h.classify(e))) return 0;
        const n = h.recordsIn(e);
        return n > 0 ? n : undefined;
      },
      expectedWrites: (source) => source.length,
      async checkData(t, source) {
        const view = await t.read();
        const keys = new Map<string, number>();
        for (const v of view) keys.set(v.key, (keys.get(v.key) ?? 0) + 1);
        const problems = [...keys].filter(([, n]) => n > 1).map(([key, n]) => `${n} records with key ${key} (created twice)`);
        const config = parseConfig(h.destination, t.config) as never;
        const missing = source.filter((r) => !keys.has(h.destination.matchKey(r.snapshot as never, config) as string)).length;
        if (missing > 0) problems.push(`${missing} record(s) missing`);
        if (view.length !== source.length) problems.push(`${view.length} records in the destination, expected ${source.length}`);
        return problems;
      },
    },
    rows,
    stats,
  );
}

/** An audience destination under the concurrency check (sync mode): memberships added once each. */
export async function runConcurrentAudience(target: AudienceTarget, rows: number, stats: VerifyStats): Promise<void> {
  const h = target.harness;
  await checkConcurrent(
    {
      name: target.name,
      destination: h.destination,
      mode: 'sync',
      start: () => h.start(),
      prepare: async (_t, n) => Array.from({ length: n }, (_, i) => ({ id: `r${i}`, snapshot: h.record(i, i % 3 === 0 ? ['alpha'] : ['alpha', 'beta']).snapshot })),
      written: (e) => (h.classify(e) === 'add' ? h.recordsIn(e) : 0),
      expectedWrites: (source) => source.reduce((n, r) => n + r.snapshot.groups.length, 0),
      async checkData(t, source) {
        const audiences = await t.read();
        const problems: string[] = [];
        for (const name of ['alpha', 'beta']) {
          const want = source.filter((r) => r.snapshot.groups.includes(name)).length;
          const got = audiences.get(name)?.size ?? 0;
          if (got !== want) problems.push(`audience ${name} has ${got} members, expected ${want}`);
        }
        return problems;
      },
    },
    rows,
    stats,
  );
}
