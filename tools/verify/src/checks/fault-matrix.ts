import { configFields, type SyncMode } from '@syncmodes/connector-kit';
import type { FaultKind, FaultRule } from '@syncmodes/connector-kit/emulator';
import { SEEDED_BASE, type HistorySpec, type RowSpec } from '../model/history';
import type { VerifyStats } from '../stats';
import type { RecordTarget } from '../targets';
import { runAudienceScenario, type AudienceTarget } from './audience-scenario';
import { runRecordsScenario } from './records-scenario';

/**
 * The faults of the matrix, each injected into up to 20% of requests (token expiry: after a few calls, for good).
 * `foreign_body`: a handled request answered with a login page (second trial of stop 31).
 */
export const FAULT_KINDS: readonly FaultKind[] = ['rate_limit', 'server_error', 'timeout', 'stalled_body', 'reset', 'lost_response', 'auth_expired', 'foreign_body'];

/** Kinds that hold a request until the client's own timeout cuts it. */
const HOLDS = new Set<FaultKind>(['timeout', 'stalled_body']);

/** The emulator fault rules for one kind at `rate` (0–1) of vendor requests (admin endpoints spared). */
export function rules(kind: FaultKind, rate: number): FaultRule[] {
  const path = '^/(?!__emulator)';
  switch (kind) {
    case 'timeout':
    case 'stalled_body':
      return [{ kind, rate, latencyMs: 1_500, path }];
    case 'auth_expired':
      return [{ kind, after: 4, path }];
    default:
      return [{ kind, rate, retryAfterSec: 0.02, status: 503, path }];
  }
}

/** A fixed two-step history: `size` rows (some on seeded records, in groups), then edits, removals, additions. */
export function matrixHistory(kind: FaultKind, rate: number, size = 24): HistorySpec {
  const rows: RowSpec[] = Array.from({ length: size }, (_, i) => ({
    id: `r${i}`,
    // Rows past the first three never take a seeded record's key.
    keyIndex: i < 3 ? SEEDED_BASE + i : i < SEEDED_BASE ? i : i + 1_000,
    value: i % 3 === 0 ? null : i % 3 === 1 ? 'A' : 'B',
    groups: i % 2 === 0 ? ['alpha'] : ['alpha', 'beta'],
  }));
  const second: RowSpec[] = [
    ...rows.filter((_, i) => i % 5 !== 4).map((r, i) => (i % 4 === 0 ? { ...r, value: r.value === 'A' ? null : ('A' as const), groups: ['beta' as const] } : r)),
    ...Array.from({ length: 4 }, (_, i) => ({ id: `r${size + 6 + i}`, keyIndex: (size < SEEDED_BASE ? size : size + 1_000) + 6 + i, value: 'B' as const, groups: ['alpha' as const] })),
  ];
  return { label: `${kind} at ${Math.round(rate * 100)}%`, seeded: [SEEDED_BASE, SEEDED_BASE + 1, SEEDED_BASE + 2], steps: [{ rows, faults: rules(kind, rate) }, { rows: second, faults: rules(kind, rate) }] };
}

/**
 * For a destination and mode, injects each fault kind in turn (the emulator picks the
 * failing requests from `seed`) and checks, as the property
 * tests do, that every record ends with the outcome its mode implies (or a retryable
 * failure / not_sent), nothing is lost or duplicated, and after a repair run the data is
 * what the mode promises. Timeouts use a short client timeout where the destination has
 * `requestTimeoutMs`.
 */
export async function runFaultMatrix(target: RecordTarget, mode: SyncMode, rate: number, stats: VerifyStats, kinds: readonly FaultKind[] = FAULT_KINDS, seed = 1_000): Promise<void> {
  const hasTimeout = configFields(target.harness.destination.configSchema).some((f) => f.key === 'requestTimeoutMs');
  for (const [i, kind] of kinds.entries()) {
    if (HOLDS.has(kind) && !hasTimeout) {
      stats.violations.push(`${target.name}: no requestTimeoutMs option, so a hung request cannot be cut short`);
      continue;
    }
    await runRecordsScenario(target, mode, matrixHistory(kind, rate, target.matrixRows), seed + i, stats, HOLDS.has(kind) ? { requestTimeoutMs: 300 } : {});
  }
}

/** The same matrix for an audience destination. */
export async function runAudienceFaultMatrix(target: AudienceTarget, mode: SyncMode, rate: number, stats: VerifyStats, kinds: readonly FaultKind[] = FAULT_KINDS, seed = 1_000): Promise<void> {
  const hasTimeout = configFields(target.harness.destination.configSchema).some((f) => f.key === 'requestTimeoutMs');
  for (const [i, kind] of kinds.entries()) {
    if (HOLDS.has(kind) && !hasTimeout) {
      stats.violations.push(`${target.name}: no requestTimeoutMs option, so a hung request cannot be cut short`);
      continue;
    }
    await runAudienceScenario(target, mode, matrixHistory(kind, rate), seed + i, stats, HOLDS.has(kind) ? { requestTimeoutMs: 300 } : {});
  }
}
