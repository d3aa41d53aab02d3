/**
 * Typed errors of syncmodes. Every error has a stable snake_case `code` (safe to match on
 * in scripts and reports) and a `retryable` flag saying whether sending the same thing
 * again later may succeed.
 *
 * Messages never contain credentials: build them from field names and codes, not from
 * request headers or configs.
 */
export interface SyncErrorOptions {
  /** Whether a retry may help. Default: false. */
  readonly retryable?: boolean;
  /** HTTP status of the response that caused it, when there was one. */
  readonly status?: number;
  /** Destination fields the error is about (e.g. Salesforce `fields`). */
  readonly fields?: readonly string[];
  /** The vendor's own error code, verbatim (e.g. `DUPLICATES_DETECTED`). */
  readonly vendorCode?: string;
  /**
   * A write refused after part of it was applied (OneSignal sends a user's tag changes in
   * several requests, and its deletions after a refusal): the record's write-ahead mark is
   * kept, so the next run resends instead of trusting what state held before. Default false.
   */
  readonly partlyApplied?: boolean;
  readonly cause?: unknown;
}

/** Marks syncmodes errors, shared by every copy of the kit loaded in a process. */
const BRAND = Symbol.for('@syncmodes/connector-kit/SyncError');

/**
 * Base class of every syncmodes error.
 *
 * `instanceof` works across copies of the kit (a plugin bundled or installed with its own
 * copy, or the kit's ESM and CommonJS builds side by side): an object is an instance of a
 * syncmodes error class when it carries the brand and that class's name is on its
 * prototype chain.
 */
export class SyncError extends Error {
  readonly [BRAND] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== 'object' || value === null || !(BRAND in value)) return false;
    for (let proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null; proto; proto = Object.getPrototypeOf(proto)) {
      if (proto.constructor?.name === this.name) return true;
    }
    return false;
  }

  /** Stable snake_case code. */
  readonly code: string;
  /** Whether sending the same request again later may succeed. */
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly fields: readonly string[] | undefined;
  readonly vendorCode: string | undefined;
  /** See {@link SyncErrorOptions.partlyApplied}. */
  readonly partlyApplied: boolean;

  constructor(code: string, message: string, options: SyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.status = options.status;
    this.fields = options.fields;
    this.vendorCode = options.vendorCode;
    this.partlyApplied = options.partlyApplied ?? false;
  }
}

/** A temporary failure (5xx, timeout, connection reset, lock contention): retry later. */
export class RetryableError extends SyncError {
  constructor(code: string, message: string, options: Omit<SyncErrorOptions, 'retryable'> = {}) {
    super(code, message, { ...options, retryable: true });
  }
}

/**
 * The destination asked us to slow down (HTTP 429 or a vendor equivalent). Waiting for it
 * never counts as a failed attempt.
 */
export class RateLimitError extends SyncError {
  /** How long the destination asked us to wait, in ms, when it said so. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, retryAfterMs?: number, options: Omit<SyncErrorOptions, 'retryable'> = {}) {
    super('rate_limited', message, { ...options, retryable: true });
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Credentials were refused or expired. Stops the run: unsent records stay pending for the
 * next run (reported as `skipped` / `not_sent`).
 */
export class AuthError extends SyncError {
  /** Stops the whole run (see {@link isRunStopping}). */
  readonly stopsRun = true;

  constructor(message: string, options: Omit<SyncErrorOptions, 'retryable'> & { code?: string } = {}) {
    super(options.code ?? 'authentication_failed', message, { ...options, retryable: false });
  }
}

/**
 * A quota that will not recover within this run (e.g. Salesforce's daily API request
 * allocation). Stops the run like {@link AuthError}; the next run picks up the rest.
 */
export class QuotaExceededError extends SyncError {
  /** Stops the whole run (see {@link isRunStopping}). */
  readonly stopsRun = true;

  constructor(message: string, options: Omit<SyncErrorOptions, 'retryable'> & { code?: string } = {}) {
    super(options.code ?? 'quota_exceeded', message, { ...options, retryable: true });
  }
}

/**
 * The destination record a write addressed does not exist (any more): it was deleted
 * between lookup and write, or the destination confirms existence only when writing (see
 * `FoundRecord.presumed`). A verb returns it per item; the kit then plans the record again
 * as not found under the run's mode (enrich: `skipped` / `not_found`; sync and additive:
 * created). Never retried as is.
 */
export class NotFoundError extends SyncError {
  constructor(message: string, options: Omit<SyncErrorOptions, 'retryable'> = {}) {
    super('not_found', message, { ...options, retryable: false });
  }
}

/** The configuration is unusable (bad option, missing secret, unsupported mode). */
export class ConfigError extends SyncError {
  constructor(message: string, code = 'invalid_config') {
    super(code, message, { retryable: false });
  }
}

/** A mode the destination cannot honour was requested. Raised at configuration time. */
export class UnsupportedModeError extends ConfigError {
  readonly destination: string;
  readonly requested: string;
  readonly supported: readonly string[];

  constructor(destination: string, requested: string, supported: readonly string[], reason?: string) {
    super(
      `Destination "${destination}" does not support sync mode "${requested}". ` +
        `Supported modes: ${supported.join(', ')}.` +
        (reason ? ` ${reason}` : ''),
      'unsupported_mode',
    );
    this.destination = destination;
    this.requested = requested;
    this.supported = supported;
  }
}

/** The run was refused before anything was sent (deletion guard, empty source). */
export class RunRefusedError extends SyncError {
  constructor(code: string, message: string) {
    super(code, message, { retryable: false });
  }
}

/** The input (file, row, value) is unusable; the message says what to fix. */
export class InputError extends SyncError {
  constructor(code: string, message: string, options: Omit<SyncErrorOptions, 'retryable'> = {}) {
    super(code, message, { ...options, retryable: false });
  }
}

/**
 * True for errors that must stop the whole run: auth, exhausted quota, and the kit's own
 * run-stopping conditions (state that cannot be written, a lease taken over, the user's
 * interrupt, a rate-limit wait beyond the maximum) — every error class that declares
 * `stopsRun`.
 */
export function isRunStopping(error: unknown): boolean {
  if (error instanceof AuthError || error instanceof QuotaExceededError) return true;
  return error instanceof SyncError && (error as { stopsRun?: unknown }).stopsRun === true;
}

/**
 * True for errors worth retrying within this run: retryable, not run-stopping, and not
 * deferred to a later run (a `DeferredError` marks itself with `deferred`).
 */
export function retryNow(error: unknown): boolean {
  return error instanceof SyncError && error.retryable && !isRunStopping(error) && !(error as { deferred?: boolean }).deferred;
}
