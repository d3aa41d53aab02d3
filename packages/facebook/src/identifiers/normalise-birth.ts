const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/**
 * A birth date written as an ISO date (`1985-03-02`, or a date-time whose day is taken as
 * written, `1990-04-03T23:30:00-05:00`): its year, month and day, or `undefined` when the text
 * is no ISO date, no day of the calendar (`2014-02-30`), before 1900 (Meta's first birth
 * year; `1899-12-30` is the empty date of Excel and Access, not a birthday) or after
 * `currentYear` (fresh reviewer 104, F4).
 */
function isoBirthDate(raw: string, currentYear: number): { readonly year: number; readonly month: number; readonly day: number } | undefined {
  const m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\s*$/i.exec(raw);
  if (!m || Number(m[1]) > currentYear) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real && year >= 1900 ? { year, month, day } : undefined;
}

const twoDigits = (n: number) => String(n).padStart(2, '0');

/**
 * DOBY: a four-digit year from 1900 to `currentYear` (Meta's rule). Also takes the year of
 * an ISO date or date-time ({@link isoBirthDate}), so one birth-date column can be mapped to
 * DOBY, DOBM and DOBD. `undefined` otherwise.
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 */
export function normaliseBirthYear(raw: string, currentYear: number): string | undefined {
  const plain = /^\s*(\d{4})\s*$/.exec(raw);
  const year = plain ? Number(plain[1]) : isoBirthDate(raw, currentYear)?.year;
  return year !== undefined && year >= 1900 && year <= currentYear ? String(year) : undefined;
}

/**
 * DOBM: `01`–`12`; takes `3`, `03`, English month names or their first three letters, and the
 * month of an ISO date (fresh helper 103, F5: a date column mapped to DOBM sent nothing).
 */
export function normaliseBirthMonth(raw: string, currentYear = new Date().getUTCFullYear()): string | undefined {
  const iso = isoBirthDate(raw, currentYear);
  if (iso) return twoDigits(iso.month);
  const text = raw.trim().toLowerCase();
  let month = /^\d{1,2}$/.test(text) ? Number(text) : MONTHS.findIndex((m) => m === text || (text.length >= 3 && m.startsWith(text))) + 1;
  if (!Number.isInteger(month) || month < 1 || month > 12) month = 0;
  return month === 0 ? undefined : twoDigits(month);
}

/** DOBD: `01`–`31`; takes `7`, `07` and the day of an ISO date. */
export function normaliseBirthDay(raw: string, currentYear = new Date().getUTCFullYear()): string | undefined {
  const iso = isoBirthDate(raw, currentYear);
  if (iso) return twoDigits(iso.day);
  const text = raw.trim();
  if (!/^\d{1,2}$/.test(text)) return undefined;
  const day = Number(text);
  return day >= 1 && day <= 31 ? twoDigits(day) : undefined;
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
