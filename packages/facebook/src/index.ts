/** `@syncmodes/facebook`: the Facebook Custom Audiences destination for syncmodes (sync and additive). */
export { facebookDestination } from './facebook-destination';
/** The destination under the name the CLI's registry looks for. */
export { facebookDestination as destination } from './facebook-destination';
export { facebookConfigSchema, GRAPH_URL, MAX_ROWS_PER_REQUEST, type FacebookConfig } from './config';
export { FACEBOOK_CODES, type FacebookCode } from './errors/codes';
export { FacebookClient, type AudienceInfo } from './client/facebook-client';
export { ambiguousAudience, findAudiences } from './verbs/ensure-audiences';
export { TargetedFacebookAdsApi } from './client/targeted-api';
export { LOW_AUDIENCE_SIZE, LOW_AUDIENCE_SIZE_SUBCODE, toGraphError, type GraphErrorBody } from './client/graph-errors';
export type { UsersPayload, UsersResponse } from './client/users-response';
export { CLEAR_KEYS, IDENTIFYING_KEYS, SCHEMA_KEYS, isSchemaKey, type SchemaKey } from './identifiers/schema-keys';
export { identityKey, identityRow, type IdentityRow } from './identifiers/identity-row';
export { normaliseValue, type NormaliseOptions } from './identifiers/normalise-value';
export { normaliseOptionsOf } from './identifiers/normalise-options';
export { countryCode, normaliseCountry } from './identifiers/normalise-country';
export { normaliseEmail } from './identifiers/normalise-email';
export { normalisePhone } from './identifiers/normalise-phone';
export { normaliseInitial, normaliseName } from './identifiers/normalise-name';
export { normaliseCity, normaliseState, normaliseZip } from './identifiers/normalise-place';
export { normaliseBirthDay, normaliseBirthMonth, normaliseBirthYear, normaliseGender } from './identifiers/normalise-birth';
export { isSha256Hex, sha256Hex } from './identifiers/sha256';
export { traceInvalidEntries, type InvalidEntries } from './verbs/invalid-entries';
export { MAX_REMOVAL_QUERY_BYTES } from './verbs/send-members';
