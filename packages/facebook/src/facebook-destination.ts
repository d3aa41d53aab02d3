import { ConfigError, InputError, defineAudienceDestination, isScientificNotation, isSpreadsheetExponent, spreadsheetExponentError, type Properties } from '@syncmodes/connector-kit';
import { FacebookClient } from './client/facebook-client';
import { facebookConfigSchema, type FacebookConfig } from './config';
import { FACEBOOK_CODES } from './errors/codes';
import { identityKey, identityKeys, identityRow } from './identifiers/identity-row';
import { normaliseOptionsOf } from './identifiers/normalise-options';
import { isZeroAdvertisingId, textOf } from './identifiers/normalise-value';
import { CLEAR_KEYS, IDENTIFYING_KEYS, SCHEMA_KEYS, isSchemaKey, type SchemaKey } from './identifiers/schema-keys';
import { ensureAudiences, findAudiences } from './verbs/ensure-audiences';
import { sendMembers } from './verbs/send-members';

/** Hex digests Meta does not take: only SHA-256 (64 hex characters) is accepted pre-hashed. */
const OTHER_DIGESTS: Readonly<Record<number, string>> = { 32: 'an MD5', 40: 'a SHA-1' };

/**
 * What is wrong with an identifying value the rules could not use, without the value: a
 * digest of another hash function (Meta takes SHA-256 only), an EMAIL that is no address, a
 * PHONE that is no possible number.
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 */
function whatIsWrong(key: SchemaKey, properties: Properties, config: FacebookConfig): string {
  const raw = textOf(properties[key]) ?? '';
  const digest = /^[A-Fa-f0-9]+$/.test(raw) ? OTHER_DIGESTS[raw.length] : undefined;
  if (digest !== undefined && !CLEAR_KEYS.has(key)) return `${key} looks like ${digest} hex digest; Meta takes values in clear or hashed with SHA-256 only`;
  if (key === 'EMAIL') return 'EMAIL is not an email address';
  if (key === 'PHONE' && isScientificNotation(raw)) return "PHONE is written in a spreadsheet's scientific notation (like 4.479E+11), which keeps only the digits it shows; format the column as text in the spreadsheet and export it again";
  if (key === 'PHONE') {
    const national = config.defaultCountry === undefined ? "national numbers are read only in the record's own COUNTRY (defaultCountry is not set)" : `national numbers are read in the record's COUNTRY, else ${config.defaultCountry}`;
    return `PHONE is not a possible number (${national}; write an international number with its leading + or 00, e.g. +44 20 7946 0018)`;
  }
  if (key === 'MADID' && isZeroAdvertisingId(raw)) return 'MADID is the all-zero advertising id a device reports when the user did not allow tracking: it names nobody';
  return `${key} is not usable`;
}

/** Why a record has no usable identifier, naming the keys that were given but unusable (never their values). */
function explainMissing(properties: Properties, config: FacebookConfig): InputError {
  const { dropped } = identityRow(properties, normaliseOptionsOf(config));
  const unusable = IDENTIFYING_KEYS.filter((k) => dropped.includes(k));
  const given = unusable.length > 0 ? ` (${unusable.map((k) => whatIsWrong(k, properties, config)).join('; ')})` : '';
  return new InputError(
    'no_valid_identifier',
    `No usable identifier after normalisation${given}: give the record an EMAIL, a PHONE with its country code, a MADID or an EXTERN_ID.`,
  );
}

