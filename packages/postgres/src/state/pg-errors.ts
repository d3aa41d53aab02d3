import { redactText, StateStoreError, SyncError } from '@syncmodes/connector-kit';
import { databaseSecrets, redactDatabaseUrl } from '../database-url';

/**
 * SQLSTATE classes and codes that mean "this database cannot be the state store as
 * configured" (fix the URL, the user or its rights) rather than "try again later":
 * invalid authorization (28xxx), no such database (3D000), insufficient privilege (42501).
 * https://www.postgresql.org/docs/15/errcodes-appendix.html
 */
function isConfigurationProblem(code: string): boolean {
  return code.startsWith('28') || code === '3D000' || code === '42501';
}

/** What the store is doing when it writes a run's entries (see `PostgresStateStore.put`). */
export const WRITING = 'writing state';

/**
 * Turns an error of `pg` (or the network) into the state store's typed error, with the
 * database named by its redacted URL and no credential in the message:
 * `state_unreadable` when the database cannot serve as the state store as configured
 * (authentication failed, no such database, no rights: not retryable), `state_unwritable`
 * otherwise (unreachable, connection lost, server shutting down, disk full: retryable, the
 * next run continues). A `SyncError` (e.g. `lease_lost`) passes through. `awayForMs`: how long
 * the server has been away when the store waited for it (said in the message).
 */
export function pgStoreError(error: unknown, url: string, doing: string, awayForMs?: number): SyncError {
  if (error instanceof SyncError) return error;
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const raw = typeof e.message === 'string' && e.message !== '' ? e.message : String(error);
  // A statement cancelled by `statement_timeout` (57014).
  const late = code === '57014' ? ': no answer within the store\'s query timeout (queryTimeoutMs)' : '';
  // A connection refused after the store waited for the server (see `ServerWait`).
  const away = awayForMs === undefined ? '' : `; the server has not answered for ${Math.max(1, Math.round(awayForMs / 1000))} s (reconnectWaitMs)`;
  const message = `${redactText(raw, [...databaseSecrets(url), url])}${late}${away}`;
  const where = redactDatabaseUrl(url);
  if (isConfigurationProblem(code)) {
    return new StateStoreError(
      'state_unreadable',
      `Cannot use the state database ${where} while ${doing}: ${message} (${code}). Check the URL, the user and its rights.`,
      { cause: error },
    );
  }
  // Only a failed write stops a run that has sent something; a failure anywhere else (opening the store, `state list`) has nothing to reconcile.
  const next = doing === WRITING ? 'The run stopped; what was sent but not recorded is looked up again by the next run.' : 'Check that the database is running and reachable, then try again.';
  return new StateStoreError(
    'state_unwritable',
    `The state database ${where} failed while ${doing}: ${message}${code ? ` (${code})` : ''}. ${next}`,
    { cause: error },
  );
}
