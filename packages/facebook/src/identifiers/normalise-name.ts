/**
 * FN / LN: lowercase letters only — punctuation, digits, symbols and spaces removed —
 * keeping accented letters (Meta accepts names "with or without accents"; they are hashed
 * as UTF-8, after Unicode NFC composition so `é` is one character however it was typed).
 * `undefined` when nothing is left.
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 */
export function normaliseName(raw: string): string | undefined {
  const name = raw.normalize('NFC').toLowerCase().replace(/[^\p{L}\p{M}]/gu, '');
  return name === '' ? undefined : name;
}

/** FI: the first letter of the normalised first name (or initial, `J.` → `j`). */
export function normaliseInitial(raw: string): string | undefined {
  const name = normaliseName(raw);
  return name === undefined ? undefined : [...name][0];
}
