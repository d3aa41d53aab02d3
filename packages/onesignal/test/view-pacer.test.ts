import { describe, expect, it } from 'vitest';
import { ViewPacer, viewSpacing } from '../src/client/view-pacer';

describe('ViewPacer', () => {
  it('spaces reads evenly at the configured rate, never finer than a timer can wait (1 ms)', () => {
    expect(viewSpacing(1)).toEqual({ interval: 1_000, intervalCap: 1 });
    expect(viewSpacing(10)).toEqual({ interval: 100, intervalCap: 1 });
    expect(viewSpacing(1_000)).toEqual({ interval: 1, intervalCap: 1 });
    // Above 1,000 a second the interval stays at 1 ms and more reads start in it: the rate is the setting.
    for (const perSecond of [1_001, 2_500, 1_000_000]) {
      const { interval, intervalCap } = viewSpacing(perSecond);
      expect(interval).toBeGreaterThanOrEqual(1);
      expect((intervalCap * 1_000) / interval).toBeLessThanOrEqual(perSecond);
      expect((intervalCap * 1_000) / interval).toBeGreaterThan(perSecond - 1_000);
    }
  });

  it('lets no more than its rate start: at 1 a second, the second read waits for the next second', async () => {
    const pacer = new ViewPacer(1);
    const started: number[] = [];
    const read = () => Promise.resolve(started.push(Date.now()));
    await Promise.all([pacer.run(read), pacer.run(read)]);
    expect(started).toHaveLength(2);
    expect((started[1] as number) - (started[0] as number)).toBeGreaterThanOrEqual(990);
  });
});
