import type { z } from 'zod';
import type { AnyDestination } from '../../destination/any-destination';
import { audienceLimitsFor } from '../../destination/define-audience-destination';
import { limitsFor } from '../../destination/define-destination';
import type { VerbContext } from '../../destination/verbs';
import { ConfigError, SyncError } from '../../errors/sync-error';
import { toSyncError } from '../../errors/to-sync-error';
import { silentLogger, type Logger } from '../../logging/logger';
import { resolveSyncMode } from '../../modes/resolve-sync-mode';
import { Caller, emptyCallStats, type CallStats } from '../calls/caller';
import { Pacer } from '../calls/pacer';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../calls/retry-policy';
import { parseConfig } from '../run/run-setup';

/** The group a check looks up when it is given no name: a name no sync uses, so the lookup only proves access. */
export const CHECK_PROBE_GROUP = 'syncmodes-check';

/** What {@link checkDestination} checks, in order. */
export type CheckStepName = 'config' | 'mode' | 'connect' | 'fields' | 'groups';

/** One step of a check: passed, failed (with the error) or skipped (with why). */
export interface CheckStep {
  readonly step: CheckStepName;
  readonly status: 'ok' | 'failed' | 'skipped';
  /** What was checked or found, or why the step was skipped; never a secret. */
  readonly detail: string;
}

