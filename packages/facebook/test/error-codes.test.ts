import { join } from 'node:path';
import { describeErrorCodes } from '@syncmodes/connector-kit/testing';
import { facebookDestination } from '../src/index';

// The emulator answers with the Graph API's own errors (the vendor's, not ours): not scanned.
describeErrorCodes({
  name: 'Facebook',
  src: join(__dirname, '../src'),
  exclude: ['emulator'],
  skipFiles: ['errors/codes.ts'],
  declared: facebookDestination.errorCodes,
  expectFound: ['no_valid_identifier', 'permission_denied', 'graph_error', 'low_audience_size', 'audience_upload_blocked', 'terms_not_accepted', 'audience_not_found', 'unknown_schema_key'],
});
