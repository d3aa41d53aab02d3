import { join } from 'node:path';
import { describeErrorCodes } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { saveErrorToSyncError } from '../src/client/errors';
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
});
