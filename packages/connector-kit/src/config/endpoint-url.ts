import { z } from 'zod';

/** True when `test` holds for the URL, or it is not a URL (z.url() says so). */
function urlWhere(test: (url: URL) => boolean): (value: string) => boolean {
  return (value) => {
    try {
      return test(new URL(value));
    } catch {
      return true;
    }
  };
}

/**
 * An http(s) URL in one spelling: the host lower-cased and the default port dropped (as `URL`
 * gives its origin), the path without a trailing slash. Anything that does not parse is
 * returned as it is (the URL check reports it).
 */
export function canonicalEndpoint(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return value;
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return value;
  }
}

/**
 * A destination's endpoint URL (an API host, an instance or login URL): an http(s) URL (an
 * `ftp:` or `javascript:` one passed, then stopped the run `unexpected_error`: second trial of
 * stop 31) that holds
 * no user name or password, no query string and no fragment (an endpoint needs neither; a
 * token is what ends up there: trial of stop 26, `?token=…`). Such a URL is not marked
 * secret — it is part of what names a sync and is shown by `state list` — so credentials in
 * it would end up in state and output; they are refused, with a message that never repeats
 * the URL.
 *
 * The value is given in one spelling ({@link canonicalEndpoint}): it is part of the sync's
 * identity, so `https://acme.my.salesforce.com/` and `https://ACME.my.salesforce.com` name the
 * same sync, its state and what it owns. Spelled another way, it started a new sync that
 * owned nothing, and sync mode deleted nothing the first had created (fourth trial of stop 27
 * only said so).
 */
export function endpointUrl(): z.ZodURL {
  return z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .refine(urlWhere((url) => url.username === '' && url.password === ''), 'must not hold a user name or password (user:password@host): give credentials through their own options, which are kept secret')
    .refine(urlWhere((url) => url.search === '' && url.hash === '' && !url.href.includes('?') && !url.href.includes('#')), 'must not hold a query string (?…) or a fragment (#…): an endpoint needs neither, and credentials go in their own options, which are kept secret')
    .overwrite(canonicalEndpoint);
}
