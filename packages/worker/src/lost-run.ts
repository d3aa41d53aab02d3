import type { RunRecord } from '@syncmodes/connector-kit';

/** What a run closed as `worker_lost` says of its counts. */
export const LAST_RECORDED_COUNTS =
  'Its counts are those last recorded while it ran: records written after that may not be counted. State holds what was written, so the next run compares with it and sends nothing twice.';

/**
 * A run recorded `running` whose worker is gone, closed: `stopped` with `worker_lost`, `why`
 * followed by {@link LAST_RECORDED_COUNTS}, and the counts it last recorded kept (its worker
 * wrote them at a bounded pace while it ran: see `RunProgress`).
 */
export function lostRunRecord(run: RunRecord, why: string, finishedAt = Date.now()): RunRecord {
  return { ...run, status: 'stopped', reason: { code: 'worker_lost', message: `${why} ${LAST_RECORDED_COUNTS}` }, finishedAt };
}
