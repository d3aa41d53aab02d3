import { expect } from 'vitest';
import type { z } from 'zod';
import type { RequestLogEntry } from '../emulator/types';
import type { SyncRunSummary } from '../engine/run-types';
import type { AudienceConformanceHarness, AudienceConformanceTarget } from './audience-harness';
import type { ConformanceRecord } from './harness';

/** What the audience checks below work with (one fresh emulator per check). */
export interface AudienceCheckEnv<Schema extends z.ZodType> {
  readonly harness: AudienceConformanceHarness<Schema>;
  readonly target: AudienceConformanceTarget<Schema>;
  /** Runs a sync in the check's mode. */
  run(records: readonly ConformanceRecord[]): Promise<SyncRunSummary>;
  /** Most calls in flight at once, and the most people per add call. */
  readonly limits: { readonly concurrency: number; readonly addBatchSize: number };
}

/** The run stopped on the refused credentials (the vendor's expired-token answer), and only calls already in flight reached the destination after the first refusal. */
function expectStoppedOnAuth(summary: SyncRunSummary, log: readonly RequestLogEntry[], concurrency: number): void {
  expect(summary.status, 'a 401 stops the run').toBe('stopped');
  expect(summary.reason?.code).toBe('authentication_failed');
  const refused = (e: RequestLogEntry) => e.fault === 'auth_expired';
  const first = log.findIndex(refused);
  expect(first, 'the log holds the refusal').toBeGreaterThanOrEqual(0);
  expect(log.filter(refused).length, 'requests refused (at most one per call in flight)').toBeLessThanOrEqual(concurrency);
  expect(log.slice(first + 1).length, 'requests after the first refusal (only calls already in flight)').toBeLessThan(concurrency);
}

/** Credentials refused from the first request: nobody is added, every record is not_sent. */
export async function audienceAuthRefused<Schema extends z.ZodType>(env: AudienceCheckEnv<Schema>): Promise<void> {
  const { harness, target } = env;
  const before = await target.read();
  await target.admin.setFaults([{ kind: 'auth_expired' }]);
  const summary = await env.run([1, 2, 3].map((i) => harness.record(i, ['alpha'])));
  expectStoppedOnAuth(summary, await target.admin.requests(), env.limits.concurrency);
  expect(summary.results.map((r) => `${r.outcome}:${r.code}`)).toEqual(['skipped:not_sent', 'skipped:not_sent', 'skipped:not_sent']);
  expect(await target.read()).toEqual(before);
}

/** The token expires after the first add call: its people joined, every other record is not_sent and not in the audience, nothing more is sent. */
export async function audienceAuthMidRun<Schema extends z.ZodType>(env: AudienceCheckEnv<Schema>): Promise<void> {
  const { harness, target } = env;
  const n = 2 * env.limits.addBatchSize + 1;
  const records = Array.from({ length: n }, (_, i) => harness.record(2_000 + i, ['big']));
  await target.admin.setFaults([{ kind: 'auth_expired', ...harness.addRequest, after: 1 }]);
  const summary = await env.run(records);
  expectStoppedOnAuth(summary, await target.admin.requests(), env.limits.concurrency);
  const members = (await target.read()).get('big') ?? new Set<string>();
  const joined = summary.results.filter((r) => r.outcome === 'created');
  const unsent = summary.results.filter((r) => r.code === 'not_sent');
  expect(joined.length, 'people of the first add call').toBeGreaterThan(0);
  expect(unsent.length, 'records after the 401').toBeGreaterThan(0);
  expect(joined.length + unsent.length, 'every record joined or not_sent').toBe(n);
  expect(members.size, 'the audience holds exactly the people reported joined').toBe(joined.length);
  for (const r of joined) expect(members.has(harness.memberKey(2_000 + records.findIndex((x) => x.id === r.id))), `${r.id} in the audience`).toBe(true);
}
