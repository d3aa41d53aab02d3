import { basename } from 'node:path';
import { checkSourceFile, openSource, type FieldMapping, type RecordSource } from '@syncmodes/connector-kit';
import { UsageError } from '../registry/exit-codes';
import type { SyncJob } from './sync-job';

const isDatabaseUrl = (from: string) => /^postgres(ql)?:\/\//i.test(from);

/** The default sync name: the source file's name without folder and extension; a Postgres table's name. */
export function defaultSyncName(job: Pick<SyncJob, 'from' | 'table' | 'syncName'>): string {
  if (job.syncName) return job.syncName;
  if (isDatabaseUrl(job.from)) {
    if (job.table) return job.table.split('.').pop() as string;
    throw new UsageError('A --query has no file name to name the sync after: give --sync-name (the same one on every run of this sync).', 'sync_name_required');
  }
  return basename(job.from).replace(/\.[^.]+$/, '') || basename(job.from);
}

/**
 * Checks a job's source before anything starts: a file must be a readable file (not a
 * folder); a Postgres URL needs exactly one of `--query` and `--table`, which files do not take.
 *
 * @throws {@link UsageError} `invalid_arguments`, `sync_name_required`; the kit's
 *   `InputError` `file_not_found` / `unreadable_file` (exit 2).
 */
export function checkJobSource(job: Pick<SyncJob, 'from' | 'query' | 'table' | 'syncName'>): void {
  if (isDatabaseUrl(job.from)) {
    if ((job.query === undefined) === (job.table === undefined)) {
      throw new UsageError('A Postgres source (--from postgres://…) needs exactly one of --query "select …" and --table <name>.', 'invalid_arguments');
    }
    defaultSyncName(job);
    return;
  }
  if (job.query !== undefined || job.table !== undefined) throw new UsageError('--query and --table go with a Postgres source (--from postgres://…).', 'invalid_arguments');
  // A missing file, a folder, a path under a file, no read permission: refused now, before anything is opened or sent.
  checkSourceFile(job.from);
}

/** The secrets in a job's source URL (its password), to scrub from logs and reports. */
export async function sourceSecrets(job: Pick<SyncJob, 'from'>): Promise<string[]> {
  if (!isDatabaseUrl(job.from)) return [];
  const { databaseSecrets } = await import('@syncmodes/postgres');
  return databaseSecrets(job.from);
}

/** Opens a job's source: a file in its format, or a Postgres query / table streamed with a cursor (`@syncmodes/postgres`, loaded only then). */
export async function openJobSource(job: Pick<SyncJob, 'from' | 'query' | 'table' | 'format'>, mapping: FieldMapping): Promise<RecordSource> {
  if (!isDatabaseUrl(job.from)) return openSource(job.from, mapping, job.format);
  const { postgresSource } = await import('@syncmodes/postgres');
  return postgresSource({ url: job.from, query: job.query, table: job.table, mapping });
}
