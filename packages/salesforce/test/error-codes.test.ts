import { join } from 'node:path';
import { describeErrorCodes } from '@syncmodes/connector-kit/testing';
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
