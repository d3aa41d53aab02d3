import { defineDestination } from '@syncmodes/connector-kit';
import { OneSignalClient } from './client/onesignal-client';
import { EXTERNAL_ID, onesignalConfigSchema } from './config';
import { ONESIGNAL_CODES } from './errors/codes';
import { checkTagKeys, groupTag } from './tags/tag-keys';
import { tagValue } from './tags/tag-values';
import { createUsers } from './verbs/create-users';
import { findUsers } from './verbs/find-users';
import { explainMissingExternalId, externalIdOf, refusedExternalId, updateUsers } from './verbs/update-users';

/**
 * The window `appRateLimit` is paced over, ms: OneSignal's own second. The kit counts a
 * call in the window until a window after its answer arrived, so arrival jitter can no
 * longer put `appRateLimit + 1` requests into one of OneSignal's seconds (pacing over
 * 1,100 ms from the start of each call, as before, still let 2% of requests be refused
 * at a strict 100/s, and each refusal held every call for a whole `Retry-After`).
 */
export const APP_WINDOW_MS = 1_000;

/**
 * The calls OneSignal's app-wide limit counts: user updates ("1,000 requests/s per app for
 * user updates"), not the view-user reads, which have their own limit (`viewRateLimit`).
 * https://documentation.onesignal.com/reference/rate-limits
 */
export const UPDATE_CALLS = ['create', 'update'] as const;

/**
 * Changed records planned, sent and committed to state together (the kit's window; its
 * default is 10,000). Each record is looked up with one view-user read before its update,
 * and OneSignal allows 1 read a second per app
 * (https://documentation.onesignal.com/reference/rate-limits): in a window of 10,000 the
 * first update went out after almost 3 hours of reads, and a run interrupted (Ctrl-C, a
 * scheduler's timeout) before then had saved nothing, so the rerun read every user again
 * (reviewer 87). A window of 100 is about 100 s of reads at the default `viewRateLimit`:
 * progress is saved at least every ~2 minutes, and an interrupted run loses at most that.
 */
export const WINDOW_SIZE = 100;

/** Records per lookup call: OneSignal's burst of view-user reads ("up to 10 look-back requests/sec"). */
export const LOOKUP_BATCH_SIZE = 10;

const SDK_OWNS_USERS =
  'OneSignal users are created and deleted by the OneSignal SDKs in your app; this destination only enriches users that already exist.';

/**
 * The OneSignal destination: enriches existing users, found by their `external_id`
 * alias, with data tags — mapped properties (converted to strings: dates as unix seconds,
 * booleans, numbers) and group membership (`in_<group>` = `"1"`). Mode: enrich only;
 * sync and additive are refused at configuration time.
 *
 * Each changed record is looked up with the documented view-user call (`GET`, 404 = no such
 * user, skipped as `not_found`; paced to `viewRateLimit`/s, OneSignal's 1/s per app), then
 * one `PATCH` holds every change for the user (final values; `""` deletes a tag), split
 * past 100 changes; updates are paced app-wide (`appRateLimit`/s) and per user
 * (`userIntervalMs`). A 403 (a wrong key, or an app id the key does not belong to) stops
 * the run with `authentication_failed`.
 * https://documentation.onesignal.com/reference/view-user ,
 * https://documentation.onesignal.com/reference/update-user ,
 * https://documentation.onesignal.com/reference/rate-limits
 */
export const onesignalDestination = defineDestination({
  kind: 'records',
  id: 'onesignal',
  displayName: 'OneSignal',
  // OneSignal has no merge of users: an external_id leaves a user through Remove alias, the user and its
  // subscriptions staying (https://documentation.onesignal.com/reference/delete-alias). Fresh helper 108, F2; deleting
  // the user was offered too, and would delete the person's own user (fresh reviewer 115).
  duplicateRemedy: 'remove the external_id alias from the other OneSignal user (Remove alias; the user and its subscriptions stay)',
  description: 'Data tags (properties and group membership) on existing OneSignal users, found by external_id.',
  docsUrl: 'https://documentation.onesignal.com/reference/update-user',
  configSchema: onesignalConfigSchema,
  errorCodes: ONESIGNAL_CODES,
  syncModes: ['enrich'],
  unsupportedModeReasons: {
    sync: `${SDK_OWNS_USERS} It never creates or deletes a user.`,
    additive: `${SDK_OWNS_USERS} It never creates a user.`,
  },
  groupMembership: 'record',
  // Groups are one membership when they are one tag: `VIP Customers` and `vip-customers` are both `in_vip_customers`.
  groupKey: (name, config) => groupTag(name, config.groupTagPrefix),
  // A lookup here is a request per person at about one a second: trust a miss for a day while the row is unchanged.
  recheckNotFoundAfterMs: 24 * 60 * 60 * 1000,
  limits: (config) => ({
    writeBatchSize: 1,
    // One read per record, at `viewRateLimit` a second: a lookup call holds about 10 s of reads.
    lookupBatchSize: LOOKUP_BATCH_SIZE,
    // Each record's read is its own request: one that keeps failing (a 5xx) must not fail the nine read beside it.
    lookupPerRecord: true,
    groupBatchSize: 1,
    // Commit progress every ~100 records (~100 s at OneSignal's 1 read/s): see WINDOW_SIZE.
    windowSize: WINDOW_SIZE,
    concurrency: config.concurrency,
    // The app limit counts user updates; view-user reads are paced to `viewRateLimit` by the client.
    rateLimit: { requests: config.appRateLimit, intervalMs: APP_WINDOW_MS, callKinds: UPDATE_CALLS },
  }),
  // The match key is the request's path, never a tag: a first match with no tag to send is unchanged (no empty update).
  unwrittenProperties: [EXTERNAL_ID],
  matchKeyLabel: () => 'external_id',
  matchKey: (snapshot) => externalIdOf(snapshot.properties),
  explainMissingKey: (snapshot) => explainMissingExternalId(snapshot),
  refuseKey: (snapshot) => refusedExternalId(snapshot),
  // One view-user read proves the key and the app id before anything else (a setup call: one per run).
  connect: async (config, ctx) => {
    const client = new OneSignalClient(config);
    await client.checkAccess(ctx.signal);
    return client;
  },
  prepareFields: async (ctx, names) => checkTagKeys(names, ctx.config),
  validate: (ctx, item) => {
    for (const [key, value] of Object.entries(item.properties)) {
      const converted = tagValue(key, value, ctx.config);
      if (!converted.ok) return converted.error;
    }
    return undefined;
  },
  verbs: { find: findUsers, create: createUsers, update: updateUsers },
});
