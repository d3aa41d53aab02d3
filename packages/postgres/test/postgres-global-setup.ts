// One throwaway Postgres server for this package's test run (see postgresGlobalSetup).
export { postgresGlobalSetup as default } from '../src/testing/index';
