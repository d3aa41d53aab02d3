/** The queues of sync runs: one per destination (`sync-run.salesforce`, …), so a worker can take only some destinations' runs. */
export const RUN_QUEUE_PREFIX = 'sync-run.';

/** Where a run goes after its last retry, or at once for an error no retry can fix (auth, configuration). `redrive()` sends it back. */
export const DEAD_LETTER_QUEUE = 'sync-run-dead';

/** The schema pg-boss keeps its tables in (beside syncmodes' own). */
export const BOSS_SCHEMA = 'pgboss';

/** The queue of a destination's runs. */
export function runQueue(destination: string): string {
  return `${RUN_QUEUE_PREFIX}${destination}`;
}
