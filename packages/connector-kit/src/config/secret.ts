import { z } from 'zod';

/** Metadata syncmodes reads from config schemas (zod `.meta()`). */
export interface ConfigFieldMeta {
  /** The value is a credential: never printed, logged, reported or persisted. */
  readonly secret?: boolean;
  /** Environment variable the CLI reads the value from (secrets are never flags). */
  readonly env?: string;
  /** Part of the sync's identity: changing it starts a new sync with new state. */
  readonly identity?: boolean;
  readonly description?: string;
}

/**
 * Marks a config field as a secret, read from environment variable `env` by the CLI.
 *
 * @example
 * ```ts
 * const config = z.object({ accessToken: secret(z.string().min(1), 'SALESFORCE_ACCESS_TOKEN') });
 * ```
 */
export function secret<T extends z.ZodType>(schema: T, env?: string): T {
  return schema.meta({ secret: true, ...(env ? { env } : {}) }) as T;
}

/** Marks a config field as part of the sync's identity (see {@link ConfigFieldMeta.identity}). */
export function identity<T extends z.ZodType>(schema: T): T {
  return schema.meta({ ...(readMeta(schema) ?? {}), identity: true }) as T;
}

function readMeta(schema: z.ZodType): ConfigFieldMeta | undefined {
  return schema.meta() as ConfigFieldMeta | undefined;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (let i = 0; i < 8; i++) {
    const def = (current as unknown as { _zod: { def: { innerType?: z.ZodType } } })._zod.def;
    if (!def.innerType) break;
    current = def.innerType;
  }
  return current;
}

/** One top-level field of a config object schema, with its merged metadata. */
export interface ConfigField {
  readonly key: string;
  readonly schema: z.ZodType;
  readonly meta: ConfigFieldMeta;
  readonly optional: boolean;
}

/**
 * Lists the top-level fields of a `z.object` config schema with their metadata (metadata
 * may sit on the field or on the schema inside `.optional()` / `.default()`).
 */
export function configFields(schema: z.ZodType): ConfigField[] {
  const base = unwrap(schema);
  if (!(base instanceof z.ZodObject)) return [];
  return Object.entries(base.shape as Record<string, z.ZodType>).map(([key, field]) => {
    const inner = unwrap(field);
    const meta: ConfigFieldMeta = { ...(readMeta(inner) ?? {}), ...(readMeta(field) ?? {}) };
    const description = field.description ?? inner.description;
    return {
      key,
      schema: field,
      meta: description ? { ...meta, description } : meta,
      optional: field.safeParse(undefined).success,
    };
  });
}

/** Names of the secret fields of a config schema. */
export function secretKeys(schema: z.ZodType): string[] {
  return configFields(schema)
    .filter((f) => f.meta.secret)
    .map((f) => f.key);
}

/** Placeholder written instead of a secret value. */
export const REDACTED = '[redacted]';

/** A copy of `config` with every secret field replaced by {@link REDACTED}. */
export function redactConfig<T extends Record<string, unknown>>(schema: z.ZodType, config: T): T {
  const out: Record<string, unknown> = { ...config };
  for (const key of secretKeys(schema)) if (out[key] !== undefined) out[key] = REDACTED;
  return out as T;
}

/** The secret values present in `config` (strings of 4+ characters), for scrubbing text. */
export function secretValues(schema: z.ZodType, config: Record<string, unknown>): string[] {
  return secretKeys(schema)
    .map((k) => config[k])
    .filter((v): v is string => typeof v === 'string' && v.length >= 4);
}

/** Replaces every occurrence of each secret in `text` with {@link REDACTED}. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) for (const form of writtenForms(s)) out = out.split(form).join(REDACTED);
  return out;
}

/**
 * The ways a secret is written into text it may reach: as it is, URL-encoded
 * (`encodeURIComponent`, and the form encoding of a request body, where a space is `+`), and
 * JSON-escaped (also with `\/`, and twice) — a vendor error that echoes a request (a token refresh's body, a session id
 * with `!`) carries it so (second trial of stop 31: a refresh token and client secret shown
 * URL-encoded in a stop message). Longest first, so no form is cut by a shorter one.
 */
function writtenForms(secret: string): string[] {
  if (!secret) return [];
  const url = encodeURIComponent(secret);
  const json = (t: string) => JSON.stringify(t).slice(1, -1);
  // JSON also as serializers that escape `/` write it (`\/`, PHP, some gateways), and escaped twice (a JSON body quoted in a JSON error).
  const escaped = [json(secret), json(secret).replace(/\//g, '\\/'), json(json(secret)), json(json(secret).replace(/\//g, '\\/'))];
  const forms = new Set([secret, url, url.replace(/%20/g, '+'), new URLSearchParams({ s: secret }).toString().slice(2), ...escaped]);
  // Percent-escapes in lower case too (some encoders write %2f).
  for (const f of [...forms]) forms.add(f.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  return [...forms].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
}

/** A copy of `value` (plain JSON data: objects, arrays, strings, numbers…) with {@link redactText} applied to every string in it, keys included. */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redactText(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [redactText(k, secrets), walk(x)]));
    return v;
  };
  return walk(value) as T;
}
