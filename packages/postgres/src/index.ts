/**
 * `@syncmodes/postgres`: Postgres for syncmodes on Node 20 — the state store every machine
 * shares (leases, fenced writes, run history) and a source that streams a query with a
 * cursor. Workers and schedules are in `@syncmodes/worker` (Node 22).
 */
export { PostgresStateStore, type PostgresStateStoreOptions } from './state/postgres-state-store';
export { DEFAULT_SCHEMA } from './state/pg-schema';
export { pgStoreError } from './state/pg-errors';
export { databaseSecrets, isPostgresUrl, redactDatabaseUrl } from './database-url';
export { postgresSource, type PostgresSourceOptions } from './source/postgres-source';
export { sourceTypeParser } from './source/row-values';
export { accountKeyOf } from './limits/account-key';
export { sharedBudget, type RateLimit, type SharedBudget } from './limits/shared-budget';
export { PostgresSharedLimiter, type PostgresSharedLimiterOptions } from './limits/postgres-shared-limiter';