/**
 * The Facebook Custom Audiences destination: each group (or the one configured
 * `audience`) is a customer-list Custom Audience in the ad account, found or created by
 * name; people join it with `POST /{audience_id}/users` and leave it with
 * `DELETE /{audience_id}/users`, as rows of one fixed multi-key schema, every identifier
 * normalised as Meta specifies and SHA-256 hashed (EXTERN_ID and MADID in clear).
 *
 * Modes: `additive` (default: joins only) and `sync` (also removes people this sync added
 * who left an audience or the source). `enrich` is refused: the API cannot tell whether a
 * person is already in an audience. Adds go in chunks of up to 10,000 rows, removals in
 * smaller ones (the payload travels in the query string); a removal Meta refuses for low
 * audience size stays pending for a later run. Adding more people to an audience than one
 * request holds is one upload session: the requests share a `session_id`, number their
 * `batch_seq` from 1, the last sets `last_batch_flag`, and each gives `estimated_num_total`.
 *
 * https://developers.facebook.com/docs/marketing-api/reference/custom-audience/users ,
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 */
export const facebookDestination = defineAudienceDestination({
  kind: 'audience',
  id: 'facebook',
  displayName: 'Facebook Custom Audiences',
  description: 'Hashed customer-list membership of Custom Audiences in a Meta ad account.',
  docsUrl: 'https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences',
  configSchema: facebookConfigSchema,
  errorCodes: FACEBOOK_CODES,
  syncModes: ['sync', 'additive'],
  defaultSyncMode: 'additive',
  unsupportedModeReasons: {
    enrich: 'Enrich only updates people already in the destination, and the Marketing API cannot say whether a person is in an audience (members cannot be listed or looked up).',
  },
  // One add call of the kit is one upload session: up to `uploadSessionSize` people, sent as
  // requests of `addBatchSize` rows (see `sendMembers`).
  limits: (config) => ({ addBatchSize: Math.max(config.uploadSessionSize, config.addBatchSize), removeBatchSize: config.removeBatchSize, concurrency: config.concurrency }),
  matchKeyLabel: () => 'identifier (EMAIL, PHONE, MADID or EXTERN_ID)',
  // A match key is `KEY:<value>` (identityKey): a duplicate_match_key failure names the key the rows share.
  matchKeyName: (key) => key.slice(0, Math.max(0, key.indexOf(':'))) || 'identifier',
  // Not mapped is decided from the mapping: a mapped EMAIL whose values are all unusable fails each row (no_valid_identifier).
  matchKeyFields: () => IDENTIFYING_KEYS,
  matchKey: (snapshot, config) => identityKey(snapshot.properties, normaliseOptionsOf(config)),
  identityKeys: (snapshot, config) => identityKeys(snapshot.properties, normaliseOptionsOf(config)),
  explainMissingKey: (snapshot, config) => explainMissing(snapshot.properties, config),
  // An EXTERN_ID a spreadsheet wrote as `4.479E+11` stands for several people's ids: the row is refused, never uploaded under it
  // (one uploaded before still leaves as it was written: only source rows are asked).
  refuseKey: (snapshot) => {
    const raw = textOf(snapshot.properties.EXTERN_ID);
    return raw !== undefined && isSpreadsheetExponent(raw) ? spreadsheetExponentError('EXTERN_ID') : undefined;
  },
  fixedAudiences: (config) => (config.audience ? [config.audience] : undefined),
  connect: async (config, ctx) => new FacebookClient(config, ctx.signal),
  disconnect: async (client) => client.close(),
  prepareFields: async (_ctx, names) => {
    const unknown = names.filter((n) => !isSchemaKey(n));
    if (unknown.length > 0) {
      throw new ConfigError(`Facebook has no schema key ${unknown.map((n) => `"${n}"`).join(', ')}. Map source columns to Meta's keys: ${SCHEMA_KEYS.join(', ')}.`, 'unknown_schema_key');
    }
  },
  verbs: {
    ensureAudiences,
    // The kit's start-of-run group check: an audience deleted in Ads Manager is recreated
    // and refilled, one name held by several audiences stops the run (ambiguous_group).
    findAudiences,
    addMembers: (ctx, audience, members) => sendMembers(ctx, audience, members, 'add'),
    removeMembers: (ctx, audience, members) => sendMembers(ctx, audience, members, 'remove'),
  },
});
