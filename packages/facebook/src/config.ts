import { endpointUrl, identity, secret } from '@syncmodes/connector-kit';
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';

/** Most rows Meta accepts in one `POST` / `DELETE /{audience_id}/users` request. */
export const MAX_ROWS_PER_REQUEST = 10_000;

/** Graph API host the SDK talks to. */
export const GRAPH_URL = 'https://graph.facebook.com';

/**
 * Configuration of the Facebook Custom Audiences destination: the single source of its
 * types, validation and docs. `accessToken` is a secret read by the CLI from
 * `FACEBOOK_ACCESS_TOKEN` (a token with `ads_management` on the ad account); `adAccountId`
 * identifies the sync. Numbers are coerced because CLI options arrive as text.
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 */
export const facebookConfigSchema = z.object({
  adAccountId: identity(
    z
      .string()
      .trim()
      .regex(/^act_\d+$/, 'expected act_<digits>')
      .describe('The ad account holding the audiences, as act_<id>.'),
  ),
  accessToken: secret(z.string().min(1).describe('A Marketing API access token with ads_management on the ad account.'), 'FACEBOOK_ACCESS_TOKEN'),
  audience: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe('Put every record into this one audience: a name (found or created) or an audience id (digits only). Unset: the records\' groups name their audiences (a group of digits is the audience with that id when there is one, else a name).'),
  defaultCountry: z
    .string()
    .trim()
    .transform((v) => v.toUpperCase())
    .refine((v) => isSupportedCountry(v), 'expected an ISO 3166-1 alpha-2 country code with a phone numbering plan, e.g. US')
    .optional()
    .describe("Country whose calling code national phone numbers get when the record has no COUNTRY (ISO 3166-1 alpha-2), e.g. US; a record's own COUNTRY decides otherwise. Unset: a national number (no + or 00) in a record without COUNTRY is not read (never guessed: it would be someone else's number in another country)."),
  customerFileSource: z
    .enum(['USER_PROVIDED_ONLY', 'PARTNER_PROVIDED_ONLY', 'BOTH_USER_AND_PARTNER_PROVIDED'])
    .default('USER_PROVIDED_ONLY')
    .describe('Where the customer data of audiences this sync creates comes from (required by Meta).'),
  addBatchSize: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_ROWS_PER_REQUEST)
    .default(MAX_ROWS_PER_REQUEST)
    .describe('Most people per add request (Meta allows 10,000).'),
  uploadSessionSize: z.coerce
    .number()
    .int()
    .min(1)
    .default(100_000)
    .describe('Most people added to one audience in one upload session: more than addBatchSize go as several requests of one session (session_id, batch_seq, last_batch_flag, estimated_num_total), as Meta documents for large uploads.'),
  removeBatchSize: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_ROWS_PER_REQUEST)
    .default(1_000)
    .describe('Most people per removal request (the payload travels in the query string, so smaller).'),
  concurrency: z.coerce.number().int().min(1).max(16).default(2).describe('Requests in flight at once.'),
  requestTimeoutMs: z.coerce.number().int().positive().default(120_000).describe('Per-request timeout, ms.'),
  baseUrl: endpointUrl()
    .default(GRAPH_URL)
    .describe('Graph API base URL, no trailing slash (the emulator\'s URL in tests).'),
});

/** Parsed Facebook configuration. */
export type FacebookConfig = z.output<typeof facebookConfigSchema>;

/** The default country as libphonenumber's type (validated by the schema), undefined when unset. */
export function defaultCountryOf(config: FacebookConfig): CountryCode | undefined {
  return config.defaultCountry as CountryCode | undefined;
}
