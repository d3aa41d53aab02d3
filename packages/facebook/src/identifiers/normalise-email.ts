import { withoutInvisible } from './invisible';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;

/**
 * Dots that no address has: at either end of the part before the `@`, two in a row anywhere,
 * or beside the `@` (`r12@example..com`, `.ann@x.com`, `ann.@x.com`: fresh helper 103, F7, such
 * an address was hashed and reported added, matching nobody). RFC 5322's dot-atom forbids them
 * (https://www.rfc-editor.org/rfc/rfc5322#section-3.2.3).
 */
const STRAY_DOTS = /^\.|\.\.|\.@|@\./;

/** A `mailto:` link's scheme (RFC 6068), any case: what a link copied as a cell starts with. */
const MAILTO = /^mailto:/i;

/**
 * EMAIL: trimmed and lowercased (Meta's rule), after removing invisible format characters
 * (zero-width space, soft hyphen, BOM: see {@link withoutInvisible}) and a leading `mailto:`
 * (https://www.rfc-editor.org/rfc/rfc6068); `undefined` when what is left is not an address.
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 */
export function normaliseEmail(raw: string): string | undefined {
  const email = withoutInvisible(raw).trim().replace(MAILTO, '').trim().toLowerCase();
  return EMAIL.test(email) && !STRAY_DOTS.test(email) ? email : undefined;
}
