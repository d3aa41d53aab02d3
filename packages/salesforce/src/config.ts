import { endpointUrl, epochUnitSchema, identity, secret } from '@syncmodes/connector-kit';
import { z } from 'zod';

/**
 * The oldest REST API version the connector takes: sObject Collections upserts by an external
 * id came in 46.0 (collections themselves in 42.0).
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_upsert.htm
 */
export const MIN_API_VERSION = 46;

/**
 * Configuration of the Salesforce destination: the single source of its types,
 * validation, docs and JSON Schema. `accessToken` is a secret, read by the CLI from
 * `SALESFORCE_ACCESS_TOKEN`.
 */
export const salesforceConfigSchema = z.object({
  instanceUrl: identity(
    endpointUrl().describe('Your org\'s instance URL, e.g. https://acme.my.salesforce.com (or the emulator\'s URL).'),
  ),
  accessToken: secret(z.string().min(1).describe('OAuth access token (session id) of the integration user.'), 'SALESFORCE_ACCESS_TOKEN'),
  refreshToken: secret(
    z.string().min(1).optional().describe('OAuth refresh token: when set (with clientId), an expired access token is refreshed once per run.'),
    'SALESFORCE_REFRESH_TOKEN',
  ),
  clientId: z.string().min(1).optional().describe('Connected app consumer key, for refreshing the access token.'),
  clientSecret: secret(z.string().min(1).optional().describe('Connected app consumer secret, for refreshing the access token.'), 'SALESFORCE_CLIENT_SECRET'),
  loginUrl: endpointUrl().optional().describe('Where tokens are refreshed (default https://login.salesforce.com; a My Domain URL, or the emulator\'s URL).'),
  apiVersion: z
    .string()
    .regex(/^\d{2,3}\.0$/, 'looks like 62.0')
    // Fresh trial 144, F2: 41.0 was accepted, then every row failed with a jsforce error that named no version (42.0–45.0 upserted one call per record).
    .refine((v) => Number.parseFloat(v) >= MIN_API_VERSION, `must be ${MIN_API_VERSION}.0 or later: sObject Collections need 42.0 and their upserts by an external id 46.0 (older versions would send a call per record, or fail)`)
    .default('62.0')
    .describe(`REST API version, ${MIN_API_VERSION}.0 or later: sObject Collections need 42.0 and their upserts by an external id 46.0; from 48.0 a window's last updates and first creates share one Composite call.`),
  object: identity(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'an sObject API name, e.g. Contact').default('Contact').describe('sObject to sync records into: Contact, Lead, or any sObject.')),
  matchField: identity(
    z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a field API name, e.g. Email').default('Email').describe('Field that matches source records to Salesforce records (Email, or an external-id field).'),
  ),
  campaignMemberStatus: z.string().min(1).optional().describe('Status given to new campaign members (the campaign\'s default when unset).'),
  dateFormat: z
    .string()
    .min(1)
    .default('yyyy-MM-dd')
    .describe('How dates are written in the source (date-fns tokens, e.g. dd-MM-yyyy); sent to Salesforce as YYYY-MM-DD.'),
  epochUnit: epochUnitSchema,
  requestTimeoutMs: z.coerce.number().int().positive().default(120_000).describe('Per-request timeout, ms.'),
  concurrency: z.coerce.number().int().min(1).max(25).default(4).describe('API calls in flight at once (the org allows 25 long-running requests).'),
  bulkThreshold: z.coerce
    .number()
    .int()
    .min(0)
    .default(10_000)
    .describe('A run with more changed (and departing) records than this writes through Bulk API 2.0 jobs instead of sObject Collections (0: never).'),
  bulkJobSize: z.coerce
    .number()
    .int()
    .min(201)
    .max(10_000_000)
    .default(100_000)
    .describe('Most records in one Bulk API 2.0 job (and in one window of the run); each upload must stay under 150 MB.'),
  bulkPollIntervalMs: z.coerce
    .number()
    .int()
    .positive()
    .default(1_000)
    .describe('Wait before the first poll of a Bulk API job per 10,000 of its records, ms (then doubled each poll, up to ten times this).'),
  bulkTimeoutMs: z.coerce.number().int().positive().default(30 * 60_000).describe('Longest a Bulk API job may run before it is aborted and its records retried, ms.'),
});

/** Parsed Salesforce configuration. */
export type SalesforceConfig = z.output<typeof salesforceConfigSchema>;
