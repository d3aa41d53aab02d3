const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;

/**
 * EMAIL: trimmed and lowercased (Meta's rule); `undefined` when it is not an address.
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 */
export function normaliseEmail(raw: string): string | undefined {
  const email = raw.trim().toLowerCase();
  return EMAIL.test(email) ? email : undefined;
}