/** Everything {@link checkDestination} needs. */
export interface CheckDestinationOptions<D extends AnyDestination = AnyDestination> {
  readonly destination: D;
  /** Raw config, as for `runSync` (secrets included; they never appear in the result). */
  readonly config: z.input<D['configSchema']>;
  /** The sync mode a sync would use; the destination's default when omitted. */
  readonly mode?: string | undefined;
  /** Destination field names the mapping writes: described in dry-run mode, never created. */
  readonly fields?: readonly string[] | undefined;
  /**
   * Whether records would carry groups (a groups column is mapped). For an audience
   * destination the audiences are always looked up.
   */
  readonly groups?: boolean | undefined;
  /** The group (campaign, tag, audience) to look up, without creating it. Default: the destination's configured audience, else {@link CHECK_PROBE_GROUP}. */
  readonly groupName?: string | undefined;
  readonly retry?: Partial<RetryPolicy> | undefined;
  readonly logger?: Logger | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** What {@link checkDestination} found. */
export interface CheckResult {
  readonly destination: string;
  /** True when every step passed (or was skipped). */
  readonly ok: boolean;
  readonly steps: readonly CheckStep[];
  /**
   * What is wrong, when something is: a `ConfigError` / `InputError` for the config, the
   * mode or the fields (fix the configuration), an `AuthError` for credentials or
   * permissions, another `SyncError` when the destination could not be reached.
   */
  readonly error?: SyncError | undefined;
  /** Calls sent, by kind (retries included). No write is ever sent. */
  readonly calls: CallStats['calls'];
}

const STEPS: readonly CheckStepName[] = ['config', 'mode', 'connect', 'fields', 'groups'];

const failedStep = (step: CheckStepName, error: SyncError): CheckStep => ({ step, status: 'failed', detail: `${error.code}: ${error.message}` });

/** Looks up one group without creating it; returns the step's detail. */
async function findOneGroup(destination: AnyDestination, ctx: VerbContext<Record<string, unknown>, unknown>, caller: Caller, name: string): Promise<string> {
  if (destination.kind === 'audience') {
    const found = await caller.call('ensure_groups', () => destination.verbs.ensureAudiences(ctx, [name], { create: false }));
    return found.has(name) ? `audience "${name}" found` : `audience "${name}" not found (a sync would create it)`;
  }
  const groups = destination.verbs.groups;
  if (!groups) return 'groups live in the record itself: nothing to look up';
  const found = await caller.call('ensure_groups', () => groups.ensure(ctx, [name], { create: false }));
  return found.has(name) ? `group "${name}" found` : `group "${name}" not found (a sync would create it)`;
}

/** Whether the destination can hold groups with this config (as `runSync` decides it). */
function supportsGroups(destination: AnyDestination, config: Record<string, unknown>): boolean {
  if (destination.kind === 'audience') return true;
  const hasMembership = destination.verbs.groups !== undefined || destination.groupMembership === 'record';
  return hasMembership && (destination.supportsGroups?.(config) ?? true);
}

/** Validates the config and the mode (no call is sent); returns the parsed config, or the failed step's error. */
function checkSettings(options: CheckDestinationOptions, steps: CheckStep[]): Record<string, unknown> | SyncError {
  const destination = options.destination;
  let step: CheckStepName = 'config';
  try {
    const config = parseConfig(destination, options.config) as Record<string, unknown>;
    steps.push({ step, status: 'ok', detail: 'the configuration is valid' });
    step = 'mode';
    const mode = resolveSyncMode(destination, options.mode);
    if (options.groups && !supportsGroups(destination, config)) {
      throw new ConfigError(`${destination.displayName} has no groups with this configuration; remove the groups column from the mapping.`, 'groups_unsupported');
    }
    steps.push({ step, status: 'ok', detail: `${mode} mode is supported` });
    return config;
  } catch (thrown) {
    const error = toSyncError(thrown);
    steps.push(failedStep(step, error));
    return error;
  }
}

/** Connects, describes the fields and finds one group; pushes one step each. Returns the first error. */
async function checkConnection(options: CheckDestinationOptions, config: Record<string, unknown>, caller: Caller, steps: CheckStep[]): Promise<SyncError | undefined> {
  const destination = options.destination;
  const logger = options.logger ?? silentLogger;
  const signal = options.signal ?? new AbortController().signal;
  let client: unknown;
  let step: CheckStepName = 'connect';
  try {
    client = await caller.call('connect', () => destination.connect(config, { logger, signal }));
    steps.push({ step, status: 'ok', detail: `connected to ${destination.displayName}` });
    step = 'fields';
    const ctx: VerbContext<Record<string, unknown>, unknown> = { config, client, logger, signal, rateLimit: caller };
    const fields = [...new Set(options.fields ?? [])];
    if (fields.length > 0 && destination.prepareFields) {
      await destination.prepareFields(ctx, fields, { samples: new Map(), dryRun: true });
      steps.push({ step, status: 'ok', detail: `${fields.join(', ')} can be written` });
    } else {
      steps.push({ step, status: 'skipped', detail: fields.length === 0 ? 'no fields mapped' : `${destination.displayName} checks fields when writing` });
    }
    step = 'groups';
    if (options.groups || destination.kind === 'audience') {
      const fixed = destination.kind === 'audience' ? destination.fixedAudiences?.(config)?.[0] : undefined;
      steps.push({ step, status: 'ok', detail: await findOneGroup(destination, ctx, caller, options.groupName ?? fixed ?? CHECK_PROBE_GROUP) });
    } else {
      steps.push({ step, status: 'skipped', detail: 'no groups mapped' });
    }
    return undefined;
  } catch (thrown) {
    const error = toSyncError(thrown);
    steps.push(failedStep(step, error));
    return error;
  } finally {
    if (client !== undefined) await destination.disconnect?.(client)?.catch(() => undefined);
  }
}

/**
 * Checks that a sync could run, without writing anything: validates the config (secrets
 * included) and the mode, connects (which for most destinations reads metadata, e.g.
 * Salesforce describes the object), describes the mapped fields through the destination's
 * `prepareFields` in dry-run mode (unknown or read-only fields, missing custom attributes),
 * and, when groups are mapped or the destination is an audience destination, looks one
 * group up without creating it. Stops at the first failed step; later steps are `skipped`.
 *
 * Never throws for what it checks: problems are in `error` and the failed step. Calls are
 * paced and retried like a run's (rate limits, 5xx, timeouts).
 *
 * @example
 * const result = await checkDestination({ destination, config, fields: ['Email', 'LastName'] });
 * if (!result.ok) console.error(result.error?.code, result.error?.message);
 */
export async function checkDestination<D extends AnyDestination>(options: CheckDestinationOptions<D>): Promise<CheckResult> {
  const destination: AnyDestination = options.destination;
  const steps: CheckStep[] = [];
  let calls = emptyCallStats().calls;
  const done = (error?: SyncError): CheckResult => {
    for (const step of STEPS.slice(steps.length)) steps.push({ step, status: 'skipped', detail: 'not checked: an earlier step failed' });
    return { destination: destination.id, ok: error === undefined, steps, error, calls };
  };
  const config = checkSettings(options, steps);
  if (config instanceof SyncError) return done(config);
  const limits = destination.kind === 'audience' ? audienceLimitsFor(destination, config) : limitsFor(destination, config);
  const pacer = new Pacer(limits);
  const caller = new Caller(pacer, { ...DEFAULT_RETRY_POLICY, ...options.retry }, options.logger ?? silentLogger, options.signal ?? new AbortController().signal, undefined, 'check');
  calls = caller.stats.calls;
  try {
    return done(await checkConnection(options, config, caller, steps));
  } finally {
    pacer.release();
  }
}
