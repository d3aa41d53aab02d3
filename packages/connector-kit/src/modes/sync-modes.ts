import { z } from 'zod';

/**
 * The three sync modes, in the order they are presented to users.
 *
 * This tuple and {@link SYNC_MODE_TABLE} are the only place in syncmodes that decides
 * what a mode allows; the engine reads them and nothing else does.
 */
export const SYNC_MODES = ['sync', 'additive', 'enrich'] as const;

/** One of {@link SYNC_MODES}. */
export type SyncMode = (typeof SYNC_MODES)[number];

/** zod schema for a sync mode (used by config files and the CLI). */
export const syncModeSchema = z.enum(SYNC_MODES).describe('Sync mode: sync, additive or enrich.');

/** The operations a mode lets the engine perform on destination records. */
export interface SyncOperations {
  /** May create destination records (or add people to an audience). */
  readonly create: boolean;
  /** May update existing destination records, including their group memberships. */
  readonly update: boolean;
  /** May delete destination records (or remove people from an audience). */
  readonly delete: boolean;
}

/** A mode's operations plus the words shown to users. */
export interface SyncModeDefinition {
  readonly mode: SyncMode;
  readonly displayName: string;
  readonly description: string;
  readonly operations: SyncOperations;
}

/**
 * The sync-mode contract: mode → allowed create / update / delete.
 *
 * | mode | create | update | delete |
 * |---|---|---|---|
 * | sync | yes | yes | yes (only records this sync owns, unless widened) |
 * | additive | yes | yes | no |
 * | enrich | no | yes | no |
 */
export const SYNC_MODE_TABLE: Readonly<Record<SyncMode, SyncModeDefinition>> = Object.freeze({
  sync: {
    mode: 'sync',
    displayName: 'Sync',
    description: 'Add, update and remove records as needed (remove only what this sync owns).',
    operations: Object.freeze({ create: true, update: true, delete: true }),
  },
  additive: {
    mode: 'additive',
    displayName: 'Additive',
    description: 'Add and update records; never remove anyone.',
    operations: Object.freeze({ create: true, update: true, delete: false }),
  },
  enrich: {
    mode: 'enrich',
    displayName: 'Enrich',
    description: 'Only update records that already exist; never add, never remove.',
    operations: Object.freeze({ create: false, update: true, delete: false }),
  },
});

/** The operations `mode` allows (see {@link SYNC_MODE_TABLE}). */
export function operationsFor(mode: SyncMode): SyncOperations {
  return SYNC_MODE_TABLE[mode].operations;
}

/** True when `value` names a sync mode. */
export function isSyncMode(value: unknown): value is SyncMode {
  return typeof value === 'string' && (SYNC_MODES as readonly string[]).includes(value);
}
