/** `@syncmodes/cli`: the `syncmodes` command line, callable as a function for tests and scripts. */
export { main, commandTree, describeError, type MainOptions } from './program';
export { FLAG_HINTS, reportWithFlags, withFlags, type FlagHint } from './output/flag-hints';
export { runBin } from './bin';
export { EXIT, UsageError } from './registry/exit-codes';
export { syncJobSchema, type SyncJob, type SyncJobInput } from './run/sync-job';
export { syncJobJsonSchema } from './run/sync-job-json-schema';
export { exitCodeOf, runSyncJob, STDIN, type CliIo, type RunSettings, type SyncJobResult } from './run/run-sync-job';
export { escapeControl, escapeJsonControl } from './output/safe-text';
export { jsonSummary, type OutputMode } from './output/print-run';
export { type JsonReportFile } from './output/report-stream';
export { findSync } from './commands/state-command';
export { checkExitCode } from './commands/check-command';
export { processInterrupts, type Interrupts, type StopStage } from './run/interrupts';
export { catchEarlyInterrupts, type EarlyInterrupts } from './early-interrupts';
export { STATE_FILE, openState, stateError } from './run/open-state';
export { resetState } from './run/reset-state';
export { builtInEntries, destinationEntries, findDestination, pluginEntries, type DestinationEntry } from './registry/destinations';
export { PLUGIN_PREFIX, findPluginPackages, pluginIdOf, type PluginPackage } from './registry/plugins';
