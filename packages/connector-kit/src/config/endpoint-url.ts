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
 * A destination's endpoint URL (an API host, an instance or login URL): an http(s) URL (an
 * `ftp:` or `javascript:` one passed, then stopped the run `unexpected_error`: second trial of
 * stop 31) that holds
 * no user name or password, no query string and no fragment (an endpoint needs neither; a
 * token is what ends up there: trial of stop 26, `?token=…`). Such a URL is not marked
 * secret — it is part of what names a sync and is shown by `state list` — so credentials in
 * it would end up in state and output; they are refused, with a message that never repeats
 * the URL.
 */
export function endpointUrl(): z.ZodURL {
  return z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .refine(urlWhere((url) => url.username === '' && url.password === ''), 'must not hold a user name or password (user:password@host): give credentials through their own options, which are kept secret')
    .refine(urlWhere((url) => url.search === '' && url.hash === '' && !url.href.includes('?') && !url.href.includes('#')), 'must not hold a query string (?…) or a fragment (#…): an endpoint needs neither, and credentials go in their own options, which are kept secret');
}
