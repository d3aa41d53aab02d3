import {
  EmulatorServer,
  type EmulatorData,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorRoute,
} from '@syncmodes/connector-kit/emulator';
import { RateLimits, type RateLimitOptions } from './rate-limits';
import { EMULATOR_APP_ID, UserRequestError, UserStore, type OneSignalData } from './users';
import { genericError, oneSignalShapes, rateLimited } from './vendor-shapes';

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
 * with OneSignal's rate limits (1 write/s per user, 1,000 writes/s per app, 10 reads/s per
 * app; 429 with `Retry-After`), its error shape (`{"errors":[{"title"}]}`) and
 * `Authorization: Key <REST API key>` (`Basic` and `Bearer` accepted too).
 *
 * Any `app_id` is served: an app a seed named, or else the default app
 * ({@link EMULATOR_APP_ID}).
 *
 * Admin: `GET /__emulator/records` → `{ apps: { <app_id>: { tag_limit, users: [User] } }, next_id }`;
 * `POST /__emulator/seed` takes `{ "app_id"?, "tag_limit"?, "users": [User] }` (see the
 * package README); `POST /__emulator/touch-user` `{ "app_id"?, "external_id" }` records a
 * write made by the app's own SDK, using up that user's per-user budget for a second.
 *
 * References: https://documentation.onesignal.com/reference/update-user ,
 * https://documentation.onesignal.com/reference/rate-limits
 */
export function createOneSignalEmulator(options: OneSignalEmulatorOptions = {}): EmulatorServer & { readonly users: UserStore } {
  const users = new UserStore();
  const limits = new RateLimits(options);
  const key = options.restApiKey ?? EMULATOR_REST_API_KEY;

  const data: EmulatorData<OneSignalData> = {
    snapshot: () => users.snapshot(),
    seed: (input) => users.seed(input),
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
        const appId = users.appIdFor(param(req, 'app_id'));
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
        const appId = users.appIdFor(param(req, 'app_id'));
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
        const appId = users.appIdFor(param(req, 'app_id'));
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
        const appId = users.appIdFor(param(req, 'app_id'));
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
        const header = String(req.headers.authorization ?? '');
        const [scheme, token] = header.split(' ', 2);
        const ok = (scheme === 'Key' || scheme === 'Basic' || scheme === 'Bearer') && token === key;
        return ok ? undefined : oneSignalShapes.authExpired();
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
