import type { AnyDestination, Properties, SyncMode } from '@syncmodes/connector-kit';
import type { EmulatorServer, RequestLogEntry } from '@syncmodes/connector-kit/emulator';

/**
 * What an API call was, for counting against the theoretical minimum. `other`: a run's
 * setup (connect, describe, field preparation, finding groups and audiences): a constant
 * per run, shown as "setup" and left out of the ratio to the minimum.
 */
export type CallClass = 'lookup' | 'create' | 'update' | 'upsert' | 'composite' | 'delete' | 'bulk_write' | 'bulk_lookup' | 'other';

/** Records a step planned, by what happened to them. Units: records. */
export interface StepCounts {
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
  /** Records looked up (changed records and departing ones). */
  readonly lookedUp: number;
}

/** The fewest calls the API allows for a step. Units: calls. */
export interface MinimumCalls {
  readonly lookups: number;
  readonly writes: number;
}

/** An emulator started for the benchmark, in the orchestrating process. */
export interface BenchEmulator {
  readonly server: EmulatorServer;
  readonly url: string;
  /** Existing destination records for `indices` (values differ from the source's, so they need an update). */
  seed(indices: readonly number[]): void;
  reset(): void;
  stop(): Promise<void>;
}

/** Options of a run: scaled for throughput, or under a vendor rate limit (calls per second). */
export interface RunShape {
  /** The emulator enforces this many write calls per second (and the config paces for it). */
  readonly rateLimitPerSec?: number | undefined;
}

/**
 * One destination in the benchmark: how to start its emulator, build its config and
 * records, classify its calls, compute the minimum and run the naive baseline. Adding a
 * destination is one such entry in `destinations/index.ts`.
 */
export interface BenchEntry {
  readonly id: string;
  readonly modes: readonly SyncMode[];
  /** An audience destination: every record joins (a first run adds all N, whatever was seeded), nothing is looked up. */
  readonly audience?: boolean | undefined;
  /** The destination (loaded in the worker). */
  destination(): Promise<AnyDestination>;
  /** Starts the emulator (in the orchestrating process). */
  startEmulator(shape: RunShape): Promise<BenchEmulator>;
  /** The config of a run against the emulator at `url`. */
  config(url: string, shape: RunShape): Record<string, unknown>;
  /** Properties of generated record `i` (deterministic; `version` changes every value but the keys). */
  properties(i: number, version: number): Properties;
  classify(entry: RequestLogEntry): CallClass;
  /** The kind of bulk job a request creates (Salesforce Bulk API 2.0: `ingest`, `query`), else undefined. */
  jobCreated?(entry: RequestLogEntry): string | undefined;
  minimum(counts: StepCounts): MinimumCalls;
  /**
   * The naive baseline: one official-SDK call per record, no lookup and no diffing (where
   * the API has no upsert, the connector-less fix-up a script would do: noted by the entry).
   * Returns how many records failed.
   */
  naive(url: string, indices: Iterable<number>, version: number): Promise<{ readonly failed: number }>;
  /** Loads the naive baseline's SDK before its clock starts (the kit's run is timed after its modules load too). */
  naiveModules(): Promise<unknown>;
  /** What the naive baseline does, for the report. */
  readonly naiveDescription: string;
  /** Calls in flight at once for the naive baseline (the connector's default concurrency). */
  readonly naiveConcurrency: number;
  /** The naive baseline is this other entry's (the same records through the same API): not measured again. */
  readonly naiveShared?: string | undefined;
  /** Pacing scenario: the vendor limit to enforce (calls per second) and how many records to send. */
  readonly pacing?: { readonly limitPerSec: number; readonly records: number; readonly quickRecords: number; readonly limitOn?: 'writes' | undefined } | undefined;
}
