/**
 * `npm run bench [-- --quick] [-- --only salesforce,intercom]`: syncs generated records
 * into each destination's emulator, per mode and size, and reports API calls by kind
 * against the theoretical minimum, records per second and peak memory — with, in the same
 * run, a naive baseline (one official-SDK call per record, no diffing). Results go to
 * `tools/bench/results/bench.json` and `tools/bench/results/BENCH.md` (quick runs: under
 * `.syncmodes/bench/` unless `--out` says otherwise).
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
import { build } from 'esbuild';
import type { SyncMode } from '@syncmodes/connector-kit';
import { BENCH_DESTINATIONS, benchEntry } from './destinations/index';
import { renderMarkdown, type BenchReport } from './report';
import { range } from './pool';
import type { BenchEmulator, BenchEntry, CallClass, MinimumCalls, RunShape } from './types';
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
  /** Calls answered 429. */
  readonly refused: number;
  readonly minimum: MinimumCalls;
  readonly worker: WorkerResult;
  /**
   * Pacing steps: the enforced limit, and calls accepted per second over the whole sync
   * (connect and lookups included: every call counts against the limit), so the figure
   * is never flattered by where a window boundary fell.
   */
  readonly pacing?: { readonly limitPerSec: number; readonly acceptedCalls: number; readonly acceptedWrites: number; readonly sustainedPerSec: number } | undefined;
}

/** V8 heap cap of the million-row runs, MB: what is left of 512 MB after the process's code, SQLite and buffers. */
const MILLION_HEAP_MB = Number(process.env.BENCH_MILLION_HEAP_MB ?? 320);

const CLASSES: readonly CallClass[] = ['lookup', 'create', 'update', 'delete', 'bulk_write', 'bulk_lookup', 'other'];
const WRITES = new Set<CallClass>(['create', 'update', 'delete', 'bulk_write']);

