import type { CodeInfo, KitCode } from '@syncmodes/connector-kit';

const record = (retryable: boolean, meaning: string, action: string): CodeInfo => ({ scope: 'record', retryable, meaning, action });
const config = (meaning: string, action: string): CodeInfo => ({ scope: 'config', retryable: false, meaning, action });

/**
 * Every code the OneSignal destination reports besides the kit's (`KIT_CODES`): its
 * definition's `errorCodes`, a closed list (a test scans `src` for codes).
 * OneSignal's errors: https://documentation.onesignal.com/reference/update-user ,
 * https://documentation.onesignal.com/docs/add-user-data-tags (tag keys and limits)
 */
export const ONESIGNAL_CODES = {
  tag_limit_exceeded: record(false, 'The user would hold more tags than allowed: past the tagLimit option, those tags were left out (deletions and the other tags were sent); past OneSignal’s plan limit, OneSignal refused the update (only the deletions were sent).', 'Map fewer tags or remove tags users no longer need; set tagLimit to your plan’s limit minus the tags your app sets, so the sync sends only what fits.'),
  group_tag_clash: record(false, 'A group’s membership tag has the key of a mapped property tag or a key OneSignal reserves (`user`, `journey`…; both possible with an empty groupTagPrefix), or the user already holds it with a value other than "1" that this sync did not set (the app’s own tag); nothing was sent for that user.', 'Set a groupTagPrefix no other tag uses, or map the property to another key or rename the group.'),
  unaddressable_external_id: record(false, 'The external_id is "." or "..": OneSignal addresses users by external_id in the request path, where URL normalisation removes such a segment, so the request would reach another resource.', 'Give the user another external_id in the app and the source.'),
  external_id_changed: record(false, 'The record now has another external_id; OneSignal users keep the one their app gave them, and an update cannot change it.', 'Sync it as a new record (new id) if it is now another person.'),
  invalid_request: record(false, 'OneSignal refused the request as invalid (HTTP 400, or another 4xx it does not explain further).', 'Read the message (it carries OneSignal’s errors); fix the record.'),
  conflict: record(false, 'OneSignal refused the update as conflicting with the user’s state (HTTP 409).', 'Run again; report it if it persists.'),
  create_unsupported: record(false, 'A create reached OneSignal, whose users are created by the OneSignal SDK in the app (never planned: the destination supports only enrich).', 'Report it; sync in enrich mode.'),
  invalid_tag_key: config('A mapping target cannot be a OneSignal tag key (not letters, digits, _ or -; reserved by OneSignal; or starting with the group-tag prefix).', 'Map it to another key.'),
} as const satisfies Record<string, CodeInfo>;

/** A code the OneSignal destination reports (its own or the kit's). */
export type OneSignalCode = keyof typeof ONESIGNAL_CODES | KitCode;
