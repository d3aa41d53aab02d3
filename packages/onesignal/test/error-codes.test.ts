import { join } from 'node:path';
import { describeErrorCodes } from '@syncmodes/connector-kit/testing';
import { onesignalDestination } from '../src/index';

// The emulator answers with OneSignal's own errors (the vendor's, not ours): not scanned.
describeErrorCodes({
  name: 'OneSignal',
  src: join(__dirname, '../src'),
  exclude: ['emulator'],
  skipFiles: ['errors/codes.ts'],
  declared: onesignalDestination.errorCodes,
  expectFound: ['conflict', 'invalid_request', 'tag_limit_exceeded', 'external_id_changed', 'invalid_tag_key', 'create_unsupported'],
});
