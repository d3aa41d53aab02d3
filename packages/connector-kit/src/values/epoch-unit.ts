import { z } from 'zod';

/**
 * How a whole number given for a date is read: `seconds` or `milliseconds` since
 * 1970-01-01T00:00:00Z, or `auto` (by magnitude, see {@link EPOCH_MILLISECONDS_FROM}).
 */
export type EpochUnit = 'auto' | 'seconds' | 'milliseconds';

/**
 * With `auto`, a whole number whose magnitude is at least 10^11 is read as milliseconds,
 * anything smaller as seconds. 10^11 seconds is the year 5138, past any date a source
 * means; 10^11 milliseconds is 1973-03-03. So seconds are read right for every date from
 * 1970 − 3,000 years to 5138, and milliseconds for every date after 1973-03-03 (and as
 * far back before 1970). Earlier millisecond dates need an explicit `milliseconds` unit.
 */
export const EPOCH_MILLISECONDS_FROM = 1e11;

/**
 * The zod schema of an {@link EpochUnit} option, default `auto`, for connector configs
 * (e.g. `epochUnit: epochUnitSchema`).
 */
export const epochUnitSchema = z
  .enum(['auto', 'seconds', 'milliseconds'])
  .default('auto')
  .describe(
    'How whole-number dates are read: auto (9 to 11 digits epoch seconds, from 100,000,000,000 epoch milliseconds; fewer than 9 digits, with a fraction or not, fail with invalid_date where the destination reads dates strictly, as the built-in ones do; from 9 digits a fraction is cut to whole seconds), seconds or milliseconds.',
  );

/** Epoch milliseconds of a number given for a date, read in `unit`. */
export function epochMillis(n: number, unit: EpochUnit): { readonly ms: number; readonly unit: 'seconds' | 'milliseconds' } {
  const read = unit === 'auto' ? (Math.abs(n) >= EPOCH_MILLISECONDS_FROM ? 'milliseconds' : 'seconds') : unit;
  return { ms: read === 'seconds' ? n * 1000 : n, unit: read };
}
