/** Exit codes of the `syncmodes` command. */
export const EXIT = Object.freeze({
  /** Every record ended without failure. */
  ok: 0,
  /** The run completed but some records failed. */
  recordsFailed: 1,
  /** Usage or configuration error: nothing was sent. */
  usage: 2,
  /** The run was refused (deletion guard, empty source) or stopped (authentication, quota, rate limit, state that cannot be written). */
  refused: 3,
  /** Interrupted (Ctrl-C / SIGINT, SIGTERM): 128 + SIGINT's number, as shells report it. */
  interrupted: 130,
});

/** A usage or configuration problem found by the CLI (exit code 2). */
export class UsageError extends Error {
  readonly code: string;
  constructor(message: string, code = 'usage_error') {
    super(message);
    this.name = 'UsageError';
    this.code = code;
  }
}
