import { join } from 'node:path';
import { describeErrorCodes } from '@syncmodes/connector-kit/testing';
import { IntercomError } from 'intercom-client';
import { describe, expect, it } from 'vitest';
import { toIntercomError } from '../src/client/errors';
import { intercomDestination } from '../src/index';

// The emulator answers with Intercom's own codes (the vendor's, not ours): not scanned.
describeErrorCodes({
  name: 'Intercom',
  src: join(__dirname, '../src'),
  exclude: ['emulator'],
  skipFiles: ['errors/codes.ts'],
  declared: intercomDestination.errorCodes,
  expectFound: ['restore_failed', 'unknown_custom_attribute', 'read_only_field', 'invalid_request', 'intercom_error', 'ambiguous_group', 'network_error'],
});

// https://developers.intercom.com/docs/references/rest-api/errors/error-codes/ : codes we map keep ours, any other is `intercom_error` with Intercom's code kept.
describe('Intercom codes we do not map become intercom_error (the list stays closed)', () => {
  const refused = (code: string) => toIntercomError(new IntercomError({ statusCode: 400, body: { type: 'error.list', errors: [{ code, message: 'refused' }] } }), 'the contact update');
  it('an unmapped code: intercom_error, vendorCode verbatim; a mapped one: ours', () => {
    expect(refused('company_not_found')).toMatchObject({ code: 'intercom_error', vendorCode: 'company_not_found', retryable: false });
    expect(refused('parameter_not_found')).toMatchObject({ code: 'invalid_request', vendorCode: 'parameter_not_found' });
  });
});

// Fresh trial 144, F4: a 403 token_unauthorized was told as a refused token only; it may be a token without a permission.
describe('Intercom: a 403 token_* stops the run, naming the permission as a cause too; a 401 does not', () => {
  const answered = (statusCode: number, code: string) => toIntercomError(new IntercomError({ statusCode, body: { type: 'error.list', errors: [{ code, message: 'Not authorized to access resource' }] } }), 'the contact search');
  it('403 token_unauthorized: authentication_failed, the token variable and the app permissions named', () => {
    const error = answered(403, 'token_unauthorized') as Error;
    expect(error).toMatchObject({ code: 'authentication_failed', vendorCode: 'token_unauthorized' });
    expect(error.message).toMatch(/Check INTERCOM_ACCESS_TOKEN and run again\. A 403 can also mean the token works but the app lacks a permission .*Developer Hub\.$/);
  });
  it('401 unauthorized: authentication_failed, without the permission hint', () => {
    const error = answered(401, 'unauthorized') as Error;
    expect(error).toMatchObject({ code: 'authentication_failed' });
    expect(error.message).not.toMatch(/permission/);
  });
});
