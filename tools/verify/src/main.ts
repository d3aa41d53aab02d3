// `npm run verify` (full) / `npm run verify -- --quick`: proves the sync-mode guarantees
// under faults, crashes and bad input, for every destination, and prints the figures.
import { parseArgs } from 'node:util';
import { FULL, QUICK } from './profiles';
import { RECORD_TARGETS, AUDIENCE_TARGETS, selectTargets, type Targets } from './targets';
import { formatSummary, verifyAll } from './verify';

const USAGE = `Usage: npm run verify -- [--quick] [--only <target,…>]

Proves the sync-mode guarantees against each destination's emulator: property-based
histories with faults, a fault matrix, SIGKILL crashes, bad input, secrets, guards.
Prints scenarios run, faults injected, kills survived, records checked and violations;
exits 1 when there is a violation.

  --quick         the short profile CI runs (a few minutes); default: the full one
  --only <list>   only these targets (comma-separated): ${[...RECORD_TARGETS, ...AUDIENCE_TARGETS].map((t) => t.name).join(', ')}
                  (the bad-input and secrets checks always run)
  -h, --help      this text
`;

let quick = false;
let targets: Targets;
try {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, only: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  quick = values.quick === true;
  targets = selectTargets(values.only?.split(',').map((n) => n.trim()).filter(Boolean));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}

const profile = quick ? QUICK : FULL;
const result = await verifyAll(profile, (line) => process.stderr.write(`${line}\n`), targets);
process.stdout.write(`${formatSummary(profile, result)}\n`);
process.exitCode = result.total.violations.length === 0 ? 0 : 1;
