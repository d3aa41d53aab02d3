import { openSource, runSync, type SyncRunSummary } from '@syncmodes/connector-kit';
import { destination } from '@syncmodes/salesforce';
import { EMULATOR_ACCESS_TOKEN } from '@syncmodes/salesforce/emulator';
import type { SyncDefinition, SyncRunner } from '../../src/index';

/**
 * The job a test sync carries (what the CLI's job is to the real runner): a CSV file into
 * the Salesforce emulator at `instanceUrl`.
 */
export interface TestJob {
  readonly mode: 'sync' | 'additive' | 'enrich';
  readonly from: string;
  readonly instanceUrl: string;
  readonly allowDeletes?: number;
  /** Rate limit declared for the shared limiter (calls per interval). */
  readonly rateLimit?: { readonly requests: number; readonly intervalMs: number };
  /** Default: the emulator's token. */
  readonly accessToken?: string;
  /** Longest rate-limit wait the run accepts, ms. */
  readonly maxRateLimitWaitMs?: number;
  /** Salesforce API calls in flight at once (default: the connector's, 4). */
  readonly concurrency?: number;
  /** Changed records planned and sent together (default: the connector's); a window's results come out at its end. */
  readonly windowSize?: number;
}

/** A test sync definition: the Salesforce emulator's org is its account. */
export function testDefinition(name: string, job: TestJob, syncId = `sync-${name}`): SyncDefinition {
  return { name, syncId, destination: 'salesforce', accountKey: `salesforce:${job.instanceUrl}`, job: { ...job } };
}

/** A runner like the CLI's, for Salesforce from CSV (`id`, `email`, `last_name` columns), through the official SDK against the emulator. */
export const testRunner: SyncRunner = async (definition, context) => {
  const job = definition.job as unknown as TestJob;
  const source = openSource(job.from, { idColumn: 'id', fields: { Email: 'email', LastName: 'last_name' } });
  const sharedLimiter = await context.sharedLimiter(job.rateLimit);
  const summary: SyncRunSummary = await runSync({
    destination,
    config: { instanceUrl: job.instanceUrl, accessToken: job.accessToken ?? EMULATOR_ACCESS_TOKEN, object: 'Contact', ...(job.concurrency ? { concurrency: job.concurrency } : {}) },
    maxRateLimitWaitMs: job.maxRateLimitWaitMs,
    windowSize: job.windowSize,
    identityOverrides: { instanceUrl: `test:${definition.syncId}` },
    mode: job.mode,
    source,
    state: context.state,
    sourceKey: 'id',
    syncName: definition.name,
    guard: { maxDeletes: job.allowDeletes },
    logger: context.logger,
    signal: context.signal,
    lease: context.lease,
    sharedLimiter,
    onResult: context.onResult,
    onProgress: context.onProgress,
  });
  return { summary, source: source.name, secrets: [EMULATOR_ACCESS_TOKEN] };
};
