import { describe, expect, it } from 'vitest';
import { AuthError, isRunStopping, RateLimitError, retryNow, SyncError, toSyncError } from '../../src/index';

/** Builds error classes the way a second copy of the kit would: same names, same brand, other identities. */
function secondCopy() {
  const BRAND = Symbol.for('@syncmodes/connector-kit/SyncError');
  class SyncError extends Error {
    readonly [BRAND] = true;
    constructor(
      readonly code: string,
      message: string,
      readonly retryable = false,
    ) {
      super(message);
    }
  }
  class RateLimitError extends SyncError {
    constructor(readonly retryAfterMs: number) {
      super('rate_limited', 'slow down', true);
    }
  }
  class AuthError extends SyncError {
    constructor() {
      super('authentication_failed', 'no');
    }
  }
  return { SyncError, RateLimitError, AuthError };
}

describe('error identity across copies of the kit', () => {
  const other = secondCopy();

  it('recognises errors thrown by another copy of the kit by brand and class name', () => {
    const limited = new other.RateLimitError(250);
    expect(limited instanceof SyncError).toBe(true);
    expect(limited instanceof RateLimitError).toBe(true);
    expect(limited instanceof AuthError).toBe(false);
    expect(toSyncError(limited)).toBe(limited);
    expect(retryNow(limited)).toBe(true);
    expect(isRunStopping(new other.AuthError())).toBe(true);
  });

  it('does not mistake look-alikes without the brand', () => {
    class RateLimitErrorLookAlike extends Error {
      readonly code = 'rate_limited';
    }
    Object.defineProperty(RateLimitErrorLookAlike, 'name', { value: 'RateLimitError' });
    expect(new RateLimitErrorLookAlike() instanceof RateLimitError).toBe(false);
    expect(toSyncError(new Error('plain')).code).toBe('unexpected_error');
  });
});
