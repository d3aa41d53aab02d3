/** The Marketing API (customer-list Custom Audiences) emulator (`@syncmodes/facebook/emulator`). */
export { createFacebookEmulator, EMULATOR_ACCESS_TOKEN, type FacebookEmulatorOptions } from './facebook-emulator';
export {
  AudienceStore,
  DEFAULT_SETTINGS,
  EMULATOR_AD_ACCOUNT_ID,
  seedSchema,
  type AudienceRecord,
  type EmulatorSettings,
  type FacebookEmulatorData,
  type StoredAudience,
} from './audience-store';
export { MemberSet, type Member } from './member-set';
export { MAX_SAMPLES, parseUsers, type ParsedUsers } from './users-payload';
export { expiredToken, facebookShapes, fbtraceId, graphError, invalidParameter, invalidToken, lowAudienceSize, objectNotFound, throttled, tokenRequired, type GraphErrorFields } from './graph-shapes';
export { emulatorPlugin } from './emulator-plugin';
