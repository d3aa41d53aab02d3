import type { PlannedAction, RecordResult } from '../records/outcome';

/** Most example records kept per failure or skip code. */
export const EXAMPLES_PER_CODE = 20;
/** Most records kept per planned action for a dry run's plan. */
export const PLAN_EXAMPLES_PER_ACTION = 50;

type Kept = Record<string, RecordResult[]>;

/**
 * What a report needs of a run's results, in bounded memory: counts by failure and skip
 * code, a few example records per code (the first ones), input rows vs records that left
 * the source, and for a dry run a bounded sample of the plan per action. Feed it every
 * result as it is decided (`runSync`'s `onResult`); nothing per record is held beyond the
 * bounds.
 */
export class ReportTally {
  readonly codes: { failed: Record<string, number>; skipped: Record<string, number> } = { failed: {}, skipped: {} };
  readonly examples: { failed: Kept; skipped: Kept } = { failed: {}, skipped: {} };
  readonly plan: Partial<Record<PlannedAction, RecordResult[]>> = {};
  inputRows = 0;
  departed = 0;

  constructor(
    private readonly examplesPerCode = EXAMPLES_PER_CODE,
    private readonly planPerAction = PLAN_EXAMPLES_PER_ACTION,
  ) {}

  /** Counts one result (and keeps it as an example while there is room). */
  readonly add = (result: RecordResult): void => {
    if (result.row === undefined) this.departed++;
    else this.inputRows++;
    if (result.outcome === 'failed' || result.outcome === 'skipped') {
      const code = result.code ?? 'unknown';
      const counts = this.codes[result.outcome];
      counts[code] = (counts[code] ?? 0) + 1;
      const kept = (this.examples[result.outcome][code] ??= []);
      if (kept.length < this.examplesPerCode) kept.push(result);
    }
    if (result.action) {
      const kept = (this.plan[result.action] ??= []);
      if (kept.length < this.planPerAction) kept.push(result);
    }
  };
}
