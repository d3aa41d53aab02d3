import { REDACTED } from '@syncmodes/connector-kit';

/** True when `value` is a Postgres connection URL (`postgres://…` or `postgresql://…`). */
export function isPostgresUrl(value: string | undefined): value is string {
  return value !== undefined && /^postgres(ql)?:\/\//i.test(value);
}

/** Query keys whose values are secrets. */
const SECRET_KEYS = ['password', 'sslpassword', 'sslkey'];

/**
 * The URL as node-postgres reads it: one with an empty host (`postgres://user:pw@/db?host=/tmp`,
 * a Unix socket) is read with a stand-in host, as pg-connection-string does; `undefined` when
 * it cannot be read at all.
 */
function parsedUrl(url: string): { readonly url: URL; readonly hostless: boolean } | undefined {
  const readings = [url, url.replace(/^(postgres(?:ql)?:\/\/(?:[^/?#@]*@)?)(?=[/?#]|$)/i, '$1localhost')];
  for (const [i, candidate] of readings.entries()) {
    try {
      return { url: new URL(candidate), hostless: i > 0 };
    } catch {
      // Try the next reading.
    }
  }
  return undefined;
}

/**
 * The secret parts of a connection URL (the password, as written and decoded, and every
 * `password` / `sslpassword` / `sslkey` query value: node-postgres takes the last of several),
 * for scrubbing text with `redactText`. A Postgres URL that cannot be read at all is a secret
 * as a whole (fresh helper 73, finding 3: a socket URL's password was not found, so it was stored).
 */
export function databaseSecrets(url: string): string[] {
  const out = new Set<string>();
  const parsed = parsedUrl(url)?.url;
  if (!parsed) return isPostgresUrl(url) ? [url] : [];
  if (parsed.password) {
    out.add(parsed.password);
    try {
      out.add(decodeURIComponent(parsed.password));
    } catch {
      // Not percent-encoded as written: the text as it is was added.
    }
  }
  for (const key of SECRET_KEYS) for (const value of parsed.searchParams.getAll(key)) if (value) out.add(value);
  return [...out].filter((s) => s.length > 0);
}

/**
 * The URL with its password (and password-like query values) replaced by `[redacted]`,
 * for logs, errors, reports and state: `postgres://sync:[redacted]@db:5432/syncmodes`.
 */
export function redactDatabaseUrl(url: string): string {
  const reading = parsedUrl(url);
  if (!reading) return REDACTED;
  const parsed = reading.url;
  const user = parsed.username ? `${parsed.username}${parsed.password ? `:${REDACTED}` : ''}@` : parsed.password ? `:${REDACTED}@` : '';
  const query = [...parsed.searchParams]
    .map(([k, v]) => `${k}=${SECRET_KEYS.includes(k) ? REDACTED : v}`)
    .join('&');
  return `${parsed.protocol}//${user}${reading.hostless ? '' : parsed.host}${parsed.pathname}${query ? `?${query}` : ''}`;
}
