// `npm run verify` (full) / `npm run verify -- --quick`: proves the sync-mode guarantees
// under faults, crashes and bad input, for every destination, and prints the figures.
import { FULL, QUICK } from './profiles';
import { formatSummary, verifyAll } from './verify';

const profile = process.argv.includes('--quick') ? QUICK : FULL;
const result = await verifyAll(profile, (line) => process.stderr.write(`${line}\n`));
process.stdout.write(`${formatSummary(profile, result)}\n`);
process.exitCode = result.total.violations.length === 0 ? 0 : 1;
