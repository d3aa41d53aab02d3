import { expect } from 'vitest';
import type { z } from 'zod';
import { limitsFor } from '../destination/define-destination';
import type { DestinationLimits } from '../destination/limits';
import type { RequestLogEntry } from '../emulator/types';
import { KIT_CODES, type CodeInfo } from '../errors/codes';
import { parseConfig, runSync } from '../engine/run-sync';
import type { RunSyncOptions, SyncRunSummary } from '../engine/run-types';
import { operationsFor, type SyncOperations, type SyncMode } from '../modes/sync-modes';
import { MemoryStateStore } from '../state/memory-state-store';
import type { ConformanceHarness, ConformanceRecord, ConformanceTarget, DestinationView, RequestClass } from './harness';
import { memorySource } from './memory-source';

/** Fast retries for tests: backoff 10–50 ms, a rate limit without `Retry-After` waits 50 ms. */
export const FAST_RETRY = { minTimeoutMs: 10, maxTimeoutMs: 50, defaultRateLimitWaitMs: 50 } as const;

type WriteClass = Exclude<RequestClass, 'read' | 'other'>;

/**
 * What one conformance check works with: a fresh emulator (`target`) and state store, the
 * mode, and helpers that read the emulator's request log and data.
 */
export interface CheckContext<Schema extends z.ZodType> {
  readonly harness: ConformanceHarness<Schema>;
  readonly target: ConformanceTarget<Schema>;
  readonly state: MemoryStateStore;
  readonly mode: SyncMode;
  readonly ops: SyncOperations;
  /** Runs a sync of `records`; every code it reports must be the kit's or declared by the destination. */
  run(records: readonly ConformanceRecord[], extra?: Partial<RunSyncOptions>): Promise<SyncRunSummary>;
  /** The request log. */
  requests(): Promise<RequestLogEntry[]>;
  /** Logged writes (of one class, or every create, update, delete and group call). */
  writes(kind?: WriteClass): Promise<RequestLogEntry[]>;
  /** The destination's records by match key (the last one wins when several share a key). */
  byKey(): Promise<Map<string, DestinationView>>;
  /** The destination's records holding record `r`'s match key. */
  holding(r: ConformanceRecord): Promise<DestinationView[]>;
  /** Record `r`'s normalised match key. */
  keyOf(r: ConformanceRecord): string;
  /** The destination's limits for the target's config. */
  limits(): DestinationLimits;
  /**
   * Asserts that the destination holds each record exactly once, under its key, with every
   * property the harness reads equal to the record's (empty and absent are the same).
   */
  expectHolds(records: readonly ConformanceRecord[]): Promise<void>;
  /**
   * Asserts that the destination id the run reports for each record is the id of the one
   * destination record holding its key (where the harness reads ids: `DestinationView.id`).
   */
  expectIds(summary: SyncRunSummary, records: readonly ConformanceRecord[]): Promise<void>;
}

/** Outcome (`outcome` or `outcome:code`) per record id. */
export const outcomes = (summary: SyncRunSummary): Record<string, string> =>
  Object.fromEntries(summary.results.map((r) => [r.id, r.code ? `${r.outcome}:${r.code}` : r.outcome]));

const text = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));

/** Asserts every code of a run is snake_case and, when the destination declares its codes, the kit's or declared. */
export function expectKnownCodes(destination: { readonly errorCodes?: Readonly<Record<string, CodeInfo>> | undefined }, summary: SyncRunSummary): void {
  const codes = new Set([...summary.results.map((r) => r.code), summary.reason?.code].filter((c): c is string => c !== undefined));
  const declared = destination.errorCodes;
  for (const code of codes) {
    expect(code, 'a reported code is snake_case').toMatch(/^[a-z0-9]+(_[a-z0-9]+)*$/);
    if (declared) expect(code in KIT_CODES || code in declared, `code "${code}" is neither the kit's (KIT_CODES) nor declared in errorCodes`).toBe(true);
  }
}

/** Asserts that the destination holds each record exactly once, under its key, with every property it reads equal to the record's. */
async function expectHolds(target: ConformanceTarget<z.ZodType>, keyOf: (r: ConformanceRecord) => string, records: readonly ConformanceRecord[]): Promise<void> {
  const data = await target.read();
  for (const r of records) {
    const held = data.filter((v) => v.key === keyOf(r));
    expect(held.length, `records holding ${r.id}'s key`).toBe(1);
    for (const [name, value] of Object.entries(held[0]?.properties ?? {})) {
      if (name in r.snapshot.properties) expect(text(value), `${r.id}'s ${name} in the destination`).toBe(text(r.snapshot.properties[name]));
    }
  }
}

/** Asserts that the id reported for each record is the id of the one destination record holding its key (where the harness reads ids). */
async function expectIds(target: ConformanceTarget<z.ZodType>, keyOf: (r: ConformanceRecord) => string, summary: SyncRunSummary, records: readonly ConformanceRecord[]): Promise<void> {
  const data = await target.read();
  for (const r of records) {
    const held = data.filter((v) => v.key === keyOf(r));
    if (held.length !== 1 || held[0]?.id === undefined) continue;
    const reported = summary.results.find((x) => x.id === r.id)?.destinationId;
    expect(reported, `the destination id reported for ${r.id} is the record holding its key`).toBe(held[0].id);
  }
}

/** The helpers of one check over a started target and a state store. */
function checkContext<Schema extends z.ZodType>(harness: ConformanceHarness<Schema>, target: ConformanceTarget<Schema>, state: MemoryStateStore, mode: SyncMode): CheckContext<Schema> {
  const destination = harness.destination;
  const keyOf = (r: ConformanceRecord): string => {
    const key = destination.matchKey(r.snapshot, parseConfig(destination, target.config));
    if (key === undefined) throw new Error('harness record without a match key');
    return key;
  };
  const requests = (): Promise<RequestLogEntry[]> => target.admin.requests();
  const writeClasses: readonly RequestClass[] = ['create', 'update', 'delete', 'group'];
  return {
    harness,
    target,
    state,
    mode,
    ops: operationsFor(mode),
    async run(records, extra = {}) {
      const options = { destination, config: target.config, mode, source: memorySource(records), state, sourceKey: 'id', retry: FAST_RETRY, guard: { maxDeletes: 1_000 } };
      const summary = await runSync({ collectResults: true, ...options, ...extra });
      expectKnownCodes(destination, summary);
      return summary;
    },
    requests,
    writes: async (kind) => (await requests()).filter((e) => (kind ? [kind] : writeClasses).includes(harness.classify(e))),
    byKey: async () => new Map((await target.read()).map((v) => [v.key, v])),
    holding: async (r) => (await target.read()).filter((v) => v.key === keyOf(r)),
    keyOf,
    limits: () => limitsFor(destination, parseConfig(destination, target.config) as Record<string, unknown>),
    expectHolds: (records) => expectHolds(target as ConformanceTarget<z.ZodType>, keyOf, records),
    expectIds: (summary, records) => expectIds(target as ConformanceTarget<z.ZodType>, keyOf, summary, records),
  };
}

/** Starts a fresh emulator and state store for one check, runs `body`, and stops them. */
export async function withCheckContext<Schema extends z.ZodType>(
  harness: ConformanceHarness<Schema>,
  mode: SyncMode,
  body: (t: CheckContext<Schema>) => Promise<void>,
): Promise<void> {
  const target = await harness.start();
  const state = new MemoryStateStore(); // no native dependency for a plugin's CI
  try {
    await body(checkContext(harness, target, state, mode));
  } finally {
    await state.close();
    await target.stop();
  }
}
