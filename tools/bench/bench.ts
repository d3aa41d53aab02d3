/**
 * `npm run bench [-- --quick] [-- --only salesforce,intercom]` (`-- --help` for every
 * option): syncs generated records
 * into each destination's emulator, per mode and size, and reports API calls by kind
 * against the theoretical minimum, records per second and peak memory — with, in the same
 * run, a naive baseline (one official-SDK call per record, no diffing). Results go to
 * `tools/bench/results/bench.json` and `tools/bench/results/BENCH.md` for a full run (or
 * `--merge`); any other run (quick, or a subset) writes under `.syncmodes/bench/` unless
 * `--out` says otherwise, so a partial run never replaces the checked-in results.
 *
 * Each measured run is a child process (its peak memory is its own); the emulator runs in
 * this process. Not a test: nothing here asserts on speed.
 */
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { rawParseRate, writeBenchCsv } from './csv-file';
import { build } from 'esbuild';
import type { SyncMode } from '@syncmodes/connector-kit';
import { BENCH_DESTINATIONS, benchEntry } from './destinations/index';
import { runDistributedBench } from './distributed/section';
import { renderMarkdown, type BenchReport } from './report';
import { range } from './pool';
import type { BenchEmulator, BenchEntry, CallClass, MinimumCalls, RunShape, StepCounts } from './types';
import type { WorkerJob, WorkerResult } from './worker';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

/** One measured step. Units: calls, records, ms, MB. */
export interface StepResult {
  readonly destination: string;
  readonly mode: SyncMode | 'naive';
  readonly n: number;
  readonly step: 'first' | 'rerun' | 'departures' | 'naive' | 'pacing';
  /** What sets this step apart from the others of its size (e.g. `empty org`). */
  readonly note?: string | undefined;
  /** Every call was delayed by this round trip, ms (the network comparison; absent on plain loopback). */
  readonly rttMs?: number | undefined;
  readonly calls: Record<CallClass, number>;
  /** Bulk jobs created, by kind (`ingest`, `query`); absent when the run made none. */
  readonly jobs?: Readonly<Record<string, number>> | undefined;
  /** Calls answered 429. */
  readonly refused: number;
  readonly minimum: MinimumCalls;
  /** What the scenario implies the step does (from the generated data, not from the kit's own counts). */
  readonly expected?: StepCounts | undefined;
  /** V8's heap was capped at this many MB for the run. */
  readonly heapCapMb?: number | undefined;
  readonly worker: WorkerResult;
  /**
   * Pacing steps: the enforced limit, and calls accepted per second over the whole sync
   * (connect and lookups included: every call counts against the limit), so the figure
   * is never flattered by where a window boundary fell.
   */
  readonly pacing?: { readonly limitPerSec: number; readonly acceptedCalls: number; readonly acceptedWrites: number; readonly sustainedPerSec: number; readonly limitOn?: 'writes' | undefined } | undefined;
}

const CLASSES: readonly CallClass[] = ['lookup', 'create', 'update', 'upsert', 'composite', 'delete', 'bulk_write', 'bulk_lookup', 'other'];
const WRITES = new Set<CallClass>(['create', 'update', 'upsert', 'composite', 'delete', 'bulk_write']);

/** Counts the emulator's requests by class as they come (the log is drained, so it never fills). */
class CallCounter {
  readonly calls = Object.fromEntries(CLASSES.map((c) => [c, 0])) as Record<CallClass, number>;
  refused = 0;
  /** Bulk jobs created, by kind (Salesforce Bulk API 2.0: `ingest`, `query`). */
  readonly jobs: Record<string, number> = {};
  /** Calls not refused with 429 (every call counts against the vendor's limit). */
  accepted = 0;
  acceptedWrites = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly entry: BenchEntry,
    private readonly emulator: BenchEmulator,
  ) {
    emulator.server.clearRequests();
    this.timer = setInterval(() => this.drain(), 200);
  }

  drain(): void {
    for (const e of this.emulator.server.takeRequests()) {
      const kind = this.entry.classify(e);
      this.calls[kind]++;
      const job = this.entry.jobCreated?.(e);
      if (job !== undefined && e.status >= 200 && e.status < 300) this.jobs[job] = (this.jobs[job] ?? 0) + 1;
      if (e.status === 429) this.refused++;
      else {
        this.accepted++;
        if (WRITES.has(kind) && e.status >= 200 && e.status < 300) this.acceptedWrites++;
      }
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.drain();
  }
}

