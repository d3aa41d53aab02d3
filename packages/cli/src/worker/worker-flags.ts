import { InvalidArgumentError } from 'commander';
import { UsageError } from '../registry/exit-codes';
import { stateUrlOf } from '../run/job-state';

/** A whole number ≥ `min`, for commander. */
export const whole = (min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expects a whole number ≥ ${min}.`);
  return n;
};

export { duration } from '../options/duration';

const collect = (value: string, previous: string[] = []) => [...previous, value];
export { collect };

/**
 * The database workers share: `--state`, else `SYNCMODES_DATABASE_URL`.
 *
 * @throws {@link UsageError} `state_required` when neither is given.
 */
export function databaseUrl(state: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  const url = stateUrlOf({ state }, env);
  if (!url) throw new UsageError('Workers, schedules and the queue live in Postgres: give --state postgres://… or set SYNCMODES_DATABASE_URL.', 'state_required');
  return url;
}

/**
 * `--account-concurrency 2` (every destination) and `--account-concurrency salesforce=3`
 * (one destination), repeatable.
 */
export function accountConcurrency(values: readonly string[] | undefined): { default?: number; byDestination: Record<string, number> } {
  const out: { default?: number; byDestination: Record<string, number> } = { byDestination: {} };
  for (const value of values ?? []) {
    const [left, right] = value.includes('=') ? (value.split('=', 2) as [string, string]) : [undefined, value];
    const n = Number(right);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--account-concurrency ${value}: expects a whole number ≥ 1, or <destination>=<n>.`, 'invalid_arguments');
    if (left === undefined) out.default = n;
    else out.byDestination[left] = n;
  }
  return out;
}
