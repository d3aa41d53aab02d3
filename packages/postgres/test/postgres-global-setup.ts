import type { TestProject } from 'vitest/node';
import { startPostgresCluster } from '../src/testing/index';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The throwaway cluster's superuser URL: each test file creates its own database on it. */
    postgresUrl: string;
  }
}

/** One throwaway Postgres server for the package's test run (fails the run when it cannot start). */
export default async function setup(project: TestProject): Promise<() => void> {
  const cluster = await startPostgresCluster();
  project.provide('postgresUrl', cluster.url);
  return () => cluster.stop();
}
