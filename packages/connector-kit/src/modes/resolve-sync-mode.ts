import { UnsupportedModeError } from '../errors/sync-error';
import { isSyncMode, type SyncMode } from './sync-modes';

/** What a destination declares about modes (a subset of its definition). */
export interface DeclaredModes {
  readonly id: string;
  readonly syncModes: readonly SyncMode[];
  readonly defaultSyncMode?: SyncMode | undefined;
  /** Why a mode is missing, shown when a user asks for it (e.g. "the API cannot…"). */
  readonly unsupportedModeReasons?: Partial<Record<SyncMode, string>> | undefined;
}

/**
 * Chooses the mode for a run, at configuration time.
 *
 * - An explicit mode wins, if the destination supports it.
 * - Otherwise the destination's default; a destination with a single mode uses it.
 *
 * @throws {@link UnsupportedModeError} (`unsupported_mode`) when the requested mode is not
 *   one of the destination's, or is not a mode at all; the message names the supported
 *   modes and, where declared, the reason.
 */
export function resolveSyncMode(destination: DeclaredModes, requested?: string): SyncMode {
  const supported = destination.syncModes;
  if (requested !== undefined && requested !== '') {
    if (!isSyncMode(requested) || !supported.includes(requested)) {
      const reason = isSyncMode(requested) ? destination.unsupportedModeReasons?.[requested] : undefined;
      throw new UnsupportedModeError(destination.id, requested, supported, reason);
    }
    return requested;
  }
  if (destination.defaultSyncMode) return destination.defaultSyncMode;
  if (supported.length === 1 && supported[0]) return supported[0];
  throw new UnsupportedModeError(destination.id, '(none)', supported, 'choose one with the mode option');
}
