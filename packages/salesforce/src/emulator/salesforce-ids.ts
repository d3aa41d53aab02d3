const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/**
 * The 3-character case-safe suffix Salesforce appends to a 15-character id: for each
 * 5-character block, a bit per uppercase letter, as an index into A–Z0–5.
 */
export function caseSafeSuffix(id15: string): string {
  let suffix = '';
  for (let block = 0; block < 3; block++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charAt(block * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += SUFFIX.charAt(bits);
  }
  return suffix;
}

/** An 18-character id with the object's key prefix (e.g. `003` for Contact) and a counter. */
export function salesforceId(keyPrefix: string, counter: number): string {
  let n = counter;
  let body = '';
  while (n > 0) {
    body = BASE62.charAt(n % 62) + body;
    n = Math.floor(n / 62);
  }
  const id15 = `${keyPrefix}${'0'.repeat(3)}${body.padStart(9, '0')}`.slice(0, 15);
  return id15 + caseSafeSuffix(id15);
}

/** The counter encoded in an emulator id (0 when it is not one). */
export function counterOf(id: string): number {
  let n = 0;
  for (const c of id.slice(6, 15)) {
    const v = BASE62.indexOf(c);
    if (v < 0) return 0;
    n = n * 62 + v;
  }
  return n;
}
