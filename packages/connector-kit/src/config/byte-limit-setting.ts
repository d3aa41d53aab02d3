import { ConfigError } from '../errors/sync-error';

/**
 * A limit in bytes read from the environment variable `name`: `fallback` when it is unset or
 * empty, else its value, which must be a whole number above 0 (digits only, at most
 * 2^53 − 1). Read on every call, so a test or a long-lived process sees changes.
 *
 * @throws ConfigError (`invalid_config`) naming the variable and showing its value (at most
 *   40 characters) when it is set to anything else — a typo (`16GB`, `1e9`, `-1`) once
 *   meant the default without a word (trial 20b, NEW-5).
 */
export function byteLimitSetting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isSafeInteger(value) && value > 0) return value;
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  throw new ConfigError(`${name} is ${JSON.stringify(shown)}: it must be a whole number of bytes above 0 (e.g. ${fallback}, the default), or unset.`);
}
