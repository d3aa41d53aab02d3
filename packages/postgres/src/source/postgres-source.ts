import { checkColumns, InputError, mapRow, type FieldMapping, type RecordSource, type SourceItem } from '@syncmodes/connector-kit';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { redactDatabaseUrl } from '../database-url';
import { sourceTypeParser } from './row-values';
import { sourceError } from './source-errors';

/** Options of {@link postgresSource}: exactly one of `query` and `table`. */
export interface PostgresSourceOptions {
  /** `postgres://user:password@host:port/database` (credentials never appear in names or errors). */
  readonly url: string;
  /** A `SELECT` whose rows are the records (its column names are what the mapping names). */
  readonly query?: string | undefined;
  /** A table or view, `name` or `schema.name`: all its rows, ordered by the id column. */
  readonly table?: string | undefined;
  readonly mapping: FieldMapping;
  /** Rows fetched per cursor read (default 1,000): memory holds one batch, never the whole result. */
  readonly batchSize?: number | undefined;
  /** How long to wait for a connection, ms (default 15,000). */
  readonly connectTimeoutMs?: number | undefined;
}

/** The SQL the source runs, and how it is named in reports. */
function statementOf(options: PostgresSourceOptions): { sql: string; label: string } {
  if ((options.query === undefined) === (options.table === undefined)) {
    throw new InputError('invalid_source', 'A Postgres source needs exactly one of a query (--query "select …") and a table (--table name).');
  }
  if (options.table !== undefined) {
    const table = options.table
      .split('.')
      .map((part) => pg.escapeIdentifier(part))
      .join('.');
    return { sql: `SELECT * FROM ${table} ORDER BY ${pg.escapeIdentifier(options.mapping.idColumn)}`, label: `table ${options.table}` };
  }
  const query = (options.query as string).trim().replace(/;\s*$/, '');
  return { sql: query, label: `query "${query.length > 60 ? `${query.slice(0, 59)}…` : query}"` };
}

/** One cursor read, with the result's column names. */
function readBatch(cursor: Cursor, size: number): Promise<{ rows: Record<string, unknown>[]; columns?: string[] | undefined }> {
  return new Promise((resolve, reject) => {
    cursor.read(size, (error, rows, result) => {
      if (error) reject(error);
      else resolve({ rows: rows as Record<string, unknown>[], columns: result?.fields?.map((f) => f.name) });
    });
  });
}

function checkHeader(columns: readonly string[], mapping: FieldMapping): void {
  const dup = columns.find((c, i) => columns.indexOf(c) !== i);
  if (dup !== undefined) throw new InputError('duplicate_column', `The query returns column "${dup}" twice; give each column its own name (… AS name).`);
  checkColumns(mapping, columns);
}

/**
 * A Postgres query (or table) as a {@link RecordSource}: each `open()` connects, runs the
 * statement and streams its rows with a server-side cursor, `batchSize` at a time, mapped
 * like CSV rows (see `sourceTypeParser`) by the kit's `mapRow`: the same record ids, row
 * numbers, failures and departures as a file. Read twice per run (scan, then send), like
 * every source. When the query fails before the first row (a syntax error, no such table)
 * or the connection fails while reading, `open()` throws instead of ending early, so the
 * engine never takes a partial read for the whole source and never deletes after one.
 *
 * @throws {@link InputError} `invalid_source`, `source_query_failed`, `unknown_column`,
 *   `duplicate_column`; `RetryableError` `source_interrupted` (see `sourceError`).
 */
export function postgresSource(options: PostgresSourceOptions): RecordSource {
  const { sql, label } = statementOf(options);
  const batchSize = options.batchSize ?? 1_000;
  return {
    name: `${redactDatabaseUrl(options.url)} ${label}`,
    async *open(): AsyncGenerator<SourceItem> {
      const client = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: options.connectTimeoutMs ?? 15_000, application_name: 'syncmodes-source' });
      // A connection that drops while idle between reads fails the next read; it must not crash the process.
      client.on('error', () => undefined);
      let rowsRead = 0;
      try {
        await client.connect();
        const cursor = client.query(new Cursor(sql, [], { types: { getTypeParser: sourceTypeParser } }));
        let first = true;
        for (;;) {
          const { rows, columns } = await readBatch(cursor, batchSize);
          if (first && columns) checkHeader(columns, options.mapping);
          first = false;
          if (rows.length === 0) break;
          for (const row of rows) yield mapRow(row, ++rowsRead, options.mapping);
        }
        await cursor.close();
      } catch (error) {
        if (error instanceof InputError) throw error;
        throw sourceError(error, options.url, rowsRead);
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
}
