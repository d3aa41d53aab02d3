import type { Logger, RecordResult, SyncRunSummary } from '@syncmodes/connector-kit';
import type { ConformanceRecord } from '@syncmodes/connector-kit/testing';
import type { RequestLogEntry } from '@syncmodes/connector-kit/emulator';

/** Fast retries for tests (waits in ms). */
export const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };

/** A source record with Intercom mapping targets as properties. */
export function person(i: number, properties: Record<string, string | null> = {}, groups: string[] = []): ConformanceRecord {
  return {
    id: `p${i}`,
    snapshot: {
      properties: { external_id: `ext-${i}`, email: `p${i}@example.com`, name: `Person ${i}`, ...properties },
      groups,
    },
  };
}

/** `id → outcome[:code]` of a run. */
export function outcomes(summary: SyncRunSummary): Record<string, string> {
  return Object.fromEntries(summary.results.map((r: RecordResult) => [r.id, r.code ? `${r.outcome}:${r.code}` : r.outcome]));
}

/** Requests of the log, as `METHOD /path → status`, with contact and tag ids replaced by `:id`. */
export function calls(log: readonly RequestLogEntry[]): string[] {
  return log.map((e) => `${e.method} ${e.path.replace(/\/contacts\/[0-9a-f]{24}/, '/contacts/:id').replace(/\/tags\/\d+$/, '/tags/:tag')} → ${e.status}`);
}

/** A logger that keeps what it is told, for assertions on warnings. */
export function memoryLogger(): Logger & { readonly lines: { level: string; message: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, ...(fields ? { fields } : {}) });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
