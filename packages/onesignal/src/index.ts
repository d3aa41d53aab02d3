/** `@syncmodes/onesignal`: the OneSignal destination for syncmodes (enrich only). */
export { onesignalDestination, WINDOW_SIZE } from './onesignal-destination';
/** The destination under the name the CLI's registry looks for. */
export { onesignalDestination as destination } from './onesignal-destination';
export { EXTERNAL_ID, onesignalConfigSchema, type OneSignalConfig } from './config';
export { ONESIGNAL_CODES, type OneSignalCode } from './errors/codes';
export { CONNECTION_CHECK_EXTERNAL_ID, OneSignalClient } from './client/onesignal-client';
export { groupTag, RESTRICTED_TAG_KEYS } from './tags/tag-keys';
export { numberTag, tagValue, type TagValue } from './tags/tag-values';
export { chunkTagChanges, tagWriteFor, type TagChanges, type TagWrite } from './tags/tag-changes';
