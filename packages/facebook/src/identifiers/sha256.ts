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
