import { createHash } from 'node:crypto';
import { canonicalEndpoint } from '../config/endpoint-url';
import type { z } from 'zod';
import { configFields } from '../config/secret';

/**
 * The config values that identify a sync: the fields marked `identity` in the schema
 * (never secrets). Changing one of them starts a new sync with its own state.
 */
export function identityOf(schema: z.ZodType, config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of configFields(schema)) {
    if (field.meta.identity && !field.meta.secret) out[field.key] = config[field.key] ?? null;
  }
  return out;
}

/**
 * A stable id for a sync: SHA-256 (first 16 hex chars) of the destination id, its identity
 * config, the source's primary-key column and the sync's name. State, ownership and
 * deletions are per sync: two feeds into the same destination object are kept apart by
 * their names.
 */
export function syncIdFor(destination: string, identity: Record<string, unknown>, sourceKey = '', name = ''): string {
  const parts: unknown[] = [destination, Object.entries(identity).sort(([a], [b]) => a.localeCompare(b)), sourceKey];
  if (name !== '') parts.push(name);
  const canonical = JSON.stringify(parts);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** An http(s) URL in its one spelling (`canonicalEndpoint`); any other value as it is. */
function sameEndpoint(value: unknown): unknown {
  return typeof value === 'string' && /^https?:\/\//i.test(value) ? canonicalEndpoint(value) : value;
}

/**
 * The lease key of the records a sync writes: `target:` and a SHA-256 (first 16 hex chars) of
 * the destination id and its target (the destination's `writeTarget` of the identity config:
 * the org and object, the workspace, the app…; URLs compared without a trailing slash or
 * letter case in the host), the same for every sync into those records whatever its name,
 * source or match field. Two runs of different syncs into one target at once each looked up
 * a new person, found none, and both created them (fresh helper 107, M1: 20,000 Contacts for
 * 10,000 people); an instance URL with a trailing slash, or another match field, made another
 * key (fresh reviewer 112, F3).
 */
export function targetLeaseKey(destination: string, target: Record<string, unknown>): string {
  const canonical = JSON.stringify([destination, Object.entries(target).map(([k, v]) => [k, sameEndpoint(v)]).sort(([a], [b]) => String(a).localeCompare(String(b)))]);
  return `target:${createHash('sha256').update(canonical).digest('hex').slice(0, 16)}`;
}
