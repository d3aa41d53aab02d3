import type { FoundRecord, LookupRequest, VerbContext } from '@syncmodes/connector-kit';
import type { OneSignalClient } from '../client/onesignal-client';
import type { OneSignalConfig } from '../config';

/**
 * Finds users by `external_id` without a request: every user is presumed to exist
 * (`presumed: true`, id = the external_id) and the update confirms it — OneSignal answers
 * 404 for an unknown alias, which the kit turns into `skipped: not_found`.
 *
 * Why: OneSignal has no batch lookup, and viewing a user is limited to about 1 request/s
 * per app (https://documentation.onesignal.com/reference/rate-limits), while updates
 * allow 1,000/s per app. A GET per user would cost a second request per user and cap the
 * sync near one user per second; the PATCH alone costs one request per user and creates
 * nothing when the user is missing (https://documentation.onesignal.com/reference/update-user).
 */
export async function findUsers(
  _ctx: VerbContext<OneSignalConfig, OneSignalClient>,
  requests: readonly LookupRequest[],
): Promise<Map<number, FoundRecord[]>> {
  return new Map(requests.map((r) => [r.ref, [{ id: r.matchKey, presumed: true }]]));
}
