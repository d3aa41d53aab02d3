/**
 * One measured run, in a process of its own so its peak memory is its own: a kit sync
 * (`runSync` with results streamed, not collected) or the naive baseline, against an
 * emulator the orchestrator runs. Receives a {@link WorkerJob} over IPC, answers a
 * {@link WorkerResult}, exits.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { writeHeapSnapshot } from 'node:v8';
import { csvSource, emptyCounts, runSync, SqliteStateStore, type FieldMapping, type OutcomeCounts, type RecordSource, type SyncMode } from '@syncmodes/connector-kit';
import { benchEntry } from './destinations/index';
import type { RunShape } from './types';

/** What the orchestrator asks a worker to run. Records are the generated ones with indices in [from, to). */
export interface WorkerJob {
  readonly entry: string;
  readonly kind: 'kit' | 'naive';
  readonly url: string;
  readonly mode?: SyncMode | undefined;
  readonly from: number;
  readonly to: number;
  /** Changes every generated value but the keys (a new version means every record changed). */
  readonly version: number;
  /** SQLite state file (kit runs). */
  readonly stateFile: string;
  readonly shape: RunShape;
  /** Let `sync` mode delete past the deletion guard's default. */
  readonly allowDeletes?: boolean | undefined;
  /** Config settings over the entry's (e.g. `{ bulkJobSize: 25000 }`: diagnostics, `memory-probe.ts`). */
  readonly config?: Readonly<Record<string, unknown>> | undefined;
  /** Read the records from this CSV file (written by the orchestrator) instead of generating them. */
  readonly csv?: { readonly path: string; readonly mapping: FieldMapping } | undefined;
  /**
   * Sample every allocation of the run (objects collected since included) with V8's
   * sampling heap profiler and write the profile (`.heapprofile`, Chrome DevTools' format)
   * to this path (diagnostics: `memory-probe.ts`).
   */
  readonly allocationProfile?: string | undefined;
  /** With `allocationProfile`: leave out objects the young generation collected (what remains reached V8's old generation, or is still alive). */
  readonly allocationProfileOld?: boolean | undefined;
  /** Write one V8 heap snapshot to `path` the first time the heap in use passes `atMb` (diagnostics: `memory-probe.ts`). */
  readonly heapSnapshot?: { readonly atMb: number; readonly path: string } | undefined;
}

/** What a worker measured. Units: ms, MB. */
export interface WorkerResult {
  readonly durationMs: number;
  readonly counts: OutcomeCounts;
  /** Records the kit looks up: changed since state (or new) and departing, as its first pass counted them. */
  readonly lookedUp: number;
  readonly status: string;
  readonly reason?: string | undefined;
  /** Failure codes and how many records had each. */
  readonly failures: Readonly<Record<string, number>>;
  readonly rateLimited: number;
  /** HTTP requests the run sent, as the kit counted them (`summary.stats.requests`, every kind: connect and describe, lookups, writes, a bulk job's create, upload, close, polls and results). */
  readonly requests?: number | undefined;
  /** Peak resident set size of the worker process (`process.resourceUsage().maxRSS`). */
  readonly maxRssMb: number;
  /** Largest V8 heap in use seen (sampled every 50 ms). */
  readonly heapPeakMb: number;
  /** `process.memoryUsage()` (MB) at the largest resident set sampled: where the memory was then. */
  readonly atPeakRss?: { readonly rss: number; readonly heapTotal: number; readonly heapUsed: number; readonly external: number; readonly arrayBuffers: number } | undefined;
  /** The heap snapshot asked for was written (the heap passed its threshold). */
  readonly heapSnapshot?: string | undefined;
}

function generated(entry: ReturnType<typeof benchEntry>, job: WorkerJob): RecordSource {
  return {
    name: `generated ${job.from}..${job.to}`,
    async *open() {
      for (let i = job.from; i < job.to; i++) {
        yield { kind: 'record' as const, id: `p${i}`, row: i - job.from + 1, snapshot: { properties: entry.properties(i, job.version), groups: [] } };
      }
    },
  };
}

