import { basename } from 'node:path';
import { checkSourceFile, formatOf, isStreamFile, openSource, type FieldMapping, type RecordSource } from '@syncmodes/connector-kit';
import { UsageError } from '../registry/exit-codes';
import type { Cleanup } from './cleanup';
import type { SyncJob } from './sync-job';

/** `--from -`: the source is read from stdin. */
export const STDIN = '-';

const isDatabaseUrl = (from: string) => /^postgres(ql)?:\/\//i.test(from);
/** A pipe the system names (`/dev/stdin`, `/dev/fd/63` for `<(command)`, `/proc/self/fd/0`): its name says nothing about the data. */
const isSystemPipe = (from: string) => /^\/(dev|proc)\//.test(from);

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
export function checkJobSource(job: Pick<SyncJob, 'from' | 'query' | 'table' | 'syncName'> & { readonly format?: SyncJob['format'] }): void {
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
  if (isStreamFile(job.from)) checkPipeSource(job);
}

/** A source read once, as it comes (a named pipe, `/dev/stdin`, `<(command)`): its format and the sync's name must be known without reading it. */
function checkPipeSource(job: Pick<SyncJob, 'from' | 'syncName'> & { readonly format?: SyncJob['format'] }): void {
  if (!job.format && !formatOf(job.from)) {
    throw new UsageError(`--from "${job.from}" is a pipe, read once as it comes, and its name does not tell its format: give --format csv, ndjson or json.`, 'format_required');
  }
  if (!job.syncName && isSystemPipe(job.from)) {
    throw new UsageError(`--from "${job.from}" is a pipe with no file name to name the sync after: give --sync-name (the same one on every run of this sync).`, 'sync_name_required');
  }
}

/** The secrets in a job's source URL (its password), to scrub from logs and reports. */
export async function sourceSecrets(job: Pick<SyncJob, 'from'>): Promise<string[]> {
  if (!isDatabaseUrl(job.from)) return [];
  const { databaseSecrets } = await import('@syncmodes/postgres');
  return databaseSecrets(job.from);
}

/** How a job reads a CSV file (the rest of its settings do not matter here). */
type CsvReading = { readonly multilineValues?: SyncJob['multilineValues']; readonly delimiter?: SyncJob['delimiter'] };

/** The kit's CSV options for a job: its multi-line check, and its delimiter (`tab` and `\t` are a tab). */
function csvOptions(job: CsvReading): { multilineValues: SyncJob['multilineValues'] | undefined; delimiter: string | undefined } {
  const delimiter = job.delimiter === 'tab' || job.delimiter === '\\t' ? '\t' : job.delimiter;
  return { multilineValues: job.multilineValues, delimiter };
}

/**
 * Opens a job's source: a file in its format (a pipe is copied as it is read: see the kit's
 * `openSource`; `signal` ends a wait for its writer), or a Postgres query / table streamed
 * with a cursor (`@syncmodes/postgres`, loaded only then). Call `dispose()` when it has one.
 */
export async function openJobSource(job: Pick<SyncJob, 'from' | 'query' | 'table' | 'format'> & CsvReading, mapping: FieldMapping, signal?: AbortSignal): Promise<RecordSource & { dispose?: () => Promise<void> }> {
  if (!isDatabaseUrl(job.from)) return openSource(job.from, mapping, job.format, { signal, ...csvOptions(job) });
  const { postgresSource } = await import('@syncmodes/postgres');
  return postgresSource({ url: job.from, query: job.query, table: job.table, mapping });
}

/**
 * Opens a run's source: stdin for `--from -` (named `stdin` in reports), else the job's
 * source (see {@link openJobSource}). A spooled copy is removed by `cleanup`; `signal` (the
 * run's stop) ends a wait for data that does not come.
 */
export async function openRunSource(job: Pick<SyncJob, 'from' | 'query' | 'table' | 'format'> & CsvReading, mapping: FieldMapping, io: { readonly stdin?: NodeJS.ReadableStream | undefined }, signal: AbortSignal | undefined, cleanup: Cleanup): Promise<RecordSource> {
  const source = job.from === STDIN ? openSource(io.stdin ?? process.stdin, mapping, job.format, { name: 'stdin', signal, ...csvOptions(job) }) : await openJobSource(job, mapping, signal);
  if (source.dispose) cleanup.defer(() => source.dispose?.());
  return source;
}
