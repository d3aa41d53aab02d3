import {
  EmulatorServer,
  type EmulatorData,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorRoute,
} from '@syncmodes/connector-kit/emulator';
import { RateLimits, type RateLimitOptions } from './rate-limits';
import { EMULATOR_APP_ID, UserRequestError, UserStore, type OneSignalData } from './users';
import { accessDenied, authorizationMissing, genericError, oneSignalShapes, rateLimited } from './vendor-shapes';

/** Options of {@link createOneSignalEmulator}. */
export interface OneSignalEmulatorOptions extends RateLimitOptions {
  /** The REST API key the emulator accepts (`Authorization: Key …`). Default `emulator-rest-api-key`. */
  readonly restApiKey?: string | undefined;
  /** Data file: loaded at start, saved after every change. */
  readonly persistPath?: string | undefined;
}

/** The emulator's default REST API key. */
export const EMULATOR_REST_API_KEY = 'emulator-rest-api-key';

const USER_PATH = '/apps/:app_id/users/by/:alias_label/:alias_id';

/**
 * An emulator of OneSignal's user-model REST API, for the routes the destination needs and
 * the ones it must never call:
 * - `GET /apps/{app_id}/users/by/{alias_label}/{alias_id}` (fetch user; 404 when absent),
 * - `PATCH` same path (update user: tags with `""` are deleted, tags left out are kept; at
 *   most 100 tag changes per request; the app's per-user tag limit),
 * - `DELETE` same path and `POST /apps/{app_id}/users` (delete / create user: present so a
 *   test can prove the destination never calls them),
 * with OneSignal's rate limits (1 write/s per user, 1,000 writes/s per app; reads 1/s per
 * app after a burst of 10; 429 `{"errors": ["API rate limit exceeded."], "limit"}` with
 * `Retry-After`), its error shapes (`{"errors":[{"code","title"}]}` for request errors) and
 * `Authorization: Key <REST API key>` only: no header → 401 `auth-1`; another scheme, a
 * wrong key, or an app id the key does not belong to → 403 "Access denied.  Please include
 * an 'Authorization: ...' header with a valid API key (…)".
 *
 * Apps: the default app ({@link EMULATOR_APP_ID}) and every app a seed named; any other
 * `app_id` is answered 403 like a mismatched key.
 *
 * Not pinned down by OneSignal: what `PATCH` answers for an alias no user has (the docs list
 * 202, 400, 401, 409, 429). The emulator answers 404 like the documented view-user call; the
 * connector never relies on it (it looks users up with `GET` first).
 *
 * Admin: `GET /__emulator/records` → `{ apps: { <app_id>: { tag_limit, users: [User] } }, next_id }`;
 * `POST /__emulator/seed` takes `{ "app_id"?, "tag_limit"?, "read_rate"?, "users": [User] }`
 * (see the package README; `read_rate` lifts the read limit, reads per second, for tests
 * and demos of many users); `POST /__emulator/touch-user` `{ "app_id"?, "external_id" }` records a
 * write made by the app's own SDK, using up that user's per-user budget for a second.
 *
 * References: https://documentation.onesignal.com/reference/update-user ,
 * https://documentation.onesignal.com/reference/view-user ,
 * https://documentation.onesignal.com/reference/rate-limits
 */