async function run(job: WorkerJob): Promise<WorkerResult> {
  const entry = benchEntry(job.entry);
  let heapPeak = 0;
  let snapshot: string | undefined;
  let atPeakRss: NodeJS.MemoryUsage | undefined;
  const sample = () => {
    const usage = process.memoryUsage();
    heapPeak = Math.max(heapPeak, usage.heapUsed);
    if (!atPeakRss || usage.rss > atPeakRss.rss) atPeakRss = usage;
    if (job.heapSnapshot && snapshot === undefined && heapPeak > job.heapSnapshot.atMb * 1024 * 1024) snapshot = writeHeapSnapshot(job.heapSnapshot.path);
  };
  const sampler = setInterval(sample, 50);
  const profiler = job.allocationProfile ? await startAllocationSampling(job.allocationProfileOld !== true) : undefined;
  if (job.kind === 'naive') await entry.naiveModules();
  const started = Date.now();
  try {
    if (job.kind === 'naive') {
      const indices = (function* () {
        for (let i = job.from; i < job.to; i++) yield i;
      })();
      const { failed } = await entry.naive(job.url, indices, job.version);
      const counts = { ...emptyCounts(), updated: job.to - job.from - failed, failed };
      return finish({ durationMs: Date.now() - started, counts, lookedUp: job.to - job.from, status: 'completed', failures: failed ? { naive: failed } : {}, rateLimited: 0 });
    }
    const destination = await entry.destination();
    const state = new SqliteStateStore(job.stateFile);
    const failures: Record<string, number> = {};
    // The kit says after its first pass how many records changed and how many left the source: those are looked up.
    let scanned = { changed: 0, departing: 0 };
    const logger = {
      debug: () => undefined,
      info: (message: string, fields?: Record<string, unknown>) => {
        if (message === 'source scanned') scanned = { changed: Number(fields?.changed ?? 0), departing: Number(fields?.departing ?? 0) };
      },
      warn: () => undefined,
      error: () => undefined,
    };
    try {
      const summary = await runSync({
        destination,
        config: { ...entry.config(job.url, job.shape), ...job.config },
        mode: job.mode,
        source: job.csv ? csvSource(job.csv.path, job.csv.mapping) : generated(entry, job),
        state,
        collectResults: false,
        onResult: (r) => {
          if (r.outcome === 'failed') failures[r.code ?? 'unknown'] = (failures[r.code ?? 'unknown'] ?? 0) + 1;
        },
        guard: job.allowDeletes ? { maxDeletes: Number.MAX_SAFE_INTEGER } : undefined,
        logger,
      });
      return finish({
        durationMs: summary.durationMs,
        counts: summary.counts,
        lookedUp: scanned.changed + scanned.departing,
        status: summary.status,
        reason: summary.reason?.message,
        failures,
        rateLimited: summary.stats.rateLimited,
        requests: Object.values(summary.stats.requests).reduce((a, b) => a + b, 0),
      });
    } finally {
      state.close();
    }
  } finally {
    clearInterval(sampler);
    if (profiler && job.allocationProfile) writeFileSync(job.allocationProfile, JSON.stringify(await profiler.stop()));
  }

  function finish(result: Omit<WorkerResult, 'maxRssMb' | 'heapPeakMb'>): WorkerResult {
    sample();
    return { ...result, maxRssMb: process.resourceUsage().maxRSS / 1024, heapPeakMb: heapPeak / (1024 * 1024), ...(atPeakRss ? { atPeakRss: inMb(atPeakRss) } : {}), ...(snapshot ? { heapSnapshot: snapshot } : {}) };
  }
}

/** V8's sampling heap profiler through the inspector, keeping samples of objects already collected (all allocation, not just what is live at the end). */
async function startAllocationSampling(young: boolean): Promise<{ stop(): Promise<unknown> }> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((done, fail) => session.post(method, params, (error, result) => (error ? fail(error) : done(result))));
  await post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: young });
  return {
    async stop() {
      const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: unknown };
      session.disconnect();
      return profile;
    },
  };
}

function inMb(u: NodeJS.MemoryUsage): NonNullable<WorkerResult['atPeakRss']> {
  const mb = (v: number) => Math.round(v / (1024 * 1024));
  return { rss: mb(u.rss), heapTotal: mb(u.heapTotal), heapUsed: mb(u.heapUsed), external: mb(u.external), arrayBuffers: mb(u.arrayBuffers) };
}

process.once('message', (job: WorkerJob) => {
  run(job).then(
    (result) => process.send?.({ ok: true, result }, () => process.exit(0)),
    (error: unknown) => process.send?.({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1)),
  );
});
