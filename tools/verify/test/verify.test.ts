import { parseConfig, runSync, SqliteStateStore } from '@syncmodes/connector-kit';
import { memorySource } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { QUICK, randomSeed, replayCommand, withSeed } from '../src/profiles';
import { emptyStats } from '../src/stats';
import { RECORD_TARGETS, selectTargets } from '../src/targets';
import { SECTIONS } from '../src/verify';

// CI's short version of `npm run verify`: every section, with the quick profile and a new
// seed each run (VERIFY_SEED=<n> replays one). Each section must run scenarios and end with
// no violation.
const seed = process.env.VERIFY_SEED ? Number(process.env.VERIFY_SEED) : randomSeed();
const profile = withSeed(QUICK, seed);
console.log(`verify seed ${seed} (replay: ${replayCommand(profile)}, or VERIFY_SEED=${seed} npm test)`);

describe(`sync-mode guarantees (quick profile, seed ${seed})`, () => {
  for (const section of SECTIONS) {
    it(section.name, async () => {
      const stats = emptyStats();
      await section.run(profile, stats, () => undefined, selectTargets());
      console.log(`${section.name}: ${stats.scenarios} scenarios, ${stats.faultsInjected} faults, ${stats.killsSurvived} kills, ${stats.recordsChecked} records`);
      expect(stats.violations.map((v) => `${v} [replay: ${replayCommand(profile)}]`)).toEqual([]);
      expect(stats.scenarios).toBeGreaterThan(0);
    });
  }
});

describe('verification targets', () => {
  it('salesforce-bulk sends write batches of more than 200 records as Bulk API 2.0 ingest jobs, not collections', async () => {
    const target = RECORD_TARGETS.find((t) => t.name === 'salesforce-bulk');
    if (!target) throw new Error('no salesforce-bulk target');
    const h = target.harness;
    const t = await h.start();
    try {
      const config = parseConfig(h.destination, t.config);
      const summary = await runSync({ collectResults: true, destination: h.destination, config, source: memorySource(Array.from({ length: 201 }, (_, i) => h.record(i))), state: new SqliteStateStore(':memory:'), mode: 'additive' });
      expect(summary.counts.created).toBe(201);
      const log = await t.admin.requests();
      expect(log.filter((e) => h.classify(e) === 'create').map((e) => `${e.method} ${e.path.replace(/v\d+\.\d+/, 'vXX')}`)).toEqual(['POST /services/data/vXX/jobs/ingest']);
      expect(log.some((e) => e.path.includes('/composite/sobjects'))).toBe(false);
    } finally {
      await t.stop();
    }
  });

  it('refuses an unknown target name, naming the known ones', () => {
    expect(() => selectTargets(['nope'])).toThrow(/Unknown target "nope"\. Known targets: salesforce, intercom, onesignal, salesforce-bulk, tiny, facebook, distributed\./);
    expect(selectTargets(['facebook', 'intercom'])).toMatchObject({ records: [{ name: 'intercom' }], audiences: [{ name: 'facebook' }], distributed: false });
    expect(selectTargets(['distributed'])).toEqual({ records: [], audiences: [], distributed: true });
  });
});
