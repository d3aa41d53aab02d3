import type { z } from 'zod';
import type { SyncOperations } from '../../modes/sync-modes';
import type { CheckContext } from '../check-context';
import type { ConformanceHarness } from '../harness';

/** One conformance check as the suite declares it, before it is bound to a mode. */
export interface CheckSpec {
  /** Stable kebab-case id (e.g. `auth-mid-run`), used to name the check outside vitest. */
  readonly id: string;
  /** What the check proves, in the mode's terms (the vitest test name). */
  title(ops: SyncOperations): string;
  /** Whether the check applies to this destination (default: always). */
  applies?(harness: ConformanceHarness<z.ZodType>): boolean;
  body<Schema extends z.ZodType>(t: CheckContext<Schema>): Promise<void>;
}

/** Record `i` with the harness's clearable property set to `value`. */
export function withClearable<Schema extends z.ZodType>(t: CheckContext<Schema>, i: number, value: string | null) {
  return t.harness.withProperties(t.harness.record(i), { [t.harness.clearableProperty]: value });
}
