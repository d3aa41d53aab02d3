import { MAX_TAG_CHANGES } from '../onesignal-limits';

/**
 * The data of the OneSignal emulator: apps, each with users in the API's own shape
 * (`identity`, `properties.tags`) and an optional per-user tag limit.
 *
 * Tag semantics follow OneSignal: a tag sent with value `""` is deleted, a tag left out
 * of an update is kept, values are stored as strings.
 * https://documentation.onesignal.com/reference/update-user
 */

/** A user as the API returns it (`GET /apps/{app_id}/users/by/{alias_label}/{alias_id}`). */
export interface OneSignalUser {
  identity: Record<string, string>;
  properties: { tags: Record<string, string> } & Record<string, unknown>;
  subscriptions: Record<string, unknown>[];
}

/** One emulated app. `tag_limit`: most tags a user may hold (null: no limit). */
export interface EmulatedApp {
  tag_limit: number | null;
  users: OneSignalUser[];
}

/** Everything the emulator holds (`GET /__emulator/records`, persistence). */
export interface OneSignalData {
  apps: Record<string, EmulatedApp>;
  /** Counter for generated `onesignal_id`s. */
  next_id: number;
}

/** The app id the emulator uses when a seed names none. */
export const EMULATOR_APP_ID = '00000000-0000-4000-8000-00000000a991';

/** Why a change was refused, in OneSignal's error shape. */
export class UserRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}


const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The apps and users, with OneSignal's tag semantics. */
export class UserStore {
  private data: OneSignalData = { apps: {}, next_id: 1 };

  snapshot(): OneSignalData {
    return this.data;
  }

  load(data: OneSignalData): void {
    this.data = data;
  }

  reset(): void {
    this.data = { apps: {}, next_id: 1 };
  }

  /**
   * Whether the emulator holds app `appId`: the default app ({@link EMULATOR_APP_ID}) and
   * every app a seed named. A key belongs to one app, so a request for any other app id is
   * refused as a mismatched key (403), as OneSignal does.
   * https://documentation.onesignal.com/docs/en/keys-and-ids#api-keys
   */
  knows(appId: string): boolean {
    return appId === EMULATOR_APP_ID || this.data.apps[appId] !== undefined;
  }

  /** The app (created empty on first use). */
  app(appId: string): EmulatedApp {
    this.data.apps[appId] ??= { tag_limit: null, users: [] };
    return this.data.apps[appId];
  }

  private newOneSignalId(): string {
    const n = this.data.next_id++;
    return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  }

