import { AuthError, NotFoundError, RateLimitError } from '@syncmodes/connector-kit';
import { describe, expect, it } from 'vitest';
import { errorTitles, mapApiError as mapWith, retryAfterMs } from '../src/client/errors';

const about = { what: 'updating a user', appId: 'app-1' };
const mapApiError = (error: Parameters<typeof mapWith>[0], raw: string | undefined) => mapWith(error, raw, about);

describe('OneSignal error answers', () => {
  it('reads error texts in both shapes OneSignal uses, and the rate-limit name', () => {
    expect(errorTitles('{"errors":["API rate limit exceeded"],"limit":"Subscription/User Update Per Device"}')).toEqual({
      titles: ['API rate limit exceeded'],
      limit: 'Subscription/User Update Per Device',
    });
    expect(errorTitles('{"errors":[{"code":"subscription-1","title":"Operation is not permitted"}]}')).toEqual({ titles: ['Operation is not permitted'] });
    expect(errorTitles('<html>Bad gateway</html>')).toEqual({ titles: [] });
    expect(errorTitles(undefined)).toEqual({ titles: [] });
  });

  it('reads Retry-After in seconds (fractions too) or as a date', () => {
    expect(retryAfterMs({ 'retry-after': '2' })).toBe(2000);
    expect(retryAfterMs({ 'retry-after': '0.05' })).toBe(50);
    expect(retryAfterMs({})).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': new Date(Date.now() + 60_000).toUTCString() })).toBeGreaterThan(50_000);
  });

  it('scopes a 429 to the user only when OneSignal names a per-user limit', () => {
    const perUser = mapApiError({ code: 429, headers: { 'retry-after': '1' } }, '{"errors":["API rate limit exceeded"],"limit":"Subscription/User Update Per Device"}');
    expect(perUser.perUser).toBe(true);
    expect(perUser.error).toBeInstanceOf(RateLimitError);
    expect((perUser.error as RateLimitError).retryAfterMs).toBe(1000);
    expect(mapApiError({ code: 429, headers: {} }, '{"errors":["API rate limit exceeded."]}').perUser).toBe(false);
  });

  it('maps statuses to codes with the kit\'s httpError: auth stops the run, 404 is not_found, 5xx retryable, tag limit per user', () => {
    expect(mapApiError({ code: 401 }, undefined).error).toBeInstanceOf(AuthError);
    // OneSignal answers a wrong key, a key of another app and an unknown app id alike: 403 "Access denied.  …".
    // https://documentation.onesignal.com/docs/en/keys-and-ids#api-keys
    const denied = mapApiError({ code: 403 }, '{"errors":["Access denied.  Please include an \'Authorization: ...\' header with a valid API key"]}');
    expect(denied).toMatchObject({ perUser: false, error: { code: 'authentication_failed', retryable: false } });
    expect(denied.error).toBeInstanceOf(AuthError);
    expect(denied.error.message).toMatch(/app app-1.*ONESIGNAL_REST_API_KEY and the appId option/);
    expect(mapApiError({ code: 404 }, undefined)).toMatchObject({ perUser: true });
    expect(mapApiError({ code: 404 }, undefined).error).toBeInstanceOf(NotFoundError);
    expect(mapApiError({ code: 503 }, undefined)).toMatchObject({ perUser: false, error: { code: 'server_error', retryable: true } });
    expect(mapApiError({ code: 400 }, '{"errors":[{"title":"Tag limit exceeded: 10 per user"}]}')).toMatchObject({ perUser: true, error: { code: 'tag_limit_exceeded' } });
    expect(mapApiError({ code: 400 }, '{"errors":[{"title":"bad"}]}')).toMatchObject({ perUser: true, error: { code: 'invalid_request', retryable: false } });
    expect(mapApiError({ code: 409 }, '{"errors":[{"title":"x"}]}')).toMatchObject({ perUser: true, error: { code: 'conflict' } });
  });
});
