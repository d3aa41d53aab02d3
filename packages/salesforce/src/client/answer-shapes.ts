import { z } from 'zod';
import { SyncError } from '@syncmodes/connector-kit';
import type { ObjectDescribe } from './salesforce-api';

/** What an answer of the wrong shape was, for the error message (never its content). */
export function answerKind(answer: unknown): string {
  if (typeof answer === 'string') return `text (${answer.trimStart().startsWith('<') ? 'an HTML page' : `${answer.length} characters`})`;
  if (Array.isArray(answer)) return 'a list of something else';
  if (answer === null || answer === undefined) return 'nothing';
  return typeof answer === 'object' ? 'an object of another shape' : typeof answer;
}

/**
 * An object's describe, the fields the connector reads
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm):
 * missing flags read as false, a missing picklist as none.
 */
const describeSchema = z
  .object({
    name: z.string(),
    fields: z.array(
      z
        .object({
          name: z.string(),
          type: z.string(),
          length: z.number().optional().default(0),
          nillable: z.boolean().optional().default(false),
          createable: z.boolean().optional().default(false),
          updateable: z.boolean().optional().default(false),
          defaultedOnCreate: z.boolean().optional().default(false),
          externalId: z.boolean().optional().default(false),
          unique: z.boolean().optional().default(false),
          caseSensitive: z.boolean().optional().default(false),
          restrictedPicklist: z.boolean().optional().default(false),
          picklistValues: z.array(z.object({ value: z.string(), active: z.boolean() }).passthrough()).nullish().transform((v) => v ?? []),
          scale: z.number().int().nonnegative().nullish().transform((v) => v ?? undefined),
        })
        .passthrough(),
    ),
  })
  .passthrough();

/**
 * The describe, checked: an answer of another shape (a proxy's page, another API's JSON)
 * fails `unexpected_response` (retryable), never a `TypeError` from reading it (second
 * trial of stop 31, B-8).
 */
export function describeOf(answer: unknown, object: string): ObjectDescribe {
  const parsed = describeSchema.safeParse(answer);
  if (parsed.success) return parsed.data;
  throw new SyncError('unexpected_response', `Salesforce answered the describe of ${object} with ${answerKind(answer)}, not an object's describe.`, { status: 200, retryable: true });
}

/** A page of SOQL query results (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm). */
const queryPageSchema = z.object({ totalSize: z.number(), done: z.boolean(), records: z.array(z.record(z.string(), z.unknown())), nextRecordsUrl: z.string().optional() }).passthrough();

/** A query page as the connector reads it. */
export interface QueryPage<T> {
  readonly totalSize: number;
  readonly done: boolean;
  readonly records: T[];
  readonly nextRecordsUrl?: string | undefined;
}

/**
 * A query page, checked: an answer of another shape fails `unexpected_response`
 * (retryable). Read as no records, it would have made the kit create what exists.
 */
export function queryPageOf<T>(answer: unknown): QueryPage<T> {
  const parsed = queryPageSchema.safeParse(answer);
  if (parsed.success) return parsed.data as unknown as QueryPage<T>;
  throw new SyncError('unexpected_response', `Salesforce answered a query with ${answerKind(answer)}, not a page of records; it is sent again.`, { status: 200, retryable: true });
}

/** A Bulk API 2.0 job's info (https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/get_job_info.htm), the fields read. */
const jobInfoSchema = z.object({ id: z.string().min(1), state: z.string() }).passthrough();

/**
 * A Bulk API 2.0 job's info, checked: an answer without the job's `id` and `state` fails
 * `unexpected_response` (retryable), never a request to `/jobs/…/undefined`.
 */
export function jobInfoOf<T extends { readonly id: string; readonly state: string }>(answer: unknown): T {
  const parsed = jobInfoSchema.safeParse(answer);
  if (parsed.success) return parsed.data as unknown as T;
  throw new SyncError('unexpected_response', `Salesforce answered a Bulk API job request with ${answerKind(answer)}, not the job's info.`, { status: 200, retryable: true });
}

/**
 * Records a lookup query read, checked: each must carry its `Id` and the match field it was
 * found by. A record without them (an answer of another shape) fails `unexpected_response`
 * (retryable) — read as no match, the kit created every person again (re-check of stop 32).
 */
export function foundRecordsOf<T>(rows: readonly unknown[], field: string): T[] {
  for (const row of rows) {
    const r = row as Record<string, unknown> | null;
    if (r === null || typeof r !== 'object' || typeof r.Id !== 'string' || r.Id === '' || !(field in r)) {
      throw new SyncError('unexpected_response', `Salesforce answered a lookup query with records without their Id or ${field}; it is sent again.`, { status: 200, retryable: true });
    }
  }
  return rows as T[];
}
