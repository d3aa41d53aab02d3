import type { UsersResponse } from '../client/users-response';
import { SCHEMA_KEYS } from '../identifiers/schema-keys';

/** Invalid entries of one users request, traced back to the rows sent. */
export interface InvalidEntries {
  /** Row index → schema key of the value Meta sampled as invalid. */
  readonly rows: ReadonlyMap<number, string>;
  /** Invalid entries Meta counted but no sample could be traced to a row. */
  readonly unattributed: number;
}

/**
 * Maps `invalid_entry_samples` back to rows. Meta documents the samples only as a
 * string → string map, so both sides of each entry (and array items) are looked up among
 * the values sent; a sample found in more rows than `num_invalid_entries` is ambiguous
 * (e.g. a country shared by many rows) and not attributed.
 * https://developers.facebook.com/docs/marketing-api/reference/custom-audience/users
 */
export function traceInvalidEntries(rows: readonly (readonly string[])[], response: UsersResponse): InvalidEntries {
  const count = response.num_invalid_entries ?? 0;
  const samples = response.invalid_entry_samples;
  const candidates = Array.isArray(samples) ? samples.map(String) : Object.entries(samples ?? {}).flat().map(String);
  const traced = new Map<number, string>();
  if (count > 0 && candidates.length > 0) {
    const wanted = new Set(candidates.filter((c) => c !== ''));
    const where = new Map<string, { row: number; column: number }[]>();
    rows.forEach((row, r) =>
      row.forEach((value, column) => {
        if (!wanted.has(value)) return;
        const list = where.get(value) ?? [];
        list.push({ row: r, column });
        where.set(value, list);
      }),
    );
    for (const hits of where.values()) {
      if (hits.length > count) continue;
      for (const hit of hits) if (!traced.has(hit.row)) traced.set(hit.row, SCHEMA_KEYS[hit.column] ?? '?');
    }
  }
  return { rows: traced, unattributed: Math.max(0, count - traced.size) };
}
