/**
 * Reads an HTTP `Retry-After` value as a wait in ms from `now`: delay-seconds (`120`; a
 * fraction such as `0.5` is read too) or an HTTP-date (`Wed, 21 Oct 2026 07:28:00 GMT`), the
 * two forms RFC 9110 §10.2.3 defines. A server sends it with a 429 (RFC 6585 §4) or a 503,
 * and so may a gateway or proxy in front of a vendor's API. A date already past is a wait of 0.
 *
 * https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3 , https://www.rfc-editor.org/rfc/rfc6585#section-4
 *
 * @returns the wait, ms; `undefined` when the value is missing or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP-date names its day and month (`Wed, 21 Oct…`); a bare number that is not delay-seconds (`-5`) is unreadable.
  const at = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
