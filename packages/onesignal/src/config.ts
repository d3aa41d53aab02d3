import { endpointUrl, epochUnitSchema, identity, secret } from '@syncmodes/connector-kit';
import { z } from 'zod';

/** A list option: an array, or one comma-separated string (as `--option dateTags=a,b` gives). */
const tagList = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s !== ''))
  .default([]);

/**
 * Configuration of the OneSignal destination: the single source of its types,
 * validation, docs and JSON Schema. `restApiKey` is a secret, read by the CLI from
 * `ONESIGNAL_REST_API_KEY`; `appId` identifies the sync.
 *
 * Rates follow https://documentation.onesignal.com/reference/rate-limits : 1,000 user
 * updates/s per app, 1 request/s per user, 1 user lookup (view user)/s per app.
 */
export const onesignalConfigSchema = z.object({
  appId: identity(z.string().min(1).describe('OneSignal App ID (Settings → Keys & IDs).')),
  restApiKey: secret(z.string().min(1).describe('The app\'s REST API key (sent as "Authorization: Key …").'), 'ONESIGNAL_REST_API_KEY'),
  baseUrl: endpointUrl()
    .default('https://api.onesignal.com')
    .describe('API base URL, no trailing slash (the emulator\'s URL in tests).'),
  groupTagPrefix: z
    .string()
    .regex(/^[a-z0-9_-]*$/, 'lowercase letters, digits, _ and -')
    .default('in_')
    .describe('Prefix of group-membership tags: group "VIP Customers" becomes tag in_vip_customers = "1".'),
  dateTags: tagList.describe('Tags holding dates (comma-separated): sent as unix seconds (UTC midnight for plain dates).'),
  dateFormat: z
    .string()
    .min(1)
    .default('yyyy-MM-dd')
    .describe('How plain dates are written in the source (date-fns tokens, e.g. dd-MM-yyyy); ISO 8601 is always accepted.'),
  epochUnit: epochUnitSchema.describe(
    'How whole-number dates are read: auto (9 to 11 digits epoch seconds, from 100,000,000,000 epoch milliseconds; fewer than 9 digits, with a fraction or not, fail with invalid_date; from 9 digits a fraction is cut to whole seconds), seconds or milliseconds.',
  ),
  booleanTags: tagList.describe('Tags holding yes/no values (comma-separated): sent as "true" / "false".'),
  tagLimit: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe('Most tags this sync keeps on one user (your plan\'s limit minus the tags your app sets). Unset: no limit.'),
  appRateLimit: z.coerce.number().int().positive().default(1_000).describe('User updates per second for the whole app (OneSignal allows 1,000).'),
  viewRateLimit: z.coerce
    .number()
    .int()
    .positive()
    .default(1)
    .describe('User lookups (view user) per second for the whole app (OneSignal allows 1, with bursts of up to 10).'),
  userIntervalMs: z.coerce
    .number()
    .int()
    .min(0)
    .default(1_000)
    .describe('Shortest gap between two requests for the same user, ms (OneSignal allows 1 per second).'),
  concurrency: z.coerce.number().int().min(1).max(1_000).default(50).describe('Requests in flight at once.'),
  requestTimeoutMs: z.coerce.number().int().positive().default(30_000).describe('Per-request timeout, ms.'),
});

/** Parsed OneSignal configuration. */
export type OneSignalConfig = z.output<typeof onesignalConfigSchema>;

/** The mapping target holding the user's `external_id` alias: the match key. */
export const EXTERNAL_ID = 'external_id';
