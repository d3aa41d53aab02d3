import { startPostgresCluster } from './pg-cluster';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The throwaway cluster's superuser URL (see {@link postgresGlobalSetup}): each test file creates its own database on it. */
    postgresUrl: string;
  }
}

/** What vitest hands a `globalSetup` function (the part used here). */
interface ProvidingProject {
  provide(key: 'postgresUrl', value: string): void;
}

/**
 * A vitest `globalSetup`: one throwaway Postgres server for a package's whole test run,
 * its URL provided as `inject('postgresUrl')` (pass it to `createTestDatabase`), stopped
 * when the run ends. Fails the run — never skips — when the server cannot start.
 *
 * @example
 * ```ts
 * // test/postgres-global-setup.ts, listed in vitest.config.ts `test.globalSetup`
 * export { postgresGlobalSetup as default } from '@syncmodes/postgres/testing';
 * ```
 */
export async function postgresGlobalSetup(project: ProvidingProject): Promise<() => void> {
  const cluster = await startPostgresCluster();
  project.provide('postgresUrl', cluster.url);
  return () => cluster.stop();
}
