import { join } from 'node:path';
import { describeErrorCodes } from '@syncmodes/connector-kit/testing';
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
