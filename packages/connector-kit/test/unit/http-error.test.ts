import { describe, expect, it } from 'vitest';
import { AuthError, httpError, isRunStopping, NotFoundError, QuotaExceededError, RateLimitError, RetryableError, retryNow, SyncError } from '../../src/index';

const base = { vendor: 'Acme', what: 'the contact update' };

describe('httpError: one ladder from HTTP failures to the kit errors', () => {
  // status, extra, class, code, stops the run, retried within the run
  const table: [number, Record<string, unknown>, unknown, string, boolean, boolean][] = [
    [401, {}, AuthError, 'authentication_failed', true, false],
    [403, { auth: true }, AuthError, 'authentication_failed', true, false],
    [403, { quota: true, vendorCode: 'REQUEST_LIMIT_EXCEEDED' }, QuotaExceededError, 'quota_exceeded', true, false],
    [429, { retryAfterMs: 2000 }, RateLimitError, 'rate_limited', false, true],
    [403, { rateLimited: true }, RateLimitError, 'rate_limited', false, true],
    [408, {}, RetryableError, 'server_error', false, true],
    [500, {}, RetryableError, 'server_error', false, true],
    [503, { vendorCode: 'SERVER_UNAVAILABLE' }, RetryableError, 'server_error', false, true],
    [404, { notFound: true }, NotFoundError, 'not_found', false, false],
    [404, {}, SyncError, 'http_404', false, false],
    [400, { vendorCode: 'parameter_invalid' }, SyncError, 'parameter_invalid', false, false],
    [400, { vendorCode: 'STRING_TOO_LONG' }, SyncError, 'string_too_long', false, false],
    [400, { vendorCode: 'invalidValue' }, SyncError, 'invalid_value', false, false],
    [409, { vendorCode: 'conflict', code: 'already_exists' }, SyncError, 'already_exists', false, false],
  ];
  for (const [status, extra, cls, code, stops, retried] of table) {
    it(`${status} ${JSON.stringify(extra)} → ${(cls as { name: string }).name} ${code}${stops ? ', stops the run' : ''}${retried ? ', retried' : ''}`, () => {
      const error = httpError({ ...base, status, ...extra });
      expect(error).toBeInstanceOf(cls as typeof SyncError);
      expect(error.code).toBe(code);
      expect(error.status).toBe(status);
      expect(isRunStopping(error)).toBe(stops);
      expect(retryNow(error)).toBe(retried);
    });
  }

  it('keeps the wait of a rate limit, the vendor code, and says what to check without any credential', () => {
    const limited = httpError({ ...base, status: 429, retryAfterMs: 1500, vendorCode: 'rate_limit_exceeded' }) as RateLimitError;
    expect(limited.retryAfterMs).toBe(1500);
    expect(limited.vendorCode).toBe('rate_limit_exceeded');
    const auth = httpError({ ...base, status: 401, vendorCode: 'token_unauthorized', vendorMessage: 'Not authorized', credentialEnv: 'ACME_TOKEN' });
    expect(auth.message).toBe('Acme refused the credentials: Acme answered HTTP 401 to the contact update (token_unauthorized: Not authorized). Check ACME_TOKEN and run again.');
  });
});
