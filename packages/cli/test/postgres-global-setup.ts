// One throwaway Postgres server for the CLI's test run (see postgresGlobalSetup). By path:
// vitest loads global setups without the `@syncmodes/source` condition, and tests need no build.
export { postgresGlobalSetup as default } from '../../postgres/src/testing/index';
