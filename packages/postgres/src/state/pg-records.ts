import { StateIndex, type RecordSnapshot, type StateEntry } from '@syncmodes/connector-kit';
import type pg from 'pg';
import Cursor from 'pg-cursor';

/** Rows per `INSERT … SELECT FROM unnest(…)` statement, and per cursor read. */
const CHUNK = 10_000;
const COLUMNS = 'record_id, destination_id, match_key, snapshot, hash, owned, departed, not_found, pending';

interface Row {
  record_id: string;
  destination_id: string | null;
  match_key: string | null;
  snapshot: RecordSnapshot;
  hash: string;
  owned: boolean;
  departed: boolean;
  not_found: boolean;
  pending: boolean;
}

const toEntry = (row: Row): StateEntry => ({
  recordId: row.record_id,
  destinationId: row.destination_id,
  matchKey: row.match_key,
  snapshot: row.snapshot,
  hash: row.hash,
  owned: row.owned,
  departed: row.departed,
  notFound: row.not_found,
  pending: row.pending,
});

/** The last entry per record id (one statement may not touch a row twice). */
function lastPerId(entries: readonly StateEntry[]): StateEntry[] {
  const byId = new Map<string, StateEntry>();
  for (const e of entries) byId.set(e.recordId, e);
  return byId.size === entries.length ? [...entries] : [...byId.values()];
}

/** The `records` table: multi-row upserts, lookups by id and destination id, and the index streamed with a cursor. */
export class PgRecords {
  constructor(private readonly table: string) {}

  /** Upserts entries: one `INSERT … SELECT FROM unnest(…) ON CONFLICT DO UPDATE` per 10,000. */
  async put(client: pg.ClientBase, syncId: string, entries: readonly StateEntry[], now: number): Promise<void> {
    const unique = lastPerId(entries);
    for (let i = 0; i < unique.length; i += CHUNK) {
      const chunk = unique.slice(i, i + CHUNK);
      await client.query(
        `INSERT INTO ${this.table} (sync_id, ${COLUMNS}, updated_at)
         SELECT $1, u.*, $11 FROM unnest($2::text[], $3::text[], $4::text[], $5::json[], $6::text[], $7::bool[], $8::bool[], $9::bool[], $10::bool[]) AS u
         ON CONFLICT (sync_id, record_id) DO UPDATE SET destination_id = EXCLUDED.destination_id, match_key = EXCLUDED.match_key,
           snapshot = EXCLUDED.snapshot, hash = EXCLUDED.hash, owned = EXCLUDED.owned, departed = EXCLUDED.departed,
           not_found = EXCLUDED.not_found, pending = EXCLUDED.pending, updated_at = EXCLUDED.updated_at`,
        [
          syncId,
          chunk.map((e) => e.recordId),
          chunk.map((e) => e.destinationId),
          chunk.map((e) => e.matchKey),
          chunk.map((e) => JSON.stringify(e.snapshot)),
          chunk.map((e) => e.hash),
          chunk.map((e) => e.owned),
          chunk.map((e) => e.departed),
          chunk.map((e) => e.notFound === true),
          chunk.map((e) => e.pending === true),
          now,
        ],
      );
    }
  }

  async remove(client: pg.ClientBase, syncId: string, recordIds: readonly string[]): Promise<void> {
    for (let i = 0; i < recordIds.length; i += CHUNK) {
      await client.query(`DELETE FROM ${this.table} WHERE sync_id = $1 AND record_id = ANY($2::text[])`, [syncId, recordIds.slice(i, i + CHUNK)]);
    }
  }

  async get(client: pg.ClientBase, syncId: string, recordIds: readonly string[]): Promise<Map<string, StateEntry>> {
    const out = new Map<string, StateEntry>();
    for (let i = 0; i < recordIds.length; i += CHUNK) {
      const { rows } = await client.query<Row>(`SELECT ${COLUMNS} FROM ${this.table} WHERE sync_id = $1 AND record_id = ANY($2::text[])`, [syncId, recordIds.slice(i, i + CHUNK)]);
      for (const row of rows) out.set(row.record_id, toEntry(row));
    }
    return out;
  }

  async findByDestinationIds(client: pg.ClientBase, syncId: string, destinationIds: readonly string[]): Promise<StateEntry[]> {
    const out: StateEntry[] = [];
    for (let i = 0; i < destinationIds.length; i += CHUNK) {
      const { rows } = await client.query<Row>(`SELECT ${COLUMNS} FROM ${this.table} WHERE sync_id = $1 AND destination_id = ANY($2::text[])`, [
        syncId,
        destinationIds.slice(i, i + CHUNK),
      ]);
      out.push(...rows.map(toEntry));
    }
    return out;
  }

  /** See `StateStore.groupCounts`. */
  async groupCounts(client: pg.ClientBase, syncId: string, groups: readonly string[]): Promise<Map<string, number>> {
    const { rows } = await client.query<{ name: string; n: number }>(
      `SELECT g AS name, count(*)::int AS n FROM ${this.table} r, json_array_elements_text(r.snapshot -> 'groups') AS g
       WHERE r.sync_id = $1 AND g = ANY($2::text[]) GROUP BY g`,
      [syncId, [...groups]],
    );
    return new Map(rows.map((r) => [r.name, r.n]));
  }

  /** See `StateStore.entriesInGroup`: record ids compared bytewise (`COLLATE "C"`), like the other stores. */
  async entriesInGroup(client: pg.ClientBase, syncId: string, group: string, page: { readonly after?: string | undefined; readonly limit: number }): Promise<StateEntry[]> {
    const { rows } = await client.query<Row>(
      `SELECT ${COLUMNS} FROM ${this.table} r
       WHERE r.sync_id = $1 AND r.record_id COLLATE "C" > $2
         AND EXISTS (SELECT 1 FROM json_array_elements_text(r.snapshot -> 'groups') AS g WHERE g = $3)
       ORDER BY r.record_id COLLATE "C" LIMIT $4`,
      [syncId, page.after ?? '', group, page.limit],
    );
    return rows.map(toEntry);
  }

  async count(client: pg.ClientBase, syncId: string, filter: 'all' | 'owned'): Promise<number> {
    const where = filter === 'owned' ? 'AND owned AND NOT departed' : '';
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.table} WHERE sync_id = $1 ${where}`, [syncId]);
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Every entry's hash and flags, read with a cursor (10,000 rows at a time, as arrays) into
   * the kit's columnar {@link StateIndex}: the rows are never all in memory as objects.
   */
  async index(client: pg.ClientBase, syncId: string): Promise<StateIndex> {
    const out = new StateIndex(await this.count(client, syncId, 'all'));
    const cursor = client.query(
      new Cursor(`SELECT record_id, hash, owned, departed, not_found, updated_at FROM ${this.table} WHERE sync_id = $1`, [syncId], { rowMode: 'array' }),
    );
    for (;;) {
      const rows = (await cursor.read(CHUNK)) as [string, string, boolean, boolean, boolean, string][];
      if (rows.length === 0) break;
      for (const r of rows) out.set(r[0], { hash: r[1], owned: r[2], departed: r[3], notFound: r[4], updatedAt: Number(r[5]) });
    }
    // Closed only after a complete read: a failed read has ended the portal already, and on a
    // lost connection (cut, or its session ended: 57P01) close() would wait forever for an answer.
    await cursor.close();
    return out;
  }
}
