import { audienceLimitsFor, ConfigError, limitsFor, parseConfig, ReportTally, runSync, secretValues, type AnyDestination } from '@syncmodes/connector-kit';
import type { SyncDefinition, SyncRunner, WorkerRunContext, WorkerRunResult } from '@syncmodes/worker';
import { findDestination } from '../registry/destinations';
import { UsageError } from '../registry/exit-codes';
import { destinationConfig } from '../run/destination-config';
import { openJobSource, sourceSecrets } from '../run/job-source';
import { syncJobSchema } from '../run/sync-job';

/** The destination's declared rate limit (for the limit shared by every worker on its account). */
function rateLimitOf(destination: AnyDestination, config: Record<string, unknown>) {
  const parsed = parseConfig(destination, config) as Record<string, unknown>;
  const limits = destination.kind === 'audience' ? audienceLimitsFor(destination, parsed) : limitsFor(destination, parsed, { changed: 0, departing: 0 });
  return 'rateLimit' in limits ? limits.rateLimit : undefined;
}

/**
 * The CLI's {@link SyncRunner}: runs a stored sync as `syncmodes sync` would — its
 * destination (built-in or plugin), its options plus this worker's environment for
 * secrets, its file or Postgres source — on the workers' shared state, with the run's lease,
 * signal and the account's shared rate limit.
 *
 * @throws ConfigError with the CLI's code (e.g. `missing_secret`) / the kit's errors when the stored job is no longer valid here
 *   (not retryable: the run goes to the dead-letter queue) or its source fails.
 */
export function cliRunner(env: Readonly<Record<string, string | undefined>>): SyncRunner {
  return async (definition: SyncDefinition, context: WorkerRunContext): Promise<WorkerRunResult> => {
    try {
      return await runStored(definition, context, env);
    } catch (error) {
      // A stored job no longer valid here (an option or a secret missing on this worker…): its own code in the run
      // history and the notification, not unexpected_error (fresh helper 71, finding 9).
      if (error instanceof UsageError) throw new ConfigError(error.message, error.code);
      throw error;
    }
  };
}

async function runStored(definition: SyncDefinition, context: WorkerRunContext, env: Readonly<Record<string, string | undefined>>): Promise<WorkerRunResult> {
  const parsed = syncJobSchema.safeParse(definition.job);
  if (!parsed.success) throw new UsageError(`The stored sync "${definition.name}" is not a valid sync job here: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, 'invalid_config');
  const job = parsed.data;
  const destination = await findDestination(job.to).load();
  const config = destinationConfig(destination, job.options, env);
  const secrets = [...secretValues(destination.configSchema, config), ...(await sourceSecrets(job))];
  const mapping = { idColumn: job.id, fields: job.map, groupSeparator: job.groupSeparator, ...(job.groups ? { groupsColumn: job.groups } : {}) };
  const source = await openJobSource(job, mapping, context.signal);
  try {
    const sharedLimiter = await context.sharedLimiter(rateLimitOf(destination, config));
    const tally = new ReportTally();
    const summary = await runSync({
      onResult: (result) => {
        tally.add(result);
        context.onResult(result);
      },
      onProgress: context.onProgress,
      destination,
      config,
      mode: job.mode,
      source,
      state: context.state,
      sourceKey: job.id,
      syncName: definition.name,
      deletePolicy: job.deletePolicy,
      guard: { maxDeletes: job.allowDeletes, allowEmptySource: job.allowEmptySource },
      recheck: job.recheck,
      logger: context.logger,
      signal: context.signal,
      lease: context.lease,
      sharedLimiter,
    });
    return { summary, source: source.name, secrets, tally };
  } finally {
    await source.dispose?.();
  }
}
