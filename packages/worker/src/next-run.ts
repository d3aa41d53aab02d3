import { CronExpressionParser } from 'cron-parser';
import type { StoredSync } from './definitions';

/**
 * When a stored sync runs next, epoch ms, as `schedule list` shows it: its queued run's start
 * (the earliest, when one waits), else its cron expression's next time in its time zone
 * (pg-boss evaluates the same expression with cron-parser), else nothing known — paused, or
 * an `--every` sync whose next run is queued when its run in progress ends (fresh helper
 * 107, minor 8: the list showed no next-run time).
 */
export function nextRunAt(sync: Pick<StoredSync, 'paused' | 'cron' | 'tz'>, queuedStarts: readonly Date[], now = Date.now()): number | undefined {
  if (sync.paused) return undefined;
  if (queuedStarts.length > 0) return Math.max(now, Math.min(...queuedStarts.map((d) => d.getTime())));
  if (!sync.cron) return undefined;
  try {
    return CronExpressionParser.parse(sync.cron, { tz: sync.tz ?? 'UTC', currentDate: new Date(now) }).next().getTime();
  } catch {
    return undefined;
  }
}
