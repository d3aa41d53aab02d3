import type { ConformanceHarness } from '@syncmodes/connector-kit/testing';
import type { z } from 'zod';
import { intercomHarness } from '../../../packages/intercom/test/intercom-harness';
import { onesignalHarness } from '../../../packages/onesignal/test/onesignal-harness';
import { salesforceHarness } from '../../../packages/salesforce/test/salesforce-harness';
import type { AudienceTarget } from './checks/audience-scenario';
import { facebookHarness } from '../../../packages/facebook/test/facebook-harness';
/**
 * A record destination under verification: its conformance harness (emulator, seeding,
 * reading its data, classifying its requests), shared with its conformance tests.
 */
export interface RecordTarget {
  readonly name: string;
  readonly harness: ConformanceHarness<z.ZodType>;
  /** False where a removed record keeps its key (Intercom archives): histories then never reuse it. */
  readonly reuseRemovedKeys?: boolean;
  /** Rows of the fault matrix's first step (default 24). */
  readonly matrixRows?: number;
  /** False to leave this target out of the property-based histories (their runs are small). */
  readonly propertyHistories?: boolean;
}

/**
 * Salesforce in bulk runs (`bulkThreshold: 1`, polls every 20 ms): write batches of more
 * than 200 records go as Bulk API 2.0 ingest jobs (smaller ones still as collections), so
 * the fault matrix (240 rows) and the crash harness (300 rows) prove the guarantees over
 * the ingest-job path. A job's creation (`POST /jobs/ingest`) is the write, classified by
 * its `operation`.
 */
const salesforceBulkHarness: ConformanceHarness<z.ZodType> = {
  ...(salesforceHarness as unknown as ConformanceHarness<z.ZodType>),
  async start() {
    const target = await salesforceHarness.start();
    return { ...target, config: { ...target.config, bulkThreshold: 1, bulkPollIntervalMs: 20 } } as never;
  },
  classify(e) {
    if (e.method === 'POST' && /\/jobs\/ingest$/.test(e.path)) {
      const operation = (e.body as { operation?: string } | undefined)?.operation;
      return operation === 'insert' ? 'create' : operation === 'update' ? 'update' : operation === 'delete' || operation === 'hardDelete' ? 'delete' : 'other';
    }
    return salesforceHarness.classify(e);
  },
};

/** Every record destination (new entries go last: the property-based seeds follow the position). */
export const RECORD_TARGETS: readonly RecordTarget[] = [
  { name: 'salesforce', harness: salesforceHarness as unknown as ConformanceHarness<z.ZodType> },
  { name: 'intercom', harness: intercomHarness as unknown as ConformanceHarness<z.ZodType>, reuseRemovedKeys: false },
  { name: 'onesignal', harness: onesignalHarness as unknown as ConformanceHarness<z.ZodType> },
  { name: 'salesforce-bulk', harness: salesforceBulkHarness, matrixRows: 240, propertyHistories: false },
];


/** Every audience destination. */
export const AUDIENCE_TARGETS: readonly AudienceTarget[] = [
  { name: 'facebook', harness: facebookHarness as unknown as AudienceTarget['harness'] },
];

/** The destinations a verification run covers. */
export interface Targets {
  readonly records: readonly RecordTarget[];
  readonly audiences: readonly AudienceTarget[];
}

/** Every target, or those named (e.g. `['salesforce-bulk', 'facebook']`). @throws Error naming the known targets for an unknown name. */
export function selectTargets(names?: readonly string[]): Targets {
  if (!names || names.length === 0) return { records: RECORD_TARGETS, audiences: AUDIENCE_TARGETS };
  const known = [...RECORD_TARGETS, ...AUDIENCE_TARGETS].map((t) => t.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new Error(`Unknown target ${unknown.map((n) => `"${n}"`).join(', ')}. Known targets: ${known.join(', ')}.`);
  return { records: RECORD_TARGETS.filter((t) => names.includes(t.name)), audiences: AUDIENCE_TARGETS.filter((t) => names.includes(t.name)) };
}
