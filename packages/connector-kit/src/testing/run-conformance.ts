import type { SyncMode } from '../modes/sync-modes';
import type { ConformanceCheck } from './conformance-checks';

/** How one conformance check ended when run outside vitest's test registration. */
export interface CheckOutcome {
  readonly id: string;
  readonly title: string;
  readonly mode: SyncMode;
  readonly passed: boolean;
  /** The first failed assertion (or error), when it failed. */
  readonly error?: string | undefined;
}

/** Options of {@link runConformanceChecks}. */
export interface RunChecksOptions {
  /** Stop at the first failed check (default false: run them all). */
  readonly bail?: boolean | undefined;
}

/**
 * Runs conformance checks one after another inside the current test and reports each
 * one's outcome instead of failing: the way to run the suite programmatically, e.g. to
 * prove that it catches a deliberately broken destination (the kit's own mutant tests).
 * Needs vitest (checks assert with `expect`).
 */
export async function runConformanceChecks(checks: readonly ConformanceCheck[], options: RunChecksOptions = {}): Promise<CheckOutcome[]> {
  const out: CheckOutcome[] = [];
  for (const check of checks) {
    const base = { id: check.id, title: check.title, mode: check.mode };
    try {
      await check.run();
      out.push({ ...base, passed: true });
    } catch (error) {
      out.push({ ...base, passed: false, error: error instanceof Error ? error.message : String(error) });
      if (options.bail) break;
    }
  }
  return out;
}
