import { join } from 'node:path';
import { describeErrorCodes } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { QuotaExceededError, RateLimitError } from '@syncmodes/connector-kit';
import { jsforceErrorToSyncError, saveErrorToSyncError } from '../src/client/errors';
import { salesforceDestination } from '../src/index';

// The emulator answers with Salesforce's own codes (the vendor's, not ours): not scanned.
describeErrorCodes({
  name: 'Salesforce',
  src: join(__dirname, '../src'),
  exclude: ['emulator'],
  skipFiles: ['errors/codes.ts'],
  declared: salesforceDestination.errorCodes,
  expectFound: ['converted_lead', 'bulk_outcome_unknown', 'unknown_object', 'required_field_missing', 'unable_to_lock_row', 'salesforce_error', 'groups_unsupported'],
});

// https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm#statuscode : codes we map keep ours, any other is `salesforce_error` with Salesforce's code kept.
describe('Salesforce codes we do not map become salesforce_error (the list stays closed)', () => {
  it('an unmapped code: salesforce_error, vendorCode verbatim; mapped ones: ours (retryable where a retry can help)', () => {
    expect(saveErrorToSyncError({ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'refused' })).toMatchObject({ code: 'salesforce_error', vendorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', retryable: false });
    expect(saveErrorToSyncError({ statusCode: 'STRING_TOO_LONG', message: 'too long' })).toMatchObject({ code: 'value_too_long', retryable: false });
    expect(saveErrorToSyncError({ statusCode: 'UNABLE_TO_LOCK_ROW', message: 'locked' })).toMatchObject({ code: 'unable_to_lock_row', retryable: true });
  });

  // Fresh trial 144, F4: a campaign the integration user may not create (not a Marketing User) was reported with the advice to fix the group's name.
  it.each(['INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY', 'INSUFFICIENT_ACCESS_OR_READONLY'])('%s is insufficient_access, saying which permissions to check', (statusCode) => {
    const error = saveErrorToSyncError({ statusCode, message: 'insufficient access rights on cross-reference id' });
    expect(error).toMatchObject({ code: 'insufficient_access', vendorCode: statusCode, retryable: false });
    expect(error.message).toMatch(/integration user lacks access: check its profile, permission sets .*Marketing User/);
  });
});

// Issue #17: a rate limit carries the wait the answer gives, so the kit's one bounded path applies.
describe('Salesforce rate limits carry their wait', () => {
  const limited = (message: string, status: number, headers: Record<string, string> = {}) =>
    jsforceErrorToSyncError({ errorCode: 'REQUEST_LIMIT_EXCEEDED', name: 'REQUEST_LIMIT_EXCEEDED', message }, { method: 'GET', url: 'https://acme.my.salesforce.com/services/data/v62.0/query?q=x', status, headers });

  it('the concurrent-requests limit (403, no Retry-After) is a rate limit with no wait: the kit backs off, bounded', () => {
    // https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-api.html
    const e = limited('ConcurrentPerOrgLongTxn Limit exceeded.', 403);
    expect(e).toBeInstanceOf(RateLimitError);
    expect((e as RateLimitError).retryAfterMs).toBeUndefined();
  });

  it("the org's 24-hour allocation (TotalRequests) stops the run: quota_exceeded", () => {
    expect(limited('TotalRequests Limit exceeded.', 403)).toBeInstanceOf(QuotaExceededError);
  });

  it('a 429 with Retry-After (seconds or an HTTP-date, as a gateway in front of Salesforce sends it) waits that long', () => {
    expect((limited('Too many requests', 429, { 'retry-after': '3600' }) as RateLimitError).retryAfterMs).toBe(3_600_000);
    const at = new Date(Date.now() + 120_000).toUTCString();
    expect((limited('Too many requests', 429, { 'retry-after': at }) as RateLimitError).retryAfterMs).toBeGreaterThan(100_000);
    const html = jsforceErrorToSyncError({ errorCode: 'ERROR_HTTP_429', message: '<html>slow down</html>' }, { method: 'POST', url: 'https://acme.my.salesforce.com/x', status: 429, headers: { 'retry-after': '60' } });
    expect(html).toMatchObject({ code: 'rate_limited', retryAfterMs: 60_000 });
  });
});
