import { describe, expect, it } from 'vitest';
import { nextRunAt } from '../src/next-run';

// Fresh helper 107, minor 8: `schedule list` showed no next-run time.
describe('nextRunAt', () => {
  const now = Date.UTC(2026, 11, 7, 6, 30); // Monday 2026-12-07 06:30 UTC
  it('a cron sync: the expression\'s next time, in its time zone (UTC by default)', () => {
    expect(new Date(nextRunAt({ paused: false, cron: '0 3 * * *' }, [], now) ?? 0).toISOString()).toBe('2026-12-08T03:00:00.000Z');
    // 03:00 in Oslo is 02:00 UTC in winter.
    expect(new Date(nextRunAt({ paused: false, cron: '0 3 * * *', tz: 'Europe/Oslo' }, [], now) ?? 0).toISOString()).toBe('2026-12-08T02:00:00.000Z');
    expect(new Date(nextRunAt({ paused: false, cron: '*/15 * * * 1-5' }, [], now) ?? 0).toISOString()).toBe('2026-12-07T06:45:00.000Z');
  });
  it('a queued run: its start (the earliest; now when it is due already), before the cron expression', () => {
    const starts = [new Date(now + 120_000), new Date(now + 60_000)];
    expect(nextRunAt({ paused: false, cron: '0 3 * * *' }, starts, now)).toBe(now + 60_000);
    expect(nextRunAt({ paused: false }, [new Date(now - 5_000)], now)).toBe(now);
  });
  it('nothing known: paused, or an --every sync with nothing queued (its run in progress queues the next)', () => {
    expect(nextRunAt({ paused: true, cron: '0 3 * * *' }, [new Date(now)], now)).toBeUndefined();
    expect(nextRunAt({ paused: false }, [], now)).toBeUndefined();
  });
});
