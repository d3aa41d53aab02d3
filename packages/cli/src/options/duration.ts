import { InvalidArgumentError } from 'commander';
import ms from 'ms';

/** A duration (`30s`, `7m`, `6h`, `1d`), ms, at least `minMs`, for commander. */
export const duration = (minMs: number) => (value: string) => {
  const n = ms(value as ms.StringValue);
  if (typeof n !== 'number' || !Number.isFinite(n) || n < minMs) throw new InvalidArgumentError(`expects a duration of at least ${ms(minMs, { long: true })}, like 30s, 7m, 6h or 1d.`);
  return n;
};
