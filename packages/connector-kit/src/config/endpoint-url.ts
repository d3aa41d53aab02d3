import { z } from 'zod';

/** True when a URL holds no user name or password (`user:password@host`). */
function withoutCredentials(value: string): boolean {
  try {
    const url = new URL(value);
    return url.username === '' && url.password === '';
  } catch {
    return true; // not a URL: z.url() says so
  }
}

/**
 * A destination's endpoint URL (an API host, an instance or login URL): a URL that holds
 * no user name or password. Such a URL is not marked secret — it is part of what names a
 * sync and is shown by `state list` — so credentials in it would end up in state and
 * output; they are refused, with a message that never repeats the URL.
 */
export function endpointUrl(): z.ZodURL {
  return z.url().refine(withoutCredentials, 'must not hold a user name or password (user:password@host): give credentials through their own options, which are kept secret');
}
