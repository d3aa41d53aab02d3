import { join } from 'node:path';
import type { StateStore } from '@syncmodes/connector-kit';
import { UsageError } from '../registry/exit-codes';
import { openState, STATE_FILE } from './open-state';

/** The environment variable naming the Postgres database of the state (and of workers). */
export const DATABASE_URL_ENV = 'SYNCMODES_DATABASE_URL';

/** Where a job's state lives: `--state` (a Postgres URL), else `SYNCMODES_DATABASE_URL`, else undefined (SQLite). */
export function stateUrlOf(job: { readonly state?: string | undefined }, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const url = job.state ?? env[DATABASE_URL_ENV];
  if (url === undefined || url === '') return undefined;
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new UsageError(`${job.state ? '--state' : DATABASE_URL_ENV} expects a postgres:// URL; for SQLite state in a folder use --state-dir.`, 'invalid_arguments');
  }
  return url;
}

/** An open state store, and the credentials its name carries (to scrub from logs and reports). */
export interface JobState {
  readonly state: StateStore;
  readonly secrets: readonly string[];
  /** How to name it in messages (a redacted URL, or the SQLite file). */
  readonly label: string;
}

/**
 * Opens a job's state: Postgres when a URL is configured (`@syncmodes/postgres`, loaded
 * only then), else SQLite at `<stateDir>/state.sqlite` (see `openState`). `signal` (Ctrl-C)
 * ends the Postgres store's waits for a server that is away.
 *
 * @throws `StateStoreError` when the store cannot be opened (its message never holds the password).
 */
export async function openJobState(job: { readonly state?: string | undefined; readonly stateDir: string }, env: Readonly<Record<string, string | undefined>>, signal?: AbortSignal): Promise<JobState> {
  const url = stateUrlOf(job, env);
  if (url === undefined) {
    return { state: openState(job.stateDir, { create: true }) as StateStore, secrets: [], label: join(job.stateDir, STATE_FILE) };
  }
  const { PostgresStateStore, databaseSecrets, redactDatabaseUrl } = await import('@syncmodes/postgres');
  // Ctrl-C ends the store's waits for a server that is away (reconnectWaitMs): the run stops at once.
  return { state: await PostgresStateStore.open(url, { signal }), secrets: databaseSecrets(url), label: redactDatabaseUrl(url) };
}
