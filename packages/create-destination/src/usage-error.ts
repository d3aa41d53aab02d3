/** A wrong argument or a folder that cannot be written: nothing was created (exit code 2). */
export class UsageError extends Error {
  /** Stable snake_case code, as the `syncmodes` CLI reports usage problems. */
  readonly code = 'usage_error';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
