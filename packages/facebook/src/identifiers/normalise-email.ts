import { isEmailAddress } from '@syncmodes/connector-kit';
import { withoutInvisible } from './invisible';

/** A `mailto:` link's scheme (RFC 6068), any case: what a link copied as a cell starts with. */
const MAILTO = /^mailto:/i;

/**
 * EMAIL: trimmed and lowercased (Meta's rule), after removing invisible format characters
 * (zero-width space, soft hyphen, BOM: see {@link withoutInvisible}) and a leading `mailto:`
 * (https://www.rfc-editor.org/rfc/rfc6068); `undefined` when what is left is not an address
 * (the kit's `isEmailAddress`: RFC 5322 specials, empty domain labels, a domain that is no host name).
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 */
export function normaliseEmail(raw: string): string | undefined {
  const email = withoutInvisible(raw).trim().replace(MAILTO, '').trim().toLowerCase();
  return isEmailAddress(email) ? email : undefined;
}
