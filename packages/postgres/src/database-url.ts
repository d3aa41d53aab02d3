import { REDACTED } from '@syncmodes/connector-kit';

/** True when `value` is a Postgres connection URL (`postgres://…` or `postgresql://…`). */
export function isPostgresUrl(value: string | undefined): value is string {
  return value !== undefined && /^postgres(ql)?:\/\//i.test(value);
}

/**
 * The secret parts of a connection URL (the password, as written and decoded, and any
 * `password` / `sslpassword` / `sslkey` query values), for scrubbing text with `redactText`.
 */
export function databaseSecrets(url: string): string[] {
  const out = new Set<string>();
  try {
    const parsed = new URL(url);
    if (parsed.password) {
      out.add(parsed.password);
      out.add(decodeURIComponent(parsed.password));
    }
    for (const key of ['password', 'sslpassword', 'sslkey']) {
      const value = parsed.searchParams.get(key);
      if (value) out.add(value);
    }
  } catch {
    // Not a URL: nothing to find in it.
  }
  return [...out].filter((s) => s.length > 0);
}

/**
 * The URL with its password (and password-like query values) replaced by `[redacted]`,
 * for logs, errors, reports and state: `postgres://sync:[redacted]@db:5432/syncmodes`.
 */
export function redactDatabaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return REDACTED;
  }
  const user = parsed.username ? `${parsed.username}${parsed.password ? `:${REDACTED}` : ''}@` : parsed.password ? `:${REDACTED}@` : '';
  const query = [...parsed.searchParams]
    .map(([k, v]) => `${k}=${['password', 'sslpassword', 'sslkey'].includes(k) ? REDACTED : v}`)
    .join('&');
  return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}${query ? `?${query}` : ''}`;
}
