import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { QUICK, randomSeed, replayCommand, withSeed } from '../src/profiles';
import { emptyStats } from '../src/stats';
import { selectTargets } from '../src/targets';
import { SECTIONS } from '../src/verify';

/**
 * The sections whose scenarios mostly wait on processes they start (the CLI killed with
 * SIGKILL mid-run; worker processes on Postgres): run from a test file of their own, beside
 * the rest, so the two halves overlap instead of queueing on one vitest worker.
 */
export function isProcessSection(name: string): boolean {
  return name.startsWith('crashes') || name.startsWith('distributed');
}

/**
 * The seed of a CI run (`CI` set): taken from the checked-out commit, so CI and a preview of
 * the same commit run the same histories and a CI failure replays exactly (CI of stop 51
 * failed on a seed no run before it had tried). A new commit gets a new seed. Undefined
 * outside a git checkout.
 */
function commitSeed(): number | undefined {
  if (!process.env.CI) return undefined;
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return /^[0-9a-f]{8}/.test(head) ? Number.parseInt(head.slice(0, 8), 16) % 2 ** 30 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One test per section `which` selects, with the quick profile and a new seed each run (in
 * CI, the commit's: {@link commitSeed}; VERIFY_SEED=<n> replays one): each must run scenarios
 * and end with no violation.
 * Every section is selected by exactly one of the two files (`isProcessSection` or not).
 */
export function sectionTests(which: (name: string) => boolean): void {
  const seed = process.env.VERIFY_SEED ? Number(process.env.VERIFY_SEED) : (commitSeed() ?? randomSeed());
  const profile = withSeed(QUICK, seed);
  console.log(`verify seed ${seed} (replay: ${replayCommand(profile)}, or VERIFY_SEED=${seed} npm test)`);
  const sections = SECTIONS.filter((s) => which(s.name));
  describe(`sync-mode guarantees (quick profile, seed ${seed})`, () => {
    it('selects sections', () => expect(sections.length).toBeGreaterThan(0));
    for (const section of sections) {
      it(section.name, async () => {
        const stats = emptyStats();
        await section.run(profile, stats, () => undefined, selectTargets());
        console.log(`${section.name}: ${stats.scenarios} scenarios, ${stats.faultsInjected} faults, ${stats.killsSurvived} kills, ${stats.recordsChecked} records`);
        expect(stats.violations.map((v) => `${v} [replay: ${replayCommand(profile)}]`)).toEqual([]);
        expect(stats.scenarios).toBeGreaterThan(0);
      });
    }
  });
}
