import { afterAll, describe, expect, it } from 'vitest';
import { conformanceChecks, runConformanceChecks } from '../src/testing/index';
import { MUTANTS } from './mutants/catalogue';
import type { Mutant } from './mutants/mutant';
import { tinyDestination } from './tiny/tiny-destination';
import type { TinyEmulatorOptions } from './tiny/tiny-emulator';
import { tinyHarnessFor } from './tiny/tiny-harness';

/** The bugs issue #12 lists, each planted by (at least) the named mutant. */
const REQUIRED = [
  'auth-as-record-failure', // a 401 that does not stop the run
  'auth-swallowed-in-lookup',
  'update-404-as-success', // a 404 on update reported as success
  'lookup-neighbour-ref', // a lookup that marks a neighbouring record as found
  'lookup-by-position',
  'lookup-first-match-only', // a lookup that drops one match of several
  'create-ids-reversed', // a create that returns ids in the wrong order
  'batch-result-missing-one', // a batch result missing one record
  'rate-limit-as-failure', // a 429 treated as a failure
  'delete-neighbour-id', // a delete that deletes a different id
  'group-add-not-sent', // a group add reported but not sent
  'update-drops-field', // an update that drops a field
  'create-resent-by-connector', // a retry that resends a create after a lost response
];

const caught: string[] = [];

/** Runs the checks that the catalogue says catch `mutant`; when none fails, the whole suite, to say what (if anything) does. */
async function verdict(mutant: Mutant): Promise<string | undefined> {
  const harness = tinyHarnessFor(mutant.destination, mutant.emulator);
  const all = conformanceChecks(harness);
  const named = all.filter((c) => c.id === mutant.caughtBy.check && (mutant.caughtBy.modes ?? [c.mode]).includes(c.mode));
  if (named.length === 0) return `no check "${mutant.caughtBy.check}" in the modes named`;
  const failed = (await runConformanceChecks(named)).filter((o) => !o.passed);
  if (failed.length > 0) return undefined;
  const others = (await runConformanceChecks(all, { bail: true })).filter((o) => !o.passed);
  const elsewhere = others.map((o) => `${o.mode} / ${o.id}`).join(', ');
  return `check "${mutant.caughtBy.check}" passed it; ${elsewhere ? `the suite fails it elsewhere (${elsewhere})` : 'the whole suite passes it'}`;
}

describe('the conformance suite proves itself: every planted mutant of the tiny destination fails it', () => {
  afterAll(() => {
    console.log(`conformance mutants: ${caught.length} of ${MUTANTS.length} caught`);
  });

  it('plants at least 15 mutants, with distinct names, covering every bug issue #12 lists', () => {
    const names = MUTANTS.map((m) => m.name);
    expect(names.length).toBeGreaterThanOrEqual(15);
    expect(new Set(names).size).toBe(names.length);
    expect(REQUIRED.filter((n) => !names.includes(n))).toEqual([]);
  });

  const emulators: [string, TinyEmulatorOptions][] = [
    ['unique keys', {}],
    ['duplicate keys allowed', { uniqueKeys: false }],
  ];
  it.each(emulators)('control: the unbroken tiny destination passes every check over an emulator with %s', async (_, options) => {
    const harness = tinyHarnessFor(tinyDestination, options);
    const failed = (await runConformanceChecks(conformanceChecks(harness))).filter((o) => !o.passed);
    expect(failed.map((o) => `${o.mode} / ${o.id}: ${o.error}`)).toEqual([]);
  }, 180_000);

  it.each(MUTANTS.map((m) => [m.name, m] as const))('catches %s', async (name, mutant) => {
    const why = await verdict(mutant);
    expect(why, `mutant ${name} (${mutant.breaks}) was not caught`).toBeUndefined();
    caught.push(name);
  }, 120_000);
});