/** Counts the emulator's requests by class as they come (the log is drained, so it never fills). */
class CallCounter {
  readonly calls = Object.fromEntries(CLASSES.map((c) => [c, 0])) as Record<CallClass, number>;
  refused = 0;
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
    const log = this.emulator.server.requests;
    for (const e of log) {
      const kind = this.entry.classify(e);
      this.calls[kind]++;
      if (e.status === 429) this.refused++;
      else {
        this.accepted++;
        if (WRITES.has(kind) && e.status >= 200 && e.status < 300) this.acceptedWrites++;
      }
    }
    this.emulator.server.clearRequests();
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

interface Options {
  readonly quick: boolean;
  readonly only: readonly string[];
  readonly sizes: readonly number[];
  readonly million: boolean;
  readonly pacing: boolean;
  /** Round trip added to every call for the Salesforce vs naive comparison at 10,000 records, ms (0: none). */
  readonly rttMs: number;
  /** Replace only the selected destinations' steps in the existing results. */
  readonly merge: boolean;
  readonly out: string;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      sizes: { type: 'string' },
      'no-million': { type: 'boolean', default: false },
      'no-pacing': { type: 'boolean', default: false },
      'rtt-ms': { type: 'string' },
      merge: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  });
  const quick = values.quick ?? false;
  return {
    quick,
    only: values.only ? values.only.split(',') : BENCH_DESTINATIONS.map((d) => d.id),
    sizes: values.sizes ? values.sizes.split(',').map(Number).filter((n) => n > 0) : quick ? [1_000, 10_000] : [1_000, 10_000, 100_000],
    million: !values['no-million'],
    pacing: !values['no-pacing'],
    rttMs: Number(values['rtt-ms'] ?? (quick ? 0 : 20)),
    merge: values.merge ?? false,
    out: resolve(root, values.out ?? (quick ? '.syncmodes/bench' : 'tools/bench/results')),
  };
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
    shape: RunShape = {},
    maxOldSpaceMb?: number,
    rttMs?: number,
    note?: string,
  ): Promise<StepResult> => {
    const counter = new CallCounter(entry, emulator);
    let worker: WorkerResult;
    try {
      worker = await runWorker(workerPath, { entry: entry.id, url: emulator.url, stateFile: job.stateFile ?? stateFile(), ...job }, maxOldSpaceMb);
    } finally {
      counter.stop();
    }
    const { counts } = worker;
    const minimum = entry.minimum({ created: counts.created, updated: counts.updated, deleted: counts.deleted, lookedUp: worker.lookedUp });
    const result: StepResult = {
      destination: entry.id,
      mode,
      n,
      step,
      calls: { ...counter.calls },
      refused: counter.refused,
      minimum,
      worker,
      ...(rttMs ? { rttMs } : {}),
      ...(note ? { note } : {}),
      ...(shape.rateLimitPerSec
        ? {
            pacing: {
              limitPerSec: shape.rateLimitPerSec,
              acceptedCalls: counter.accepted,
              acceptedWrites: counter.acceptedWrites,
              sustainedPerSec: counter.accepted / (worker.durationMs / 1000),
            },
          }
        : {}),
    };
    const total = CLASSES.filter((c) => c !== 'other').reduce((a, c) => a + result.calls[c], 0);
    log(
      `${entry.id} ${mode} ${n} ${step}${rttMs ? ` (${rttMs} ms round trip)` : ''}${note ? ` (${note})` : ''}: ${total} calls (min ${minimum.lookups + minimum.writes}), ` +
        `${((n / worker.durationMs) * 1000).toFixed(0)} rec/s, ${worker.maxRssMb.toFixed(0)} MB, ${JSON.stringify(counts)}${worker.status !== 'completed' ? ` ${worker.status}: ${worker.reason}` : ''}`,
    );
    steps.push(result);
    return result;
  };

  for (const id of opts.only) {
    const entry = benchEntry(id);
    const emulator = await entry.startEmulator({});
    try {
      for (const n of opts.sizes) {
        const existing = [...range(0, n)].filter((i) => i % 2 === 0);
        // The naive baseline: the same records into the same destination (half the people exist).
        emulator.reset();
        emulator.seed(existing);
        await measure(entry, emulator, 'naive', 'naive', n, { kind: 'naive', from: 0, to: n, version: 1, shape: {} });
        for (const mode of entry.modes) {
          emulator.reset();
          emulator.seed(existing);
          const state = stateFile();
          await measure(entry, emulator, 'first', mode, n, { kind: 'kit', mode, from: 0, to: n, version: 1, stateFile: state, shape: {} });
          await measure(entry, emulator, 'rerun', mode, n, { kind: 'kit', mode, from: 0, to: n, version: 1, stateFile: state, shape: {} });
          if (mode === 'sync') {
            const kept = Math.round(n * 0.9);
            await measure(entry, emulator, 'departures', mode, n, { kind: 'kit', mode, from: 0, to: kept, version: 1, stateFile: state, shape: {}, allowDeletes: true });
          }
        }
      }
    } finally {
      await emulator.stop();
    }
  }

  if (opts.rttMs > 0 && opts.only.includes('salesforce')) {
    // The same 10,000-record comparison with a network round trip on every call (loopback has none).
    const entry = benchEntry('salesforce');
    const n = 10_000;
    const emulator = await entry.startEmulator({});
    const latency = [{ kind: 'latency' as const, latencyMs: opts.rttMs, rate: 1 }];
    try {
      const existing = [...range(0, n)].filter((i) => i % 2 === 0);
      emulator.reset();
      emulator.seed(existing);
      emulator.server.setFaults(latency);
      await measure(entry, emulator, 'naive', 'naive', n, { kind: 'naive', from: 0, to: n, version: 1, shape: {} }, {}, undefined, opts.rttMs);
      emulator.reset();
      emulator.seed(existing);
      emulator.server.setFaults(latency);
      await measure(entry, emulator, 'first', 'additive', n, { kind: 'kit', mode: 'additive', from: 0, to: n, version: 1, shape: {} }, {}, undefined, opts.rttMs);
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
      await measure(entry, emulator, 'first', 'additive', 100_000, { kind: 'kit', mode: 'additive', from: 0, to: 100_000, version: 1, shape: {} }, {}, undefined, undefined, 'empty org');
      emulator.reset();
      const state = stateFile();
      // V8's heap capped (MILLION_HEAP_MB) so garbage does not pass for need: the run must fit or fail.
      await measure(entry, emulator, 'first', 'additive', n, { kind: 'kit', mode: 'additive', from: 0, to: n, version: 1, stateFile: state, shape: {} }, {}, MILLION_HEAP_MB);
      await measure(entry, emulator, 'rerun', 'additive', n, { kind: 'kit', mode: 'additive', from: 0, to: n, version: 1, stateFile: state, shape: {} }, {}, MILLION_HEAP_MB);
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
        await measure(entry, emulator, 'pacing', mode, n, { kind: 'kit', mode, from: 0, to: n, version: 1, shape }, shape);
      } finally {
        await emulator.stop();
      }
    }
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
    ...(previous ? { rerun: [...(previous.rerun ?? []), { destinations: opts.only, at: new Date().toISOString() }] } : {}),
  };
  writeFileSync(join(opts.out, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(opts.out, 'BENCH.md'), renderMarkdown(report, notes()));
  log(`done in ${report.durationSec} s; results in ${opts.out}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
