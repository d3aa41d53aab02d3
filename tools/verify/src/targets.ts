import type { ConformanceHarness, ConformanceRecord } from '@syncmodes/connector-kit/testing';
import type { z } from 'zod';
import { tinyHarness } from '../../../packages/connector-kit/test/tiny/tiny-harness';
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
  /** False to leave this target out of the property-based histories. */
  readonly propertyHistories?: boolean;
  /**
   * Filler rows each history step adds (seeded records whose values flip every step), so
   * every run crosses a size threshold (salesforce-bulk: more than 200 updates, one ingest job).
   */
  readonly historyFiller?: number;
  /** A request every history step's first run must make (proves the filler took the path it is there for). */
  readonly historyRequest?: { readonly path: RegExp; readonly what: string };
  /** False where the vendor keeps match keys unique (OneSignal's external_id): histories then seed no shared keys. */
  readonly ambiguousKeys?: boolean;
  /**
   * The keys a lookup for the record tries, in order, as the destination documents its
   * matching (default: the match key alone); the model finds records by them.
   */
  readonly lookupKeys?: (r: ConformanceRecord, keyOf: (r: ConformanceRecord) => string | undefined) => string[];
  /**
   * Properties a lookup matches by besides the key property (Intercom: the email): a row
   * that takes another row's values under a new key (`RowSpec.looksIndex`) keeps its own
   * (the model matches by key only; Intercom's match of a departed user by email is tested in its package).
   */
  readonly lookupProperties?: readonly string[];
  /** Copy `copy` of record `i` as people or another tool would make it (default: record `i` with its clearable property set to `D<copy>`). */
  readonly duplicate?: (i: number, copy: number) => ConformanceRecord;
  /** False for a destination the CLI does not know (the crash, concurrency and CLI checks skip it). */
  readonly cli?: boolean;
  /** False to leave it out of the fault matrix (a test destination without request timeouts). */
  readonly faultMatrix?: boolean;
}

/** Copy `copy` of record `i` (same match key), as people or another tool would make it, in the unmanaged group `foreign`. */
export function duplicateOf(target: RecordTarget, i: number, copy: number): ConformanceRecord {
  if (target.duplicate) return target.duplicate(i, copy);
  const h = target.harness;
  return h.withProperties({ id: `copy${i}-${copy}`, snapshot: h.record(i, ['foreign']).snapshot }, { [h.clearableProperty]: `D${copy}` });
}

/**
 * Intercom matches by external_id, then by email: a record whose external_id no contact
 * has finds the contacts with its email that have no external_id (a user with another
 * external_id is someone else), so contacts sharing an email without an external_id make
 * its key ambiguous.
 * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/contacts/searchcontacts
 */
function intercomLookupKeys(r: ConformanceRecord, keyOf: (r: ConformanceRecord) => string | undefined): string[] {
  const key = keyOf(r) as string;
  const email = r.snapshot.properties.email;
  return key.startsWith('external_id:') && typeof email === 'string' && email.trim() !== '' ? [key, `email:${email.trim().toLowerCase()}`] : [key];
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
  {
    name: 'intercom',
    harness: intercomHarness as unknown as ConformanceHarness<z.ZodType>,
    reuseRemovedKeys: false,
    lookupKeys: intercomLookupKeys,
    lookupProperties: ['email'],
    // A contact someone made with the same email and no external_id (a user's external_id is unique in Intercom).
    duplicate: (i, copy) => intercomHarness.withProperties({ id: `copy${i}-${copy}`, snapshot: intercomHarness.record(i, ['foreign']).snapshot }, { external_id: null, 'custom_attributes.city': `D${copy}` }),
  },
  { name: 'onesignal', harness: onesignalHarness as unknown as ConformanceHarness<z.ZodType>, ambiguousKeys: false },
  { name: 'salesforce-bulk', harness: salesforceBulkHarness, matrixRows: 240, historyFiller: 205, historyRequest: { path: /\/jobs\/ingest$/, what: 'a Bulk API 2.0 ingest job' } },
  { name: 'tiny', harness: tinyHarness as unknown as ConformanceHarness<z.ZodType>, cli: false, faultMatrix: false },
];


/** Every audience destination. */
export const AUDIENCE_TARGETS: readonly AudienceTarget[] = [
  {
    name: 'facebook',
    harness: facebookHarness as unknown as AudienceTarget['harness'],
    // Meta refuses a removal that would leave an audience too small (error 1870047); the
    // emulator refuses below its `lowAudienceSize` setting.
    // https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences/
    refuseRemovals: (admin, refuse) => admin.seed({ settings: { lowAudienceSize: refuse ? 1_000_000_000 : 0 } }),
  },
];

/** The destinations a verification run covers. */
export interface Targets {
  readonly records: readonly RecordTarget[];
  readonly audiences: readonly AudienceTarget[];
  /** The distributed check (three worker processes on Postgres): target name `distributed`. */
  readonly distributed: boolean;
}

/** The name that selects the distributed check in `--only`. */
export const DISTRIBUTED_TARGET = 'distributed';

/** Every target, or those named (e.g. `['salesforce-bulk', 'facebook']`, `['distributed']`). @throws Error naming the known targets for an unknown name. */
export function selectTargets(names?: readonly string[]): Targets {
  if (!names || names.length === 0) return { records: RECORD_TARGETS, audiences: AUDIENCE_TARGETS, distributed: true };
  const known = [...RECORD_TARGETS, ...AUDIENCE_TARGETS].map((t) => t.name).concat(DISTRIBUTED_TARGET);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new Error(`Unknown target ${unknown.map((n) => `"${n}"`).join(', ')}. Known targets: ${known.join(', ')}.`);
  return { records: RECORD_TARGETS.filter((t) => names.includes(t.name)), audiences: AUDIENCE_TARGETS.filter((t) => names.includes(t.name)), distributed: names.includes(DISTRIBUTED_TARGET) };
}
