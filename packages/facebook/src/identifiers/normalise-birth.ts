const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/**
 * DOBY: a four-digit year from 1900 to `currentYear` (Meta's rule). Also takes the year of
 * an ISO date (`1985-03-02`). `undefined` otherwise.
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 */
export function normaliseBirthYear(raw: string, currentYear: number): string | undefined {
  const m = /^\s*(\d{4})(?:-\d{1,2}-\d{1,2})?\s*$/.exec(raw);
  if (!m) return undefined;
  const year = Number(m[1]);
  return year >= 1900 && year <= currentYear ? (m[1] as string) : undefined;
}

/** DOBM: `01`–`12`; takes `3`, `03` and English month names or their first three letters. */
export function normaliseBirthMonth(raw: string): string | undefined {
  const text = raw.trim().toLowerCase();
  let month = /^\d{1,2}$/.test(text) ? Number(text) : MONTHS.findIndex((m) => m === text || (text.length >= 3 && m.startsWith(text))) + 1;
  if (!Number.isInteger(month) || month < 1 || month > 12) month = 0;
  return month === 0 ? undefined : String(month).padStart(2, '0');
}

/** DOBD: `01`–`31`; takes `7` or `07`. */
export function normaliseBirthDay(raw: string): string | undefined {
  const text = raw.trim();
  if (!/^\d{1,2}$/.test(text)) return undefined;
  const day = Number(text);
  return day >= 1 && day <= 31 ? String(day).padStart(2, '0') : undefined;
}

/**
 * GEN: `m` or `f` (Meta's only values), from `m`, `male`, `man`, `f`, `female`, `woman`
 * in any case. Anything else is not sent.
 */
export function normaliseGender(raw: string): string | undefined {
  const text = raw.trim().toLowerCase().replace(/[^a-z]/g, '');
  if (['m', 'male', 'man'].includes(text)) return 'm';
  if (['f', 'female', 'woman'].includes(text)) return 'f';
  return undefined;
}
