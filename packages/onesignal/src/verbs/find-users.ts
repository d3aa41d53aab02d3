import type { FoundRecord, LookupRequest, VerbContext } from '@syncmodes/connector-kit';
import type { OneSignalClient } from '../client/onesignal-client';
import type { OneSignalConfig } from '../config';

/**
 * Finds users by `external_id` with OneSignal's documented view-user call, one
 * `GET /apps/{app_id}/users/by/external_id/{id}` per record (OneSignal has no batch lookup):
 * 200 → found (id = the external_id), 404 → not found, which the kit skips as `not_found`
 * in enrich mode. Reads are paced app-wide to `viewRateLimit` per second (OneSignal: "1
 * request/sec/app, up to 10 look-back requests/sec" for view endpoints).
 *
 * Why not let the update find the user: OneSignal documents no answer of
 * `PATCH …/users/by/{alias_label}/{alias_id}` for an alias no user has (its reference
 * lists 202, 400, 401, 409, 429; the official SDK likewise), so an enrich sync must not
 * rest on it. Each changed record costs one read (about one a second) before its update.
 * https://documentation.onesignal.com/reference/view-user ,
 * https://documentation.onesignal.com/reference/rate-limits
 */
export async function findUsers(
  ctx: VerbContext<OneSignalConfig, OneSignalClient>,
  requests: readonly LookupRequest[],
): Promise<Map<number, FoundRecord[]>> {
  const found = new Map<number, FoundRecord[]>();
  // The call fails with its first failed read; the reads still waiting for their turn are dropped
  // (a retry sends them again): left queued behind the app-wide pacer, they would delay every
  // later call, and against a server that never answers the run went on for many minutes
  // instead of stopping `destination_unreachable` (trial of stop 27).
  const own = new AbortController();
  const follow = () => own.abort(ctx.signal.reason);
  if (ctx.signal.aborted) follow();
  else ctx.signal.addEventListener('abort', follow, { once: true });
  try {
    await Promise.all(
      requests.map(async (r) => {
        try {
          if (await ctx.client.userExists(r.matchKey, own.signal)) found.set(r.ref, [{ id: r.matchKey }]);
        } catch (error) {
          own.abort(error);
          throw error;
        }
      }),
    );
  } finally {
    ctx.signal.removeEventListener('abort', follow);
  }
  return found;
}
