import { ApiException, createConfiguration, DefaultApi, ServerConfiguration, type UpdateUserRequest } from '@onesignal/node-onesignal';
import { SyncError } from '@syncmodes/connector-kit';
import type { OneSignalConfig } from '../config';
import type { TagChanges } from '../tags/tag-changes';
import { mapApiError } from './errors';
import { RawBodies } from './raw-bodies';
import { timedFetch } from './timed-fetch';
import { UserPacer } from './user-pacer';
import { ViewPacer } from './view-pacer';

/** The answer to one tag update: acknowledged, or an error about this user only. */
export type PatchResult = { readonly ok: true } | { readonly ok: false; readonly error: SyncError };

/**
 * What `connect` builds: the official SDK client (`DefaultApi`, REST API key auth,
 * pointed at `baseUrl`), per-user pacing, and the tag changes acknowledged so far in this
 * run (so a retried user resends only what OneSignal has not acknowledged).
 */
/**
 * OneSignal answers an update with the user's `properties` (202, https://documentation.onesignal.com/reference/update-user).
 * Any other body (a proxy's page, another shape) fails `unexpected_response`, retryable (an
 * update sent again changes nothing more): counted a success, the tags were recorded as
 * written while none were (second trial of stop 31).
 */
function checkUpdateAnswer(answer: unknown): void {
  const properties = answer !== null && typeof answer === 'object' ? (answer as { properties?: unknown }).properties : undefined;
  if (properties !== null && typeof properties === 'object') return;
  throw new SyncError('unexpected_response', 'OneSignal answered the update with a body that is not the user\'s properties; it is sent again.', { status: 200, retryable: true });
}

/**
 * A view-user answer names the user asked for (`identity.external_id`): any other 200 (a
 * proxy's page, `[]`, `{"hello":"world"}`) was read as "the user exists" (trial 20b N8).
 * https://documentation.onesignal.com/reference/view-user
 */
function checkViewAnswer(answer: unknown, externalId: string): void {
  const identity = answer !== null && typeof answer === 'object' ? (answer as { identity?: unknown }).identity : undefined;
  if (identity !== null && typeof identity === 'object' && (identity as Record<string, unknown>).external_id === externalId) return;
  throw new SyncError('unexpected_response', 'OneSignal answered the view of a user with a body that does not name that user (identity.external_id); it is asked again.', { status: 200, retryable: true });
}

const NO_TAGS: ReadonlyMap<string, string> = new Map();

/** A viewed user's tags (`properties.tags`) whose key starts with `prefix`, values as text (OneSignal keeps them as strings). */
function groupTagsOf(user: unknown, prefix: string): ReadonlyMap<string, string> {
  const tags = (user as { properties?: { tags?: unknown } } | null)?.properties?.tags;
  if (tags === null || typeof tags !== 'object') return NO_TAGS;
  const entries = Object.entries(tags as Record<string, unknown>).flatMap(([key, value]) => (key.startsWith(prefix) && value !== null && value !== undefined ? [[key, String(value)] as const] : []));
  return entries.length === 0 ? NO_TAGS : new Map(entries);
}

/**
 * The external_id the connection check reads (`checkAccess`). Whether a user has it or not
 * does not matter: a 200 or a 404 both say the key and the app were accepted. Tools that
 * count requests (the benchmark, the conformance harness) count a read of it as setup.
 */
export const CONNECTION_CHECK_EXTERNAL_ID = 'syncmodes-connection-check';

export class OneSignalClient {
  readonly api: DefaultApi;
  private readonly raw = new RawBodies();
  private readonly pacer: UserPacer;
  private readonly views: ViewPacer;
  private readonly acknowledged = new Map<string, Map<string, string>>();
  /** External id → the user's group tags (keys with the `groupTagPrefix`) and their values, as this run's lookup read them. */
  private readonly readTags = new Map<string, ReadonlyMap<string, string>>();

  constructor(private readonly config: OneSignalConfig) {
    this.api = new DefaultApi(
      createConfiguration({
        restApiKey: config.restApiKey,
        baseServer: new ServerConfiguration<Record<string, string>>(config.baseUrl.replace(/\/+$/, ''), {}),
        httpApi: timedFetch(config.requestTimeoutMs),
        promiseMiddleware: [this.raw.middleware],
      }),
    );
    this.pacer = new UserPacer(config.userIntervalMs);
    this.views = new ViewPacer(config.viewRateLimit);
  }

