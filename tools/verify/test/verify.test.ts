import { describe, expect, it } from 'vitest';
import { QUICK } from '../src/profiles';
import { emptyStats } from '../src/stats';
import { SECTIONS } from '../src/verify';

// CI's short version of `npm run verify`: every section, with the quick profile. Each
// section must run scenarios and end with no violation.
describe('sync-mode guarantees (quick profile)', () => {
  for (const section of SECTIONS) {
    it(section.name, async () => {
      const stats = emptyStats();
      await section.run(QUICK, stats, () => undefined);
      console.log(`${section.name}: ${stats.scenarios} scenarios, ${stats.faultsInjected} faults, ${stats.killsSurvived} kills, ${stats.recordsChecked} records`);
      expect(stats.violations).toEqual([]);
      expect(stats.scenarios).toBeGreaterThan(0);
    });
  }
});
