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
