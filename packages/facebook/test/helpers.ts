import type { Logger } from '@syncmodes/connector-kit';

export { sharedDataFile } from '../../../tools/test/shared-data';

/** A logger keeping every entry, for assertions. */
export function recordingLogger() {
  const entries: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, fields: Record<string, unknown> = {}) => void entries.push({ level, message, fields });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, entries };
}

/** Fast retries for tests (the real policy waits seconds). */
export const FAST_RETRY = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 } as const;
