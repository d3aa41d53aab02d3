import { InputError, redactText, RetryableError, type SyncError } from '@syncmodes/connector-kit';
import { databaseSecrets, redactDatabaseUrl } from '../database-url';

/**
 * SQLSTATEs that mean the query itself cannot run as written (fix it): syntax errors and
 * access rule violations (class 42: no such table or column, no permission), invalid
 * authorization (28), no such database (3D000). https://www.postgresql.org/docs/15/errcodes-appendix.html
 */
function isQueryProblem(code: string): boolean {
  return code.startsWith('42') || code.startsWith('28') || code === '3D000' || code.startsWith('22');
}

/**
 * The error a Postgres source throws, which stops the run before anything is deleted:
 * `source_query_failed` (not retryable) when the query cannot run as written, or
 * `source_interrupted` (retryable) when the connection or the query failed while the rows
 * were being read (server restarted, backend terminated, network lost): a partial read is
 * never taken for the whole source. No credential appears in the message.
 */
export function sourceError(error: unknown, url: string, rowsRead: number): SyncError {
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = redactText(typeof e.message === 'string' ? e.message : String(error), [...databaseSecrets(url), url]);
  const where = redactDatabaseUrl(url);
  if (isQueryProblem(code) && rowsRead === 0) {
    return new InputError('source_query_failed', `The source query on ${where} failed: ${message} (${code}). Fix the query (or --table); nothing was sent.`);
  }
  return new RetryableError(
    'source_interrupted',
    `Reading the source from ${where} failed after ${rowsRead} row(s): ${message}${code ? ` (${code})` : ''}. The run stopped before deleting anything; running again reads the source from the start.`,
  );
}
