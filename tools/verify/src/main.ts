// `npm run verify` (full) / `npm run verify -- --quick`: proves the sync-mode guarantees
// under faults, crashes and bad input, for every destination, and prints the figures.
import { parseArgs } from 'node:util';
import { FULL, QUICK, randomSeed, replayCommand, withSeed } from './profiles';
import { RECORD_TARGETS, AUDIENCE_TARGETS, DISTRIBUTED_TARGET, selectTargets, type Targets } from './targets';
import { formatSummary, verifyAll } from './verify';

const USAGE = `Usage: npm run verify -- [--quick] [--seed <n>] [--only <target,…>]

Proves the sync-mode guarantees against each destination's emulator: property-based
histories with faults (ambiguous keys, id and key changes, two rows for one record), a
fault matrix, SIGKILL crashes, two runs of one sync at once, state writes failing mid-run,
three worker processes on a throwaway Postgres (SIGKILL, SIGSTOP), bad input, secrets, guards. Prints scenarios run, faults injected, kills survived, records
checked and violations; exits 1 when there is a violation.

  --quick         the short profile CI runs (a few minutes); default: the full one
  --seed <n>      replay a run: every history, fault point and kill point follows the seed
                  (default: a new random seed, printed first and in every violation)
  --only <list>   only these targets (comma-separated): ${[...RECORD_TARGETS, ...AUDIENCE_TARGETS].map((t) => t.name).join(', ')}, ${DISTRIBUTED_TARGET}
                  (the bad-input and secrets checks always run)
  -h, --help      this text
`;

let quick = false;
let seed = randomSeed();
let only: string[] | undefined;
let targets: Targets;
try {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, seed: { type: 'string' }, only: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  quick = values.quick === true;
  if (values.seed !== undefined) {
    if (!/^\d{1,10}$/.test(values.seed.trim()) || Number(values.seed) >= 2 ** 31) throw new Error(`--seed must be a whole number from 0 to ${2 ** 31 - 1}, got "${values.seed}".`);
    seed = Number(values.seed);
  }
  only = values.only?.split(',').map((n) => n.trim()).filter(Boolean);
  targets = selectTargets(only);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}

const profile = withSeed(quick ? QUICK : FULL, seed);
process.stderr.write(`seed ${seed} (replay: ${replayCommand(profile, only)})\n`);
const result = await verifyAll(profile, (line) => process.stderr.write(`${line}\n`), targets);
process.stdout.write(`${formatSummary(profile, result)}\n`);
process.exitCode = result.total.violations.length === 0 ? 0 : 1;
