import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { ConfigError } from '../errors/sync-error';

let loaded: typeof BetterSqlite3 | undefined;

/**
 * Loads better-sqlite3 (an optional peer dependency of the kit) the first time SQLite
 * state is opened, so a program that never uses SQLite state never loads the native addon.
 *
 * @throws {@link ConfigError} (`state_store_unavailable`) when better-sqlite3 is not installed.
 */
export function loadSqlite(): typeof BetterSqlite3 {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
    return loaded;
  } catch (error) {
    if ((error as { code?: string }).code === 'MODULE_NOT_FOUND') {
      throw new ConfigError('SQLite state needs the better-sqlite3 package: npm install better-sqlite3@12 (or use another StateStore).', 'state_store_unavailable');
    }
    throw error;
  }
}