  /**
   * Proves the REST API key and the app id with one view-user read of
   * {@link CONNECTION_CHECK_EXTERNAL_ID} (`GET /apps/{app_id}/users/by/external_id/…`, a call the
   * app's REST API key may make; paced with the other reads). 200 or 404 (documented for view
   * user: the user, or no such user) → the key and app were accepted. 401 / 403 (OneSignal's
   * answer to a wrong key, a key of another app, or an app id the key does not belong to) →
   * `authentication_failed`; no answer → the error `fetch` threw, which the kit's `connect`
   * call retries (a check then fails `network_error`, a run stops `destination_unreachable`);
   * a 200 that does not name the user asked for (a proxy's page) fails `unexpected_response`.
   * Without it, `check` said "ready" with
   * a wrong key, a malformed app id or an unreachable host, and a run found out at its first
   * lookup (reviewer 87).
   * https://documentation.onesignal.com/reference/view-user ,
   * https://documentation.onesignal.com/docs/en/keys-and-ids#api-keys
   *
   * @throws SyncError when OneSignal refuses (auth stops the run; 429 and 5xx are retried by the kit).
   */
  async checkAccess(signal?: AbortSignal): Promise<void> {
    await this.views.run(async () => {
      try {
        checkViewAnswer(await this.api.getUser(this.config.appId, 'external_id', CONNECTION_CHECK_EXTERNAL_ID), CONNECTION_CHECK_EXTERNAL_ID);
      } catch (thrown) {
        if (!(thrown instanceof ApiException)) throw thrown;
        if (thrown.code === 404) return;
        throw mapApiError(thrown, this.raw.of(thrown.headers), { what: 'checking the REST API key and app id (viewing a user)', appId: this.config.appId }).error;
      }
    }, signal);
  }

  /**
   * Whether the app has a user with this `external_id`: `GET /apps/{app_id}/users/by/external_id/{id}`
   * (path-encoded by the SDK), paced to OneSignal's rate for view endpoints. 200 naming the
   * user → true, 404 → false (both documented for view user); a 200 that does not name it
   * fails `unexpected_response` (retried).
   * https://documentation.onesignal.com/reference/view-user
   *
   * @throws SyncError for anything else (auth stops the run; 429 and 5xx are retried by the kit).
   */
  async userExists(externalId: string, signal?: AbortSignal): Promise<boolean> {
    return this.views.run(async () => {
      try {
        const user = await this.api.getUser(this.config.appId, 'external_id', externalId);
        checkViewAnswer(user, externalId);
        // Only users with group tags are kept (until `done`): a run over many users holds no entry for the others.
        const tags = groupTagsOf(user, this.config.groupTagPrefix);
        if (tags.size > 0) this.readTags.set(externalId, tags);
        else this.readTags.delete(externalId);
        return true;
      } catch (thrown) {
        if (thrown instanceof SyncError) throw thrown;
        if (!(thrown instanceof ApiException)) {
          // No answer (a timeout, a network failure): the reads queued behind this one fail now too.
          this.views.noAnswer(thrown);
          throw thrown;
        }
        if (thrown.code === 404) return false;
        throw mapApiError(thrown, this.raw.of(thrown.headers), { what: 'viewing a user', appId: this.config.appId }).error;
      }
    }, signal);
  }

  /**
   * Sends one `PATCH /apps/{app_id}/users/by/external_id/{external_id}` (the id is
   * path-encoded by the SDK) with `properties.tags` = `tags`, after the per-user gap.
   * https://documentation.onesignal.com/reference/update-user
   *
   * A user the lookup found may be gone by now; OneSignal documents no answer for that, and
   * a 404 is read as not found.
   *
   * @returns `{ ok: false }` for errors about this user (not found, per-user rate limit,
   *   refused tags); @throws SyncError for failures of the call itself (auth, app-wide
   *   rate limit, 5xx) and network errors as thrown by `fetch` (the kit retries those).
   */
  async patchTags(externalId: string, tags: TagChanges, signal?: AbortSignal): Promise<PatchResult> {
    await this.pacer.wait(externalId, signal);
    const request: UpdateUserRequest = { properties: { tags } };
    try {
      checkUpdateAnswer(await this.api.updateUser(this.config.appId, 'external_id', externalId, request));
    } catch (thrown) {
      this.pacer.answered(externalId);
      if (!(thrown instanceof ApiException)) throw thrown;
      const mapped = mapApiError(thrown, this.raw.of(thrown.headers), { what: 'updating a user', appId: this.config.appId });
      if (!mapped.perUser) throw mapped.error;
      return { ok: false, error: mapped.error };
    }
    this.pacer.answered(externalId);
    const acked = this.acknowledged.get(externalId) ?? new Map<string, string>();
    for (const [key, value] of Object.entries(tags)) acked.set(key, value);
    this.acknowledged.set(externalId, acked);
    return { ok: true };
  }

  /** The changes OneSignal has not yet acknowledged for this user in this run. */
  unacknowledged(externalId: string, changes: TagChanges): TagChanges {
    const acked = this.acknowledged.get(externalId);
    if (!acked) return changes;
    return Object.fromEntries(Object.entries(changes).filter(([key, value]) => acked.get(key) !== value));
  }

  /**
   * The group tags (keys with the `groupTagPrefix`; every tag with an empty prefix) user
   * `externalId` had, with their values, when this run's lookup read it (empty when it was not
   * read): what the update verb checks a group it joins against (`joinedAlready`).
   */
  groupTagsRead(externalId: string): ReadonlyMap<string, string> {
    return this.readTags.get(externalId) ?? NO_TAGS;
  }

  /** Forgets a user whose update is complete. */
  done(externalId: string): void {
    this.readTags.delete(externalId);
    this.acknowledged.delete(externalId);
    this.pacer.forget(externalId);
  }
}
