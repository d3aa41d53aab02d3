import { UsageError } from '../registry/exit-codes';
import { loadConfigFile } from '../run/load-config-file';
import { syncJobSchema, type SyncJob } from '../run/sync-job';

/**
 * Reads and validates a sync config file for `schedule add` / `enqueue --config`.
 *
 * @throws {@link UsageError} `config_file` / `invalid_arguments` naming the problems.
 */
export function jobFromConfig(path: string): SyncJob {
  const parsed = syncJobSchema.safeParse(loadConfigFile(path));
  if (!parsed.success) {
    throw new UsageError(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ')}`, 'invalid_arguments');
  }
  return parsed.data;
}
