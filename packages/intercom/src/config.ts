import { endpointUrl, epochUnitSchema, identity, secret } from '@syncmodes/connector-kit';
import { z } from 'zod';

/**
 * Configuration of the Intercom destination: the single source of its types, validation,
 * docs and JSON Schema. `accessToken` is a secret, read by the CLI from
 * `INTERCOM_ACCESS_TOKEN`.
 */
export const intercomConfigSchema = z.object({
  accessToken: secret(z.string().min(1).describe('Access token of your Intercom app (Developer Hub → Authentication).'), 'INTERCOM_ACCESS_TOKEN'),
  baseUrl: identity(
    endpointUrl()
      .default('https://api.intercom.io')
      .describe('API host of your workspace\'s region: https://api.intercom.io (US), https://api.eu.intercom.io, https://api.au.intercom.io (or the emulator\'s URL).'),
  ),
  workspace: identity(
    z
      .string()
      .min(1)
      .optional()
      .describe('A name for the workspace, to keep the state of syncs into different workspaces of one region apart.'),
  ),
  role: z
    .enum(['user', 'lead', 'auto'])
    .default('auto')
    .describe('Role of contacts this sync creates: user, lead, or auto (a user when the record has an external_id, else a lead).'),
  matchBy: identity(
    z
      .enum(['external_id_then_email', 'email', 'external_id'])
      .default('external_id_then_email')
      .describe('How source records find their contact: by external_id, falling back to email (default), or by one of them only.'),
  ),
  removal: z
    .enum(['archive', 'delete'])
    .default('archive')
    .describe('What removing a contact means in sync mode: archive (reversible, default) or delete (permanent; Intercom never lets that user be created again).'),
  customAttributes: z
    .enum(['create', 'refuse'])
    .default('create')
    .describe('A mapped custom_attributes.<name> that is not a data attribute yet: create it (type derived from the values) or refuse the run naming it.'),
  dateFormat: z
    .string()
    .min(1)
    .default('yyyy-MM-dd')
    .describe('How dates are written in the source (date-fns tokens, e.g. dd-MM-yyyy); sent to Intercom as epoch seconds (UTC midnight).'),
  epochUnit: epochUnitSchema,
  requestTimeoutMs: z.coerce.number().int().positive().default(20_000).describe('Per-request timeout, ms.'),
  concurrency: z.coerce.number().int().min(1).max(50).default(8).describe('API calls in flight at once.'),
  maxRequestsPerMinute: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe('Client-side cap on calls a minute, spread over 10-second windows (default: none; pacing follows the X-RateLimit headers).'),
})
  // Intercom ignores a lead's external_id and gives it a UUID of its own (see the emulator's `createContact`): leads made
  // by this sync could never be found by external_id, and every run would create them again (fresh helper 72, finding 7).
  .refine((c) => !(c.role === 'lead' && c.matchBy === 'external_id'), {
    message: 'role lead with matchBy external_id: Intercom ignores the external_id of a lead, so the contacts this sync creates could never be found again. Use matchBy email (or external_id_then_email), or role user.',
    path: ['matchBy'],
  });

/** Parsed Intercom configuration. */
export type IntercomConfig = z.output<typeof intercomConfigSchema>;
