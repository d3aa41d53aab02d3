/** `@syncmodes/cli`: the `syncmodes` command line, callable as a function for tests and scripts. */
export { main, type MainOptions } from './program';
export { EXIT, UsageError } from './registry/exit-codes';
export { syncJobSchema, type SyncJob, type SyncJobInput } from './run/sync-job';
export { syncJobJsonSchema } from './run/sync-job-json-schema';
export { runSyncJob, type CliIo, type RunSettings, type SyncJobResult } from './run/run-sync-job';
export { builtInEntries, destinationEntries, findDestination, pluginEntries, type DestinationEntry } from './registry/destinations';
export { PLUGIN_PREFIX, findPluginPackages, pluginIdOf, type PluginPackage } from './registry/plugins';