  /**
   * Adds users from a seed: `{ "app_id"?, "tag_limit"?, "users": [User] }` or a bare array
   * of users. Each user: `{ "identity": { "external_id": "…" }, "properties": { "tags": { … } } }`.
   *
   * @throws Error naming the first problem (not an object, tags not strings, a duplicate alias).
   */
  seed(input: unknown): void {
    const seed = Array.isArray(input) ? { users: input } : input;
    if (!isRecord(seed) || !Array.isArray(seed.users)) throw new Error('seed must be {"users": [...]} (optionally "app_id", "tag_limit") or an array of users');
    const appId = typeof seed.app_id === 'string' && seed.app_id !== '' ? seed.app_id : EMULATOR_APP_ID;
    if (seed.tag_limit !== undefined && seed.tag_limit !== null && (!Number.isInteger(seed.tag_limit) || (seed.tag_limit as number) < 0)) {
      throw new Error('tag_limit must be a whole number or null');
    }
    // Check everything first: a seed is applied whole or not at all.
    const added: OneSignalUser[] = [];
    const aliases = new Set<string>();
    seed.users.forEach((raw, i) => {
      if (!isRecord(raw)) throw new Error(`users[${i}] must be an object`);
      const identity = isRecord(raw.identity) ? raw.identity : {};
      for (const [label, value] of Object.entries(identity)) {
        if (typeof value !== 'string' || value === '') throw new Error(`users[${i}].identity.${label} must be a non-empty string`);
        const alias = `${label}\u0000${value}`;
        if (this.findUser(appId, label, value) || aliases.has(alias)) throw new Error(`users[${i}]: alias ${label}=${value} already exists`);
        aliases.add(alias);
      }
      const properties = isRecord(raw.properties) ? raw.properties : {};
      const tags = isRecord(properties.tags) ? properties.tags : {};
      const stored: Record<string, string> = {};
      for (const [key, value] of Object.entries(tags)) {
        if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`users[${i}].properties.tags.${key} must be a string`);
        if (value !== '') stored[key] = String(value);
      }
      added.push({
        identity: { ...(identity as Record<string, string>) },
        properties: { ...properties, tags: stored },
        subscriptions: Array.isArray(raw.subscriptions) ? (raw.subscriptions as Record<string, unknown>[]) : [],
      });
    });
    const app = this.app(appId);
    if (seed.tag_limit !== undefined) app.tag_limit = seed.tag_limit as number | null;
    for (const user of added) {
      user.identity.onesignal_id ??= this.newOneSignalId();
      app.users.push(user);
    }
  }

  /** Per app: the users array last indexed, its length then, and alias → user. */
  private readonly aliasIndex = new Map<string, { users: OneSignalUser[]; length: number; byAlias: Map<string, OneSignalUser> }>();

  /**
   * The user holding alias `label` = `value` in the app, if any. Through an alias index
   * (rebuilt when the app's users were replaced or changed in number), so large benchmark
   * runs stay O(1) per request.
   */
  findUser(appId: string, label: string, value: string): OneSignalUser | undefined {
    const users = this.data.apps[appId]?.users;
    if (!users) return undefined;
    let index = this.aliasIndex.get(appId);
    if (!index || index.users !== users || index.length !== users.length) {
      const byAlias = new Map<string, OneSignalUser>();
      for (const u of users) for (const [l, v] of Object.entries(u.identity)) if (!byAlias.has(`${l}\u0000${v}`)) byAlias.set(`${l}\u0000${v}`, u);
      index = { users, length: users.length, byAlias };
      this.aliasIndex.set(appId, index);
    }
    // Aliases of a stored user never change (a user is added whole and removed whole).
    const hit = index.byAlias.get(`${label}\u0000${value}`);
    return hit && hit.identity[label] === value ? hit : undefined;
  }

  /**
   * Creates a user (`POST /apps/{app_id}/users`); an alias that already exists returns that
   * user instead (OneSignal looks users up by the aliases given).
   */
  createUser(appId: string, body: unknown): { user: OneSignalUser; created: boolean } {
    if (!isRecord(body)) throw new UserRequestError(400, 'The request body must be a User object.');
    const identity = isRecord(body.identity) ? (body.identity as Record<string, string>) : {};
    for (const [label, value] of Object.entries(identity)) {
      const existing = this.findUser(appId, label, String(value));
      if (existing) return { user: existing, created: false };
    }
    const before = this.data.apps[appId]?.users.length ?? 0;
    this.seed({ app_id: appId, users: [{ identity, properties: body.properties ?? {} }] });
    const user = this.app(appId).users[before] as OneSignalUser;
    return { user, created: true };
  }

  /** Deletes the user (`DELETE /apps/{app_id}/users/by/{alias_label}/{alias_id}`). */
  deleteUser(appId: string, label: string, value: string): boolean {
    const app = this.data.apps[appId];
    const user = this.findUser(appId, label, value);
    if (!app || !user) return false;
    app.users = app.users.filter((u) => u !== user);
    return true;
  }

  /**
   * Applies an update (`PATCH …/users/by/{alias_label}/{alias_id}`) to `user`: tags with
   * `""` are deleted, others set as strings, tags left out kept. Other properties are set
   * as given.
   *
   * @throws UserRequestError 400 for a malformed body, more than {@link MAX_TAG_CHANGES} tag
   *   changes, a tag value that is not a string or number, or a result over the app's tag
   *   limit (nothing is applied then).
   * @returns the properties as sent (what OneSignal echoes back).
   */
  updateUser(appId: string, user: OneSignalUser, body: unknown): Record<string, unknown> {
    if (!isRecord(body)) throw new UserRequestError(400, 'The request body must be an object.');
    const properties = body.properties === undefined ? {} : body.properties;
    if (!isRecord(properties)) throw new UserRequestError(400, 'properties must be an object.');
    const tags = properties.tags === undefined ? {} : properties.tags;
    if (!isRecord(tags)) throw new UserRequestError(400, 'properties.tags must be an object of string values.');
    const changes = Object.entries(tags);
    if (changes.length > MAX_TAG_CHANGES) {
      throw new UserRequestError(400, `Too many tag changes in one request: ${changes.length}; at most ${MAX_TAG_CHANGES} are allowed.`);
    }
    const next: Record<string, string> = { ...user.properties.tags };
    for (const [key, value] of changes) {
      if (typeof value !== 'string' && typeof value !== 'number') throw new UserRequestError(400, `Tag "${key}" must have a string value.`);
      if (value === '') delete next[key];
      else next[key] = String(value);
    }
    const limit = this.app(appId).tag_limit;
    if (limit !== null && Object.keys(next).length > limit && Object.keys(next).length > Object.keys(user.properties.tags).length) {
      throw new UserRequestError(400, `Tag limit exceeded: this app allows ${limit} data tags per user.`, 'tag-limit-exceeded');
    }
    const { tags: _tags, ...others } = properties;
    Object.assign(user.properties, others, { tags: next });
    return properties;
  }
}