/**
 * Bundles the worker (bench code only; packages stay imports, resolved to their built
 * `dist/`) so measured runs are plain `node` on the code a user runs, without a
 * TypeScript loader in the process. Returns the bundle's path.
 */
async function bundleWorker(): Promise<string> {
  const outfile = join(root, '.syncmodes/bench/worker.mjs');
  await build({ entryPoints: [join(here, 'worker.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile, logLevel: 'warning' });
  return outfile;
}

/**
 * Runs one job in a child process, with V8's heap capped at `maxOldSpaceMb` when given (a
 * run that needs more dies, and says so). @throws Error with the worker's stack when it failed.
 */
function runWorker(workerPath: string, job: WorkerJob, maxOldSpaceMb?: number): Promise<WorkerResult> {
  return new Promise((resolvePromise, reject) => {
    const execArgv = maxOldSpaceMb ? [`--max-old-space-size=${maxOldSpaceMb}`] : [];
    const child = fork(workerPath, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
    let settled = false;
    child.once('message', (message: { ok: boolean; result?: WorkerResult; error?: string }) => {
      settled = true;
      if (message.ok && message.result) resolvePromise(message.result);
      else reject(new Error(`worker failed: ${message.error}`));
    });
    child.once('exit', (code) => {
      if (!settled) reject(new Error(`worker exited with ${code} before answering (out of memory?)`));
    });
    child.send(job);
  });
}

/** The name that selects the distributed section in `--only`. */
const DISTRIBUTED = 'distributed';

interface Options {
  readonly quick: boolean;
  /** The destinations measured (without `distributed`). */
  readonly only: readonly string[];
  /** Run the distributed section (several workers on Postgres). */
  readonly distributed: boolean;
  /** Records of its unchanged rerun with SQLite and with Postgres state. */
  readonly planningRows: number;
  readonly sizes: readonly number[];
  readonly million: boolean;
  readonly pacing: boolean;
  /** Round trips added to every call for the Salesforce vs naive comparisons at 10,000 records, ms (empty: none). */
  readonly rttMs: readonly number[];
  /** Replace only the selected destinations' steps in the existing results. */
  readonly merge: boolean;
  readonly out: string;
}

const RESULTS = 'tools/bench/results';
const SCRATCH = '.syncmodes/bench';

const USAGE = `Usage: npm run bench -- [options]

Syncs generated records into each destination's emulator, per mode and size: API calls by
kind against the fewest the API allows, records per second, peak memory, next to a naive
baseline (one official-SDK call per record) measured in the same run. Not a test.

  --quick            1,000 and 10,000 records; through Salesforce 100,000 (empty org) and
                     200,000 instead of a million (a few minutes)
  --only <ids>       destinations, comma-separated: ${BENCH_DESTINATIONS.map((d) => d.id).join(', ')};
                     and ${DISTRIBUTED}: 6 syncs over two Intercom workspaces (a per-workspace limit
                     enforced) on 1, 2 and 3 worker processes on a throwaway Postgres (Node 22
                     for the workers), and an unchanged rerun's planning rate with Postgres state
                     beside SQLite's
  --sizes <n,…>      record counts (positive integers), e.g. 1000,10000
  --no-million       skip the million-row (quick: 200,000-row) Salesforce runs
  --no-pacing        skip the runs under an enforced rate limit
  --no-distributed   skip the distributed section
  --planning-rows <n>  records of the distributed section's unchanged rerun (default: 1,000,000;
                     --quick 200,000; 0 skips it)
  --rtt-ms <ms,…>    round trips added to every call in the extra Salesforce vs naive runs
                     at 10,000 records (default 20,100; 0: skip them)
  --out <dir>        where bench.json and BENCH.md go
  --merge            measure the --only destinations again into the results in --out
                     (default ${RESULTS}), keeping the others'
  --render           re-render BENCH.md from the bench.json in --out (after notes.md changed)
  -h, --help         this text

A full run (no --quick, no subset) writes ${RESULTS}/ (checked in); any other run writes
${SCRATCH}/ unless --out or --merge says otherwise.
`;

/** A usage error: printed with the usage text, exit code 2. */
class UsageError extends Error {}

function positiveIntegers(flag: string, text: string): number[] {
  const values = text.split(',').map((v) => v.trim());
  const bad = values.filter((v) => !/^[1-9][0-9]*$/.test(v.replace(/_/g, '')));
  if (bad.length > 0 || values.length === 0) throw new UsageError(`${flag} takes positive integers separated by commas (e.g. 1000,10000); not: ${bad.map((b) => `"${b}"`).join(', ') || '(empty)'}`);
  return values.map((v) => Number(v.replace(/_/g, '')));
}

function options(): Options {
  let values;
  try {
    values = parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string' },
        sizes: { type: 'string' },
        'no-million': { type: 'boolean', default: false },
        'no-pacing': { type: 'boolean', default: false },
        'no-distributed': { type: 'boolean', default: false },
        'planning-rows': { type: 'string' },
        'rtt-ms': { type: 'string' },
        merge: { type: 'boolean', default: false },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const known = [...BENCH_DESTINATIONS.map((d) => d.id), DISTRIBUTED];
  const only = values.only === undefined ? known : values.only.split(',').map((v) => v.trim()).filter(Boolean);
  const unknown = only.filter((id) => !known.includes(id));
  if (unknown.length > 0 || only.length === 0) throw new UsageError(`--only: unknown destination ${unknown.map((u) => `"${u}"`).join(', ') || '(none given)'}; known: ${known.join(', ')}`);
  const rtt = values['rtt-ms'] === undefined ? (quick ? [] : [20, 100]) : values['rtt-ms'] === '0' ? [] : positiveIntegers('--rtt-ms', values['rtt-ms']);
  const subset = quick || values.only !== undefined || values.sizes !== undefined || values['no-million'] || values['no-pacing'] || values['no-distributed'] || values['rtt-ms'] !== undefined;
  const planning = values['planning-rows'];
  const merge = values.merge ?? false;
  return {
    quick,
    only: only.filter((id) => id !== DISTRIBUTED),
    distributed: only.includes(DISTRIBUTED) && !values['no-distributed'],
    planningRows: planning === undefined ? (quick ? 200_000 : 1_000_000) : planning === '0' ? 0 : (positiveIntegers('--planning-rows', planning)[0] as number),
    sizes: values.sizes !== undefined ? positiveIntegers('--sizes', values.sizes) : quick ? [1_000, 10_000] : [1_000, 10_000, 100_000],
    million: !values['no-million'],
    pacing: !values['no-pacing'],
    rttMs: rtt,
    merge,
    out: resolve(root, values.out ?? (subset && !merge ? SCRATCH : RESULTS)),
  };
}

/** Records of [0, n) that exist in the destination before a first run: the even ones. */
const existingOf = (n: number) => [...range(0, n)].filter((i) => i % 2 === 0);

/**
 * What a step must do to the generated records, from the scenario alone: a first run
 * with `existing` of the N records already in the destination; a rerun (nothing to
 * write); departures of records [kept, n) in sync mode (only the records the sync created
 * — the odd ones, or every member for an audience — are deleted). Lookups: every changed
 * or departing record (`undefined` for reruns: the kit's own count of records to recheck).
 */
function expectedCounts(entry: BenchEntry, step: StepResult['step'], mode: SyncMode, n: number, existing: number, kept = n): StepCounts | undefined {
  if (step === 'rerun') return undefined;
  if (step === 'departures') {
    const departing = n - kept;
    const created = entry.audience ? departing : Math.floor(n / 2) - Math.floor(kept / 2);
    return { created: 0, updated: 0, deleted: created, lookedUp: entry.audience ? 0 : departing };
  }
  if (entry.audience) return { created: n, updated: 0, deleted: 0, lookedUp: 0 };
  if (mode === 'enrich') return { created: 0, updated: existing, deleted: 0, lookedUp: n };
  return { created: n - existing, updated: existing, deleted: 0, lookedUp: n };
}

const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** Hand-written notes (profiles, what stands in the way) appended to the report: `tools/bench/notes.md`. */
function notes(): string | undefined {
  const file = join(here, 'notes.md');
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

async function main(): Promise<void> {
  if (process.argv.includes('--render')) {
    // Re-renders BENCH.md from a bench.json (after the notes changed): `tsx tools/bench/bench.ts --render [--out dir]`.
    const dir = resolve(root, parseArgs({ options: { render: { type: 'boolean' }, out: { type: 'string' } } }).values.out ?? 'tools/bench/results');
    const report = JSON.parse(readFileSync(join(dir, 'bench.json'), 'utf8')) as BenchReport;
    writeFileSync(join(dir, 'BENCH.md'), renderMarkdown(report, notes()));
    return;
  }
  const opts = options();
  const workerPath = await bundleWorker();
  const work = mkdtempSync(join(tmpdir(), 'syncmodes-bench-'));
  const steps: StepResult[] = [];
  let parse: BenchReport['parse'];
  const started = Date.now();
  let stateSeq = 0;
  const stateFile = () => join(work, `state-${++stateSeq}.sqlite`);

  const measure = async (
    entry: BenchEntry,
    emulator: BenchEmulator,
    step: StepResult['step'],
    mode: StepResult['mode'],
    n: number,
    job: Omit<WorkerJob, 'entry' | 'url' | 'stateFile'> & { stateFile?: string },
    extra: { shape?: RunShape; maxOldSpaceMb?: number; rttMs?: number; note?: string; expected?: StepCounts | undefined } = {},
  ): Promise<StepResult> => {
    const { shape = {}, maxOldSpaceMb, rttMs, note, expected } = extra;
    const counter = new CallCounter(entry, emulator);
    let worker: WorkerResult;
    try {
      worker = await runWorker(workerPath, { entry: entry.id, url: emulator.url, stateFile: job.stateFile ?? stateFile(), ...job }, maxOldSpaceMb);
    } finally {
      counter.stop();
    }
    const { counts } = worker;
    // The minimum follows from the scenario (what the run must do), not from what the kit did; a rerun's lookups are the kit's rechecks.
    const minimum =
      step === 'naive'
        ? { lookups: 0, writes: 0 }
        : entry.minimum(expected ?? { created: counts.created, updated: counts.updated, deleted: counts.deleted, lookedUp: worker.lookedUp });
    const result: StepResult = {
      destination: entry.id,
      mode,
      n,
      step,
      calls: { ...counter.calls },
      ...(Object.keys(counter.jobs).length > 0 ? { jobs: { ...counter.jobs } } : {}),
      refused: counter.refused,
      minimum,
      ...(expected ? { expected } : {}),
      ...(maxOldSpaceMb ? { heapCapMb: maxOldSpaceMb } : {}),
      worker,
      ...(rttMs ? { rttMs } : {}),
      ...(note ? { note } : {}),
      ...(shape.rateLimitPerSec
        ? {
            pacing: {
              limitPerSec: shape.rateLimitPerSec,
              acceptedCalls: counter.accepted,
              acceptedWrites: counter.acceptedWrites,
              // What the vendor's limit counts: every call (Intercom), or writes only (OneSignal's per-app update limit).
              sustainedPerSec: (entry.pacing?.limitOn === 'writes' ? counter.acceptedWrites : counter.accepted) / (worker.durationMs / 1000),
              ...(entry.pacing?.limitOn === 'writes' ? { limitOn: 'writes' as const } : {}),
            },
          }
        : {}),
    };
    const total = CLASSES.filter((c) => c !== 'other').reduce((a, c) => a + (result.calls[c] ?? 0), 0);
    log(
      `${entry.id} ${mode} ${n} ${step}${rttMs ? ` (${rttMs} ms round trip)` : ''}${note ? ` (${note})` : ''}: ${total} calls${step === 'naive' ? '' : ` (min ${minimum.lookups + minimum.writes})`}, ` +
        `${worker.requests !== undefined ? `${worker.requests} HTTP requests, ` : ''}${((n / worker.durationMs) * 1000).toFixed(0)} rec/s, ${worker.maxRssMb.toFixed(0)} MB, ${JSON.stringify(counts)}${worker.status !== 'completed' ? ` ${worker.status}: ${worker.reason}` : ''}`,
    );
    steps.push(result);
    return result;
  };

  for (const id of opts.only) {
    const entry = benchEntry(id);
    const emulator = await entry.startEmulator({});
    try {
      for (const n of opts.sizes) {
        const existing = existingOf(n);
        // The naive baseline: the same records into the same destination (half the people exist).
        if (!entry.naiveShared) {
          emulator.reset();
          emulator.seed(existing);
          await measure(entry, emulator, 'naive', 'naive', n, { kind: 'naive', from: 0, to: n, version: 1, shape: {} });
        }
        for (const mode of entry.modes) {
          emulator.reset();
          emulator.seed(existing);
          const state = stateFile();
          await measure(entry, emulator, 'first', mode, n, { kind: 'kit', mode, from: 0, to: n, version: 1, stateFile: state, shape: {} }, { expected: expectedCounts(entry, 'first', mode, n, existing.length) });
          await measure(entry, emulator, 'rerun', mode, n, { kind: 'kit', mode, from: 0, to: n, version: 1, stateFile: state, shape: {} });
          if (mode === 'sync') {
            const kept = Math.round(n * 0.9);
            await measure(
              entry, emulator, 'departures', mode, n,
              { kind: 'kit', mode, from: 0, to: kept, version: 1, stateFile: state, shape: {}, allowDeletes: true },
              { expected: expectedCounts(entry, 'departures', mode, n, existing.length, kept) },
            );
          }
        }
      }
    } finally {
      await emulator.stop();
    }
  }

  for (const rttMs of opts.only.includes('salesforce') ? opts.rttMs : []) {
    // The same 10,000-record comparison with a network round trip on every call (loopback has none).
    const entry = benchEntry('salesforce');
    const n = 10_000;
    const emulator = await entry.startEmulator({});
    const latency = [{ kind: 'latency' as const, latencyMs: rttMs, rate: 1 }];
    try {
      const existing = existingOf(n);
      emulator.reset();
      emulator.seed(existing);
      emulator.server.setFaults(latency);
      await measure(entry, emulator, 'naive', 'naive', n, { kind: 'naive', from: 0, to: n, version: 1, shape: {} }, { rttMs });
      emulator.reset();
      emulator.seed(existing);
      emulator.server.setFaults(latency);
      await measure(entry, emulator, 'first', 'additive', n, { kind: 'kit', mode: 'additive', from: 0, to: n, version: 1, shape: {} }, { rttMs, expected: expectedCounts(entry, 'first', 'additive', n, existing.length) });
    } finally {
      await emulator.stop();
    }
  }

  if (opts.million && opts.only.includes('salesforce')) {
    // A million rows through the planner and one batched destination (Salesforce, Bulk API 2.0), then an unchanged rerun.
    const entry = benchEntry('salesforce');
    const n = opts.quick ? 200_000 : 1_000_000;
    const emulator = await entry.startEmulator({});
    try {
      // 100,000 new records into an empty org: one insert job (the issue's "at most 10 calls").
      const hundredK = 100_000;
      await measure(entry, emulator, 'first', 'additive', hundredK, { kind: 'kit', mode: 'additive', from: 0, to: hundredK, version: 1, shape: {} }, { note: 'empty org', expected: expectedCounts(entry, 'first', 'additive', hundredK, 0) });
      emulator.reset();
      // A million rows from a CSV file, as a user runs it: no heap cap. The raw parse rate of
      // the same file (csv-parse alone) is the planning rate's physical limit, measured here.
      const csv = await writeBenchCsv(entry, join(work, 'million.csv'), n);
      parse = { ...(await rawParseRate(csv.path)), n };
      log(`raw CSV parse of ${n} rows: ${parse.recordsPerSec.toFixed(0)} rec/s`);
      const state = stateFile();
      const expected = expectedCounts(entry, 'first', 'additive', n, 0);
      await measure(entry, emulator, 'first', 'additive', n, { kind: 'kit', mode: 'additive', from: 0, to: n, version: 1, stateFile: state, shape: {}, csv }, { note: 'CSV file', expected });
      await measure(entry, emulator, 'rerun', 'additive', n, { kind: 'kit', mode: 'additive', from: 0, to: n, version: 1, stateFile: state, shape: {}, csv }, { note: 'CSV file' });
    } finally {
      await emulator.stop();
    }
  }

  if (opts.pacing) {
    for (const id of opts.only) {
      const entry = benchEntry(id);
      if (!entry.pacing) continue;
      const shape = { rateLimitPerSec: entry.pacing.limitPerSec };
      const n = opts.quick ? entry.pacing.quickRecords : entry.pacing.records;
      const emulator = await entry.startEmulator(shape);
      try {
        // Every record exists (enrich-only destinations need that); each costs one write.
        emulator.seed([...range(0, n)]);
        const mode = entry.modes.includes('additive') ? 'additive' : (entry.modes[0] as SyncMode);
        await measure(entry, emulator, 'pacing', mode, n, { kind: 'kit', mode, from: 0, to: n, version: 1, shape }, { shape, expected: { created: 0, updated: n, deleted: 0, lookedUp: n } });
      } finally {
        await emulator.stop();
      }
    }
  }

  let distributed: BenchReport['distributed'];
  if (opts.distributed) {
    // Each of the 6 runs makes about records + records/100 calls (a create per contact, searches of 100): ~10 s per run at the limit.
    const sizes = opts.quick ? { recordsPerSync: 100, limitPer10s: 100 } : { recordsPerSync: 300, limitPer10s: 300 };
    distributed = await runDistributedBench({ ...sizes, workers: [1, 2, 3], planningRecords: opts.planningRows }, log);
  }

  rmSync(work, { recursive: true, force: true });
  mkdirSync(opts.out, { recursive: true });
  const previous = opts.merge && existsSync(join(opts.out, 'bench.json')) ? (JSON.parse(readFileSync(join(opts.out, 'bench.json'), 'utf8')) as BenchReport) : undefined;
  const report: BenchReport = {
    generatedAt: previous?.generatedAt ?? new Date().toISOString(),
    quick: opts.quick,
    durationSec: (previous?.durationSec ?? 0) + Math.round((Date.now() - started) / 1000),
    machine: { cpus: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
    naive: Object.fromEntries(BENCH_DESTINATIONS.map((d) => [d.id, d.naiveDescription])),
    // --merge: these destinations' steps replace theirs in the previous results (each destination's naive and kit figures stay from one run).
    steps: previous ? [...previous.steps.filter((s) => !opts.only.includes(s.destination)), ...steps] : steps,
    ...((distributed ?? previous?.distributed) ? { distributed: distributed ?? previous?.distributed } : {}),
    ...((parse ?? previous?.parse) ? { parse: parse ?? previous?.parse } : {}),
    ...(previous ? { rerun: [...(previous.rerun ?? []), { destinations: opts.only, at: new Date().toISOString() }] } : {}),
  };
  writeFileSync(join(opts.out, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(opts.out, 'BENCH.md'), renderMarkdown(report, notes()));
  log(`done in ${report.durationSec} s; results in ${opts.out}`);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`bench: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
