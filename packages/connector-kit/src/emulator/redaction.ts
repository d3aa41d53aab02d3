/** What a redacted credential is written as in an emulator's request log. */
export const REDACTED = '[redacted]';

/**
 * Names of query parameters and body fields that carry credentials, redacted in every
 * emulator's request log whatever the emulator (compared case-insensitively):
 * OAuth 2.0 tokens and client secrets (RFC 6749 §2.3.1, §5.1, §6: `access_token`,
 * `refresh_token`, `client_secret`; OpenID Connect `id_token`; JWT `assertion` /
 * `client_assertion`, RFC 7521), passwords, API keys and generic `token` fields.
 *
 * `client_id` is kept in clear: RFC 6749 §2.2 defines the client identifier as "not a
 * secret", and tests read it to see which app asked for a token.
 * https://datatracker.ietf.org/doc/html/rfc6749#section-2.2
 */
export const CREDENTIAL_FIELDS: ReadonlySet<string> = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'client_secret',
  'client_assertion',
  'assertion',
  'password',
  'api_key',
  'apikey',
  'authorization',
]);

/** Request headers that carry credentials (left out of anything an emulator hands on). */
export const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);

const isCredential = (name: string, extra: ReadonlySet<string>) => CREDENTIAL_FIELDS.has(name.toLowerCase()) || extra.has(name);

/** A query as logged: credential parameters (and `extra` ones) written as {@link REDACTED}. */
export function redactQuery(params: URLSearchParams, extra: ReadonlySet<string> = new Set()): Record<string, string> {
  const query = Object.fromEntries(params);
  for (const name of Object.keys(query)) if (isCredential(name, extra)) query[name] = REDACTED;
  return query;
}

/**
 * A request body as logged: in objects and arrays (parsed JSON, or a parsed form), every
 * field named like a credential is written as {@link REDACTED}, at any depth; in a text
 * body, `name=value` pairs of credential names are. Returns a copy; the body is unchanged.
 */
export function redactBody(body: unknown, extra: ReadonlySet<string> = new Set()): unknown {
  if (typeof body === 'string') {
    return body.replace(/(^|[&?\s])([A-Za-z_]+)=([^&\s]*)/g, (whole, lead: string, name: string) => (isCredential(name, extra) ? `${lead}${name}=${REDACTED}` : whole));
  }
  if (Array.isArray(body)) return body.map((item) => redactBody(item, extra));
  if (typeof body !== 'object' || body === null) return body;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) out[key] = isCredential(key, extra) && value !== null && value !== undefined ? REDACTED : redactBody(value, extra);
  return out;
}

/** Request headers without the ones carrying credentials. */
export function withoutCredentialHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || CREDENTIAL_HEADERS.has(name.toLowerCase())) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
