import { isAbsolute, resolve } from 'node:path';
import { configFields, identityOf, syncIdFor, type AnyDestination } from '@syncmodes/connector-kit';
import type { SyncDefinition } from '@syncmodes/worker';
import { findDestination } from '../registry/destinations';
import { secretInOptions } from '../run/destination-config';
import { UsageError } from '../registry/exit-codes';
import { checkJobSource, defaultSyncName } from '../run/job-source';
import type { SyncJob } from '../run/sync-job';

/** Settings that belong to one machine's run, not to a sync workers run. */
const REFUSED = ['emulator', 'emulatorSeed', 'dryRun'] as const;
/** Settings a stored sync leaves out: the state is the workers' database; reports go to the run history. */
const DROPPED = new Set(['state', 'stateDir', 'report']);

/** The identity of a sync as `runSync` computes it: the config parsed with its defaults (secrets stand in: they are never identity). */
function identityFor(destination: AnyDestination, options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const config: Record<string, unknown> = { ...options };
  for (const field of configFields(destination.configSchema)) if (field.meta.secret && config[field.key] === undefined) config[field.key] = 'stand-in-for-a-secret';
  const parsed = destination.configSchema.safeParse(config);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`);
    throw new UsageError(`Invalid ${destination.displayName} options: ${problems.join('; ')}`, 'invalid_config');
  }
  return identityOf(destination.configSchema, parsed.data as Record<string, unknown>);
}

/**
 * Turns a `syncmodes sync` job (a config file and flags) into a sync that workers run:
 * secret-free (secrets are never options; a source URL may not carry a password: workers
 * give it with `PGPASSWORD` or `~/.pgpass`), file paths made absolute, its sync id and
 * destination account computed as the run will.
 *
 * @throws {@link UsageError} `invalid_arguments` for settings only one machine can honour
 *   (`emulator`, `dryRun`), `secret_in_definition` for a password in the source URL (before
 *   `@` or in its query), `secret_in_options` for a secret among the options, and
 *   the job's own problems (unknown destination, missing file, invalid options).
 */
export async function definitionFromJob(job: SyncJob, name?: string): Promise<SyncDefinition> {
  for (const key of REFUSED) {
    if (job[key]) throw new UsageError(`A sync that workers run cannot use ${key}: every worker needs the same real destination. Remove it from the config.`, 'invalid_arguments');
  }
  const { accountKeyOf, databaseSecrets, isPostgresUrl } = await import('@syncmodes/postgres');
  // The password as user:password@ or as a query value (password, sslpassword, sslkey: fresh helper 71, finding 3).
  if (isPostgresUrl(job.from) && databaseSecrets(job.from).length > 0) {
    throw new UsageError(
      'The source URL holds a password, and stored syncs hold no secrets: remove it from the URL (user:password@, or password=, sslpassword=, sslkey= in its query) and give it to each worker with PGPASSWORD or ~/.pgpass.',
      'secret_in_definition',
    );
  }
  checkJobSource(job);
  const entry = findDestination(job.to);
  const destination = await entry.load();
  // A secret under options would be stored in the database and in every queued run (fresh helper 71, finding 3).
  for (const field of configFields(destination.configSchema)) if (field.meta.secret && job.options[field.key] !== undefined) throw secretInOptions(field.key, field.meta.env);
  const identity = identityFor(destination, job.options);
  const syncName = name ?? defaultSyncName(job);
  const from = /^[a-z][a-z0-9+.-]*:\/\//i.test(job.from) || isAbsolute(job.from) ? job.from : resolve(job.from);
  const stored: Record<string, unknown> = {};
  for (const [key, value] of Object.entries({ ...job, from, syncName })) if (!DROPPED.has(key) && value !== undefined) stored[key] = value;
  return {
    name: syncName,
    syncId: syncIdFor(destination.id, identity, job.id, syncName),
    destination: destination.id,
    accountKey: accountKeyOf(destination.id, identity),
    job: stored,
  };
}
