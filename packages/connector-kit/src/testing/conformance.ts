import { describe, it } from 'vitest';
import type { z } from 'zod';
import { conformanceChecks, type ConformanceOptions } from './conformance-checks';
import type { ConformanceHarness } from './harness';

export { memorySource } from './memory-source';
export type { ConformanceOptions } from './conformance-checks';

/**
 * Registers the sync-mode conformance tests (vitest) for a destination and its emulator,
 * for every mode it supports: one test per check of {@link conformanceChecks}. Every
 * assertion reads the emulator's request log and data (and the run's results).
 *
 * Proves, per mode: the operation matrix (enrich never creates; additive and enrich never
 * delete; sync deletes exactly the owned records that left); each record is written under
 * its own key with the id the run reports, found and not-found records mixed in one lookup
 * batch; an update writes every property it changes, and clearing a property clears it;
 * an unchanged rerun sends nothing; a bad record fails alone; write batches fill and
 * respect the API limit; 429 / 5xx / cut connections / lost answers are retried without
 * failures or duplicates, every 429 waited as a rate limit, a 5xx never fails a
 * one-record write; refused credentials stop the run at once, and credentials that expire
 * mid-run stop it with the rest `not_sent` and nothing more sent; a key several
 * destination records hold fails `ambiguous_match` and writes to none (where the API
 * allows duplicates: `duplicateKeys`); a record deleted between lookup and write is never
 * reported updated (with `remove`); keys match as the API compares them (with
 * `keyVariant`); a key change updates in place (`matchKeyChangeable`); group membership
 * follows the source for every member; every code a run reports is the kit's or declared
 * in `errorCodes` (when the destination declares them). Unsupported modes are refused at
 * configuration time.
 */
export function describeConformance<Schema extends z.ZodType>(harness: ConformanceHarness<Schema>, options: ConformanceOptions = {}): void {
  const checks = conformanceChecks(harness, options);
  describe(`${harness.destination.displayName} conformance`, () => {
    for (const check of checks.filter((c) => c.id === 'unsupported-mode')) it(check.title, () => check.run());
    const modes = [...new Set(checks.filter((c) => c.id !== 'unsupported-mode').map((c) => c.mode))];
    for (const mode of modes) {
      describe(`${mode} mode`, () => {
        for (const check of checks.filter((c) => c.mode === mode && c.id !== 'unsupported-mode')) it(check.title, () => check.run());
      });
    }
  });
}
