/** The OneSignal user-model API emulator (`@syncmodes/onesignal/emulator`). */
export { createOneSignalEmulator, EMULATOR_REST_API_KEY, type OneSignalEmulatorOptions } from './onesignal-emulator';
export { MAX_TAG_CHANGES } from '../onesignal-limits';
export { EMULATOR_APP_ID, UserStore, type EmulatedApp, type OneSignalData, type OneSignalUser } from './users';
export { RateLimits, type RateLimitOptions, type Refusal } from './rate-limits';
export { APP_LIMIT, INVALID_API_KEY, PER_USER_LIMIT, accessDenied, genericError, oneSignalShapes, rateLimited } from './vendor-shapes';
export { emulatorPlugin } from './emulator-plugin';
