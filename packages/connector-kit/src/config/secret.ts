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

/** Replaces every occurrence of each secret in `text`, in any of the forms {@link secretPattern} matches, with {@link REDACTED}. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s) continue;
    out = out.split(s).join(REDACTED);
    out = out.replace(secretPattern(s), REDACTED);
  }
  return out;
}

const patterns = new Map<string, RegExp>();
const reEscape = (t: string) => t.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
/** Hex digits matching either case: `2f` → `2[fF]`. */
const anyCase = (hexDigits: string) => hexDigits.replace(/[a-fA-F]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
/** One or more backslashes, as a pattern. */
const BACKSLASHES = '\\\\+';

/**
 * Every way a secret is written into text it may reach, as one pattern: each character as it
 * is, URL-encoded (`%2F`, `%2f`, UTF-8 bytes `%C3%A9`; a space also `+`), or JSON-escaped —
 * `\u00e9`, `\u002B`, `\/`, `\"`, `\\` — escaped any number of times (a request echoed in
 * a vendor error, that error quoted in JSON, a report written as JSON again). Vendor errors
 * echoing a token refresh's body or a request header carried secrets so (second trial of stop
 * 31: a refresh token shown URL-encoded; of stop 32: a token JSON-escaped twice, PHP's `\\\/`,
 * .NET's `\u002B`, `\u00e9`).
 */
function secretPattern(secret: string): RegExp {
  let re = patterns.get(secret);
  if (re) return re;
  const parts: string[] = [];
  for (const ch of secret) {
    const units = Array.from({ length: ch.length }, (_, i) => ch.charCodeAt(i));
    const forms = [reEscape(ch), units.map((u) => `${BACKSLASHES}u${anyCase(u.toString(16).padStart(4, '0'))}`).join('')];
    try {
      // URL-encoded, and form-encoded (which escapes more: `!` is `%21` there).
      for (const encoded of new Set([encodeURIComponent(ch), new URLSearchParams({ s: ch }).toString().slice(2)])) {
        if (encoded !== ch) forms.push(reEscape(encoded).replace(/%([0-9A-F]{2})/g, (_m, h: string) => `%${anyCase(h)}`));
      }
    } catch {
      // A lone surrogate has no URL form.
    }
    if (ch === ' ') forms.push('\\+');
    if (ch === '/' || ch === '"' || ch === '\\') forms.push(`${BACKSLASHES}${ch === '\\' ? '' : reEscape(ch)}`);
    parts.push(`(?:${forms.join('|')})`);
  }
  re = new RegExp(parts.join(''), 'g');
  if (patterns.size > 100) patterns.clear();
  patterns.set(secret, re);
  return re;
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
