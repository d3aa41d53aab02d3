import { MAX_ROWS_PER_REQUEST } from '../config';
import { CLEAR_KEYS, isSchemaKey, type SchemaKey } from '../identifiers/schema-keys';
import type { Member } from './member-set';

/** A users payload the emulator accepted: valid rows as members, invalid ones counted and sampled. */
export interface ParsedUsers {
  readonly received: number;
  readonly members: readonly Member[];
  readonly invalid: number;
  /** Up to {@link MAX_SAMPLES} invalid values: value as sent → its schema key. */
  readonly samples: Record<string, string>;
}

/** Most invalid-entry samples in one answer. */
export const MAX_SAMPLES = 10;

const HASH = /^[a-f0-9]{64}$/;

function decode(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/**
 * Reads a `{schema, data}` payload (a JSON body's object, or the JSON string of a query or
 * form parameter) as Meta does: the schema must list known keys; every row must have one
 * value per schema key (`""` when missing); at most 10,000 rows. A row is an invalid entry
 * when a hashed key holds something that is not a lowercase SHA-256 hex digest, when it
 * holds a value the emulator was told to refuse (`invalidValues`), or when it is empty.
 *
 * @returns the parsed rows, or an error message for a `(#100)` answer.
 */
export function parseUsers(raw: unknown, refused: ReadonlySet<string>): ParsedUsers | { error: string } {
  const payload = decode(raw) as { schema?: unknown; data?: unknown } | undefined;
  if (!payload || typeof payload !== 'object') return { error: 'The parameter payload is required and must be a JSON object {schema, data}.' };
  const schema = typeof payload.schema === 'string' ? [payload.schema] : payload.schema;
  if (!Array.isArray(schema) || schema.length === 0 || !schema.every((k): k is SchemaKey => typeof k === 'string' && isSchemaKey(k))) {
    return { error: 'Invalid schema: list customer-list keys such as EMAIL, PHONE, FN.' };
  }
  if (new Set(schema).size !== schema.length) return { error: 'Invalid schema: a key is listed twice.' };
  if (!Array.isArray(payload.data)) return { error: 'Data is missing or does not match schema.' };
  if (payload.data.length > MAX_ROWS_PER_REQUEST) return { error: `Too many users in one request: at most ${MAX_ROWS_PER_REQUEST} rows, got ${payload.data.length}.` };
  const members: Member[] = [];
  const samples: Record<string, string> = {};
  let invalid = 0;
  for (const row of payload.data as unknown[]) {
    const cells = schema.length === 1 && !Array.isArray(row) ? [row] : row;
    if (!Array.isArray(cells) || cells.length !== schema.length) return { error: 'Data is missing or does not match schema.' };
    const member: Member = {};
    let bad: { value: string; key: SchemaKey } | undefined;
    cells.forEach((cell, i) => {
      const key = schema[i] as SchemaKey;
      const value = typeof cell === 'string' ? cell : cell === null || cell === undefined ? '' : String(cell);
      if (value === '') return;
      if (refused.has(value) || (!CLEAR_KEYS.has(key) && !HASH.test(value))) bad ??= { value, key };
      member[key] = value;
    });
    if (bad || Object.keys(member).length === 0) {
      invalid += 1;
      if (bad && Object.keys(samples).length < MAX_SAMPLES) samples[bad.value] = bad.key;
      continue;
    }
    members.push(member);
  }
  return { received: payload.data.length, members, invalid, samples };
}
