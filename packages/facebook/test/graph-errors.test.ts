import { AuthError, RateLimitError, RetryableError, SyncError } from '@syncmodes/connector-kit';
import { describe, expect, it } from 'vitest';
import { LOW_AUDIENCE_SIZE, toGraphError, traceInvalidEntries } from '../src/index';
import { regainAccessMs, throttleWaitMs } from '../src/client/graph-errors';

const TOKEN = 'EAAB-secret-token-value';
const sdkError = (status: number | null, body: Record<string, unknown> | null, headers: Record<string, string> = {}) => ({
  name: 'FacebookRequestError',
  message: String(body?.message ?? ''),
  status,
  response: body,
  headers,
  url: `https://graph.facebook.com/v24.0/123/users?access_token=${TOKEN}`,
  method: 'POST',
});

describe('Graph errors → SyncError', () => {
  it('190 (expired or invalid token) stops the run, and never carries the token', () => {
    const e = toGraphError(sdkError(400, { message: `Error validating access token ${TOKEN}: Session has expired`, type: 'OAuthException', code: 190, error_subcode: 463, fbtrace_id: 'Ax1' }), [TOKEN]);
    expect(e).toBeInstanceOf(AuthError);
    expect(e.code).toBe('authentication_failed');
    expect(e.vendorCode).toBe('190');
    expect(e.message).toMatch(/code 190, subcode 463, fbtrace_id Ax1/);
    expect(e.message).not.toContain(TOKEN);
    expect(JSON.stringify(e)).not.toContain(TOKEN);
    expect(e.cause).toBeUndefined();
  });

  it('200 / 1870047 is the low-audience-size refusal; other permission errors stop the run', () => {
    const low = toGraphError(sdkError(400, { message: 'Permissions error', code: 200, error_subcode: 1_870_047, error_user_msg: 'You cannot remove users from this audience because it will result in a low audience size.' }), [TOKEN]);
    expect(low.code).toBe(LOW_AUDIENCE_SIZE);
    expect(low.message).toMatch(/low audience size/);
    const denied = toGraphError(sdkError(403, { message: '(#294) Managing advertisements requires ads_management', code: 294 }), [TOKEN]);
    expect(denied).toBeInstanceOf(AuthError);
    expect(denied.code).toBe('permission_denied');
  });

  it.each([4, 17, 32, 613, 80003, 80004])('code %i is throttling, waiting what x-business-use-case-usage says', (code) => {
    const usage = JSON.stringify({ '1000': [{ type: 'custom_audience', call_count: 100, estimated_time_to_regain_access: 3 }] });
    const e = toGraphError(sdkError(400, { message: 'too many calls', code }, { 'x-business-use-case-usage': usage }), [TOKEN]);
    expect(e).toBeInstanceOf(RateLimitError);
    expect((e as RateLimitError).retryAfterMs).toBe(180_000);
  });

  it('80003 marked is_transient is still throttling: the wait Meta estimates, not a short retry (issue #17)', () => {
    const usage = JSON.stringify({ '1000': [{ type: 'custom_audience', call_count: 100, estimated_time_to_regain_access: 60 }] });
    const e = toGraphError(sdkError(400, { message: '(#80003) There have been too many calls to this ad-account.', code: 80_003, error_subcode: 2_446_079, is_transient: true }, { 'x-business-use-case-usage': usage }), [TOKEN]);
    expect(e).toBeInstanceOf(RateLimitError);
    expect((e as RateLimitError).retryAfterMs).toBe(3_600_000);
  });

  it('an HTTP 429 with Retry-After (seconds or an HTTP-date) waits that long; with Meta\'s estimate too, the longer (issue #17)', () => {
    const body = { message: 'too many calls', code: 80_003 };
    expect((toGraphError(sdkError(429, body, { 'retry-after': '3600' }), [TOKEN]) as RateLimitError).retryAfterMs).toBe(3_600_000);
    const date = toGraphError(sdkError(429, body, { 'retry-after': new Date(Date.now() + 120_000).toUTCString() }), [TOKEN]) as RateLimitError;
    expect(date.retryAfterMs).toBeGreaterThan(100_000);
    const usage = JSON.stringify({ '1000': [{ estimated_time_to_regain_access: 3 }] });
    expect(throttleWaitMs({ 'retry-after': '60', 'x-business-use-case-usage': usage })).toBe(180_000);
    expect(throttleWaitMs({ 'retry-after': '600', 'x-business-use-case-usage': usage })).toBe(600_000);
    // A 429 whose body is no Graph error is a rate limit all the same.
    expect(toGraphError(sdkError(429, { message: 'slow down' }, { 'retry-after': '5' }), [TOKEN])).toMatchObject({ code: 'rate_limited', retryAfterMs: 5_000 });
  });

  it('reads the regain-access estimate defensively', () => {
    expect(regainAccessMs({})).toBeUndefined();
    expect(regainAccessMs({ 'x-business-use-case-usage': 'not json' })).toBeUndefined();
    expect(regainAccessMs({ 'x-business-use-case-usage': JSON.stringify({ a: [{ estimated_time_to_regain_access: 0 }] }) })).toBeUndefined();
  });

  it('transient and server errors and a missing answer are retried; an invalid parameter is not', () => {
    expect(toGraphError(sdkError(500, { message: 'An unexpected error has occurred', code: 2, is_transient: true }), [TOKEN])).toBeInstanceOf(RetryableError);
    expect(toGraphError(sdkError(400, { message: 'Unknown error', code: 1 }), [TOKEN])).toBeInstanceOf(RetryableError);
    const net = toGraphError(sdkError(null, null), [TOKEN]);
    expect(net).toMatchObject({ code: 'network_error', retryable: true });
    const bad = toGraphError(sdkError(400, { message: '(#100) Invalid parameter', code: 100 }), [TOKEN]);
    expect(bad).toMatchObject({ code: 'graph_error', retryable: false, status: 400, vendorCode: '100' });
  });

  it('anything else keeps its SyncError or becomes one without the token', () => {
    const mine = new SyncError('x', 'y');
    expect(toGraphError(mine, [TOKEN])).toBe(mine);
    expect(toGraphError(new Error(`boom ${TOKEN}`), [TOKEN]).message).toBe('boom [redacted]');
  });
});

