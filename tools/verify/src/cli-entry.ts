// Runs the syncmodes CLI from sources (under tsx), for the crash harness's child processes:
// as the `syncmodes` bin does (bin/syncmodes.js), `runBin` ends the process once the summary
// and the report are written. Setting `process.exitCode` after `main` instead left the
// process waiting on whatever timer an SDK left behind: the Intercom SDK (Fern's fetcher)
// does not clear its per-request timeout when the fetch rejects, so a request cut on a
// connection the emulator closed while the run was paused (SIGSTOP) kept the finished run
// alive for `requestTimeoutMs` (600 s in the concurrency check), and the check hit its own
// timeout under load (CI preview 101). Tested in test/cli-entry.test.ts.
import { runBin } from '@syncmodes/cli';

await runBin(process.argv.slice(2));
