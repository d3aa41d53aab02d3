import type BetterSqlite3 from 'better-sqlite3';
import { StateStoreError } from '../errors/run-errors';

/** `PRAGMA application_id` of a syncmodes state file ("SYNC" in ASCII). */
export const SYNCMODES_APPLICATION_ID = 0x53594e43;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS syncs (
  sync_id TEXT PRIMARY KEY,
  destination TEXT NOT NULL,
  identity TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_run_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
  sync_id TEXT NOT NULL,
  record_id TEXT NOT NULL,
  destination_id TEXT,
  match_key TEXT,
  snapshot TEXT NOT NULL,
  hash TEXT NOT NULL,
  owned INTEGER NOT NULL,
  departed INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  not_found INTEGER NOT NULL DEFAULT 0,
  pending INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (sync_id, record_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_by_destination ON records (sync_id, destination_id);
CREATE TABLE IF NOT EXISTS leases (
  sync_id TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  acquired_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
`;

/**
 * A sync's state index as bytes (index-snapshot.ts) in parts of at most 1 MiB, kept by
 * SqliteStateStore.keepIndex; any write to that sync's records drops it (the triggers also
 * fire for writers that do not know it). Created in one transaction: never the table without
 * its triggers.
 */
const SNAPSHOT_SCHEMA = `
CREATE TABLE IF NOT EXISTS index_snapshot_parts (
  sync_id TEXT NOT NULL,
  part INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (sync_id, part)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS records_insert_drops_index AFTER INSERT ON records
  BEGIN DELETE FROM index_snapshot_parts WHERE sync_id = NEW.sync_id; END;
CREATE TRIGGER IF NOT EXISTS records_update_drops_index AFTER UPDATE ON records
  BEGIN DELETE FROM index_snapshot_parts WHERE sync_id IN (OLD.sync_id, NEW.sync_id); END;
CREATE TRIGGER IF NOT EXISTS records_delete_drops_index AFTER DELETE ON records
  BEGIN DELETE FROM index_snapshot_parts WHERE sync_id = OLD.sync_id; END;
`;

const SNAPSHOT_TRIGGERS = ['records_insert_drops_index', 'records_update_drops_index', 'records_delete_drops_index'];

/**
 * Whether the database can keep index snapshots: the table and its three triggers, created
 * when missing. A file that cannot be written (read-only, made before snapshots existed)
 * keeps none, and is read as before.
 */
function prepareSnapshots(db: BetterSqlite3.Database): boolean {
  const present = () => {
    const names = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')").all() as { name: string }[]).map((t) => t.name));
    return names.has('index_snapshot_parts') && SNAPSHOT_TRIGGERS.every((t) => names.has(t));
  };
  if (present()) return true;
  try {
    // A trigger missing (dropped by hand) may have let a snapshot go stale: none is trusted.
    db.transaction(() => db.exec(`${SNAPSHOT_SCHEMA}DELETE FROM index_snapshot_parts;`))();
  } catch (error) {
    if (String((error as { code?: unknown }).code).startsWith('SQLITE_READONLY')) return false;
    throw error;
  }
  return present();
}

/**
 * Checks that an opened database is a syncmodes state store (or a new, empty one) and
 * brings its schema up to date: columns added by later versions, the destination-id index,
 * the leases table, the application id.
 *
 * @throws {@link StateStoreError} `state_unreadable` for a database of another application.
 */
export function prepareSchema(db: BetterSqlite3.Database, path: string): { readonly indexSnapshots: boolean } {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
  const ours = tables.has('records') && tables.has('syncs');
  if (applicationId !== SYNCMODES_APPLICATION_ID && (applicationId !== 0 || (tables.size > 0 && !ours))) {
    throw new StateStoreError(
      'state_unreadable',
      `${path} is an SQLite database of another application, not a syncmodes state store. Give the SqliteStateStore another path, or start over: move the file aside and open a new one.`,
    );
  }
  db.exec(SCHEMA);
  const columns = new Set((db.prepare('PRAGMA table_info(records)').all() as { name: string }[]).map((c) => c.name));
  // State written before not-found records were remembered, and before in-flight writes were marked.
  if (!columns.has('not_found')) db.exec('ALTER TABLE records ADD COLUMN not_found INTEGER NOT NULL DEFAULT 0');
  if (!columns.has('pending')) db.exec('ALTER TABLE records ADD COLUMN pending INTEGER NOT NULL DEFAULT 0');
  // State written before syncs kept their names.
  const syncColumns = new Set((db.prepare('PRAGMA table_info(syncs)').all() as { name: string }[]).map((c) => c.name));
  if (!syncColumns.has('name')) db.exec('ALTER TABLE syncs ADD COLUMN name TEXT');
  if (applicationId === 0) db.pragma(`application_id = ${SYNCMODES_APPLICATION_ID}`);
  return { indexSnapshots: prepareSnapshots(db) };
}
