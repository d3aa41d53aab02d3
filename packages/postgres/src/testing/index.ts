/**
 * `@syncmodes/postgres/testing`: a throwaway Postgres server for tests (the system's server
 * binaries, a temp folder, loopback only) and one fresh database per test file.
 */
export { startPostgresCluster, type PostgresCluster, type PostgresClusterOptions } from './pg-cluster';
export { findPostgresBinaries } from './pg-binaries';
export { createTestDatabase } from './test-database';
export { postgresGlobalSetup } from './global-setup';
