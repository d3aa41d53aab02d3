import { emptyCounts, ReportTally, type OutcomeCounts, type PlannedAction, type RecordResult } from '@syncmodes/connector-kit';

/** Rows seen so far, one bit per row number. */
class RowBits {
  private bits = new Uint8Array(1024);

  add(row: number): void {
    if (row >> 3 >= this.bits.length) {
      const grown = new Uint8Array(Math.max((row >> 3) + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[row >> 3] = (this.bits[row >> 3] as number) | (1 << (row & 7));
  }

  has(row: number): boolean {
    return row >> 3 < this.bits.length && ((this.bits[row >> 3] as number) & (1 << (row & 7))) !== 0;
  }
}

/**
 * Where a CLI run's results go as they are decided: the report's tally (counts by code and
 * a few examples), the JSON report being written (when there is one), outcome and action
 * counts, and which rows have a result — so a run that ends in an error can still account
 * for every row. Nothing per record is kept beyond a bit per row.
 */
export class ResultSink {
  readonly tally = new ReportTally();
  readonly counts: OutcomeCounts = emptyCounts();
  readonly actions: Record<PlannedAction, number> = { create: 0, update: 0, delete: 0, groups: 0, none: 0, skip: 0, fail: 0 };
  private readonly rows = new RowBits();

  constructor(private readonly stream?: ((result: RecordResult) => void) | undefined) {}

  /** Takes one final result. */
  readonly add = (result: RecordResult): void => {
    this.tally.add(result);
    this.counts[result.outcome]++;
    this.actions[result.action ?? (result.outcome === 'failed' ? 'fail' : result.outcome === 'unchanged' ? 'none' : 'skip')]++;
    if (result.row !== undefined) this.rows.add(result.row);
    this.stream?.(result);
  };

  /** True when the row already has a result. */
  seen(row: number): boolean {
    return this.rows.has(row);
  }
}