export function createOneSignalEmulator(options: OneSignalEmulatorOptions = {}): EmulatorServer & { readonly users: UserStore } {
  const users = new UserStore();
  const limits = new RateLimits(options);
  const key = options.restApiKey ?? EMULATOR_REST_API_KEY;

  const data: EmulatorData<OneSignalData> = {
    snapshot: () => users.snapshot(),
    seed: (input) => {
      const rate = (input as { read_rate?: unknown } | null)?.read_rate;
      if (rate !== undefined && (typeof rate !== 'number' || !Number.isInteger(rate) || rate < 1)) throw new Error('read_rate must be a whole number of reads per second, at least 1');
      users.seed(input);
      if (typeof rate === 'number') limits.setViewRate(rate);
    },
    load: (d) => users.load(d),
    reset: () => {
      users.reset();
      limits.reset();
    },
  };

  const param = (req: EmulatorRequest, name: string) => req.params[name] ?? '';
  const refusal = (r: { scope: 'user' | 'app'; waitMs: number }) => rateLimited(Math.max(1, Math.ceil(r.waitMs / 1000)), r.scope);
  const guard = (handler: (req: EmulatorRequest) => EmulatorResponse) => (req: EmulatorRequest): EmulatorResponse => {
    try {
      return handler(req);
    } catch (error) {
      if (error instanceof UserRequestError) return genericError(error.status, error.message, error.code);
      throw error;
    }
  };
  const userNotFound = () => genericError(404, 'User not found');

  const routes: EmulatorRoute[] = [
    {
      method: 'GET',
      path: USER_PATH,
      handler: guard((req) => {
        const appId = param(req, 'app_id');
        const refused = limits.view(appId);
        if (refused) return refusal(refused);
        const user = users.findUser(appId, param(req, 'alias_label'), param(req, 'alias_id'));
        return user ? { status: 200, body: user } : userNotFound();
      }),
    },
    {
      method: 'PATCH',
      path: USER_PATH,
      handler: guard((req) => {
        const appId = param(req, 'app_id');
        const user = users.findUser(appId, param(req, 'alias_label'), param(req, 'alias_id'));
        const refused = limits.write(appId, user?.identity.onesignal_id ?? `${param(req, 'alias_label')}:${param(req, 'alias_id')}`);
        if (refused) return refusal(refused);
        if (!user) return userNotFound();
        const properties = users.updateUser(appId, user, req.body);
        return { status: 202, body: { properties } };
      }),
    },
    {
      method: 'DELETE',
      path: USER_PATH,
      handler: guard((req) => {
        const appId = param(req, 'app_id');
        const user = users.findUser(appId, param(req, 'alias_label'), param(req, 'alias_id'));
        const refused = limits.write(appId, user?.identity.onesignal_id ?? `${param(req, 'alias_label')}:${param(req, 'alias_id')}`);
        if (refused) return refusal(refused);
        if (!user) return userNotFound();
        users.deleteUser(appId, param(req, 'alias_label'), param(req, 'alias_id'));
        return { status: 200 };
      }),
    },
    {
      method: 'POST',
      path: '/apps/:app_id/users',
      handler: guard((req) => {
        const appId = param(req, 'app_id');
        const externalId = (req.body as { identity?: { external_id?: unknown } } | undefined)?.identity?.external_id;
        const refused = limits.write(appId, `external_id:${String(externalId ?? '')}`);
        if (refused) return refusal(refused);
        const { user, created } = users.createUser(appId, req.body);
        return { status: created ? 201 : 200, body: user };
      }),
    },
  ];

  return Object.assign(
    new EmulatorServer({
      name: 'onesignal',
      routes,
      vendor: oneSignalShapes,
      data,
      persistPath: options.persistPath,
      authenticate: (req) => {
        const header = req.headers.authorization;
        if (header === undefined || header.trim() === '') return authorizationMissing();
        // Only the documented `Key` scheme (compared case-insensitively, as HTTP auth schemes are:
        // RFC 9110 §11.1); a key of another app, or an app id the key does not belong to, is a
        // mismatched key.
        const [scheme, token] = header.trim().split(/\s+/, 2);
        const ok = scheme?.toLowerCase() === 'key' && token === key && users.knows(param(req, 'app_id'));
        return ok ? undefined : accessDenied();
      },
      admin: {
        'POST touch-user': (req) => {
          const body = (req.body ?? {}) as { app_id?: string; external_id?: string };
          const appId = body.app_id ?? EMULATOR_APP_ID;
          const user = users.findUser(appId, 'external_id', String(body.external_id ?? ''));
          if (!user) return { status: 404, body: { error: 'no such user' } };
          limits.touch(appId, user.identity.onesignal_id as string);
          return { status: 204 };
        },
      },
    }),
    { users },
  );
}
