import { createHash } from 'node:crypto';

const SHA256_HEX = /^[A-Fa-f0-9]{64}$/;

/** SHA-256 of the UTF-8 bytes of `value`, as 64 lowercase hex characters (what Meta expects). */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Whether `value` already is a SHA-256 hex digest (any case), so it must not be hashed again. */
export function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value);
}

/**
 * The SHA-256 of the empty string: what a pre-hashed column holds where the cell was blank
 * when it was hashed. It names nobody, so it is taken for a missing value (sent as `""`,
 * Meta's placeholder for a key a row has no value for), never for an identifier shared by
 * every such row.
 * https://developers.facebook.com/docs/marketing-api/reference/custom-audience/users
 */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Whether `value` is the SHA-256 hex digest of the empty string (any case). */
export function isEmptyDigest(value: string): boolean {
  return value.length === 64 && value.toLowerCase() === EMPTY_SHA256;
}
