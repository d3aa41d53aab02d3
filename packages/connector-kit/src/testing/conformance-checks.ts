import { expect } from 'vitest';
import type { z } from 'zod';
import { UnsupportedModeError } from '../errors/sync-error';
import { operationsFor, SYNC_MODES, type SyncMode } from '../modes/sync-modes';
import { withCheckContext } from './check-context';
import { authMidRunCheck, authRefusedCheck } from './checks/auth-checks';
import { badRecordCheck, batchLimitCheck, faultsCheck, serverErrorCheck } from './checks/batch-checks';
import type { CheckSpec } from './checks/check-spec';
import { everyMemberCheck, groupsCheck } from './checks/group-checks';
import { ambiguousCheck, deletedAtWriteCheck, foundAndNotFoundCheck, keyCaseCheck } from './checks/lookup-checks';
import { clearsCheck, createsCheck, deleteBesideDuplicateCheck, deletesCheck, keyChangeCheck, rerunCheck, sharedRecordCheck, updateEveryPropertyCheck, updatesCheck } from './checks/write-checks';
import type { ConformanceHarness } from './harness';

/** The checks run in every mode the destination supports, in this order. */
export const MODE_CHECKS: readonly CheckSpec[] = [
  createsCheck,
  updatesCheck,
  updateEveryPropertyCheck,
  deletesCheck,
  deleteBesideDuplicateCheck,
  sharedRecordCheck,
  rerunCheck,
  badRecordCheck,
  batchLimitCheck,
  faultsCheck,
  serverErrorCheck,
  authRefusedCheck,
  authMidRunCheck,
  foundAndNotFoundCheck,
  ambiguousCheck,
  deletedAtWriteCheck,
  keyCaseCheck,
  keyChangeCheck,
  clearsCheck,
  groupsCheck,
  everyMemberCheck,
];

/** One conformance check, bound to a destination, its harness and a mode: ready to run. */
export interface ConformanceCheck {
  /** Stable kebab-case id (e.g. `auth-mid-run`; `unsupported-mode` for the refusals). */
  readonly id: string;
  /** What it proves (the vitest test name). */
  readonly title: string;
  /** The mode it runs in; for `unsupported-mode`, the mode that must be refused. */
  readonly mode: SyncMode;
  /** Starts a fresh emulator, runs the check and stops the emulator. @throws the first failed assertion. */
  run(): Promise<void>;
}

/** Options of {@link conformanceChecks} and `describeConformance`. */
export interface ConformanceOptions {
  /** Modes to test (default: every mode the destination supports). */
  readonly modes?: readonly SyncMode[];
}

/** The refusal of a mode the destination does not support. */
function unsupportedMode<Schema extends z.ZodType>(harness: ConformanceHarness<Schema>, mode: SyncMode): ConformanceCheck {
  const supported = harness.destination.syncModes;
  return {
    id: 'unsupported-mode',
    title: `refuses ${mode} mode at configuration time, naming the supported modes`,
    mode,
    run: () =>
      withCheckContext(harness, mode, async (t) => {
        await expect(t.run([harness.record(1)])).rejects.toThrow(UnsupportedModeError);
        await expect(t.run([harness.record(1)])).rejects.toThrow(new RegExp(supported.join(', ')));
        expect(await t.requests()).toEqual([]);
      }),
  };
}

/**
 * Every conformance check that applies to the harness's destination: the refusal of each
 * mode it does not support, then {@link MODE_CHECKS} for each mode tested. Each check
 * starts its own emulator; run them one at a time (vitest does, or a loop).
 */
export function conformanceChecks<Schema extends z.ZodType>(harness: ConformanceHarness<Schema>, options: ConformanceOptions = {}): ConformanceCheck[] {
  const destination = harness.destination;
  const refusals = SYNC_MODES.filter((m) => !destination.syncModes.includes(m)).map((m) => unsupportedMode(harness, m));
  const modes = options.modes ?? destination.syncModes;
  const checks = modes.flatMap((mode) =>
    MODE_CHECKS.filter((spec) => spec.applies?.(harness as ConformanceHarness<z.ZodType>) ?? true).map(
      (spec): ConformanceCheck => ({
        id: spec.id,
        title: spec.title(operationsFor(mode)),
        mode,
        run: () => withCheckContext(harness, mode, (t) => spec.body(t)),
      }),
    ),
  );
  return [...refusals, ...checks];
}