describe('invalid_entry_samples traced to rows', () => {
  const rows = [
    ['', 'a'.repeat(64), '', 'c'.repeat(64)],
    ['', 'b'.repeat(64), '', 'c'.repeat(64)],
    ['X-1', '', '', ''],
  ];

  it('finds the sampled value on either side of each entry, or in an array', () => {
    expect([...traceInvalidEntries(rows, { num_invalid_entries: 1, invalid_entry_samples: { ['b'.repeat(64)]: 'EMAIL' } }).rows]).toEqual([[1, 'EMAIL']]);
    expect([...traceInvalidEntries(rows, { num_invalid_entries: 1, invalid_entry_samples: { 'invalid value': 'X-1' } }).rows]).toEqual([[2, 'EXTERN_ID']]);
    expect([...traceInvalidEntries(rows, { num_invalid_entries: 1, invalid_entry_samples: ['a'.repeat(64)] }).rows]).toEqual([[0, 'EMAIL']]);
  });

  it('does not blame every row for a value they share, and counts what it could not trace', () => {
    const traced = traceInvalidEntries(rows, { num_invalid_entries: 1, invalid_entry_samples: { ['c'.repeat(64)]: 'PHONE' } });
    expect(traced.rows.size).toBe(0);
    expect(traced.unattributed).toBe(1);
    expect(traceInvalidEntries(rows, { num_invalid_entries: 0, invalid_entry_samples: {} })).toEqual({ rows: new Map(), unattributed: 0 });
  });
});
