// Runs the syncmodes CLI from sources (under tsx), for the crash harness's child processes.
import { main } from '@syncmodes/cli';

process.exitCode = await main(process.argv.slice(2));
