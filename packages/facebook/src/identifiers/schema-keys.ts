/**
 * Meta's customer-list schema keys this destination sends, in the fixed order of every
 * request's `schema` (adds and removals alike). A key the source does not map is sent as
 * `""` in every row.
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 */
export const SCHEMA_KEYS = ['EXTERN_ID', 'EMAIL', 'PHONE', 'FN', 'LN', 'FI', 'CT', 'ST', 'ZIP', 'COUNTRY', 'DOBY', 'DOBM', 'DOBD', 'GEN', 'MADID'] as const;

/** One of Meta's customer-list schema keys. */
export type SchemaKey = (typeof SCHEMA_KEYS)[number];

/** Keys sent as they are (normalised, never hashed): Meta matches them in clear. */
export const CLEAR_KEYS: ReadonlySet<SchemaKey> = new Set(['EXTERN_ID', 'MADID']);

/**
 * Keys that identify a person on their own. A record needs at least one of them after
 * normalisation, or it fails with `no_valid_identifier` (names, places and birth dates only
 * narrow a match down).
 */
export const IDENTIFYING_KEYS: readonly SchemaKey[] = ['EMAIL', 'PHONE', 'MADID', 'EXTERN_ID'];

/** Whether `name` is a schema key (case-sensitive, as Meta spells them). */
export function isSchemaKey(name: string): name is SchemaKey {
  return (SCHEMA_KEYS as readonly string[]).includes(name);
}
