import { permits } from '../../modes/permits';
import { exactIdentifiersSource } from '../scan/exact-identifiers';
import type { z } from 'zod';
import { configProblems } from '../../config/config-problems';
import type { AnyDestination } from '../../destination/any-destination';
import { audienceLimitsFor, type AnyAudienceDestination, type AudienceLimits } from '../../destination/define-audience-destination';
import { limitsFor, type AnyRecordDestination } from '../../destination/define-destination';
import type { DestinationLimits, RunVolume } from '../../destination/limits';
import { maxAnswerBytes } from '../../destination/answer-size';
import { ConfigError } from '../../errors/sync-error';
import { maxStreamBytes } from '../../sources/stream-source';
import { silentLogger, type Logger } from '../../logging/logger';
import type { DeletePolicy } from '../../modes/permits';
import { resolveSyncMode } from '../../modes/resolve-sync-mode';
import type { SyncMode } from '../../modes/sync-modes';
import type { RecordSnapshot, RecordSource, SourceItem } from '../../records/types';
import { identityOf, syncIdFor } from '../../state/sync-id';
import type { RunSyncOptions } from '../run-types';

/**
 * Parses a destination config with its zod schema.
 *
 * @throws {@link ConfigError} (`invalid_config`) listing each problem by field name; a
 *   missing or invalid secret is named with its environment variable (`accessToken: missing
 *   — the secret from the SALESFORCE_ACCESS_TOKEN environment variable …`), and secret
 *   values never appear in the message.
 */
export function parseConfig<D extends AnyDestination>(destination: D, raw: unknown): z.output<D['configSchema']> {
  const parsed = destination.configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`Invalid ${destination.displayName} configuration: ${configProblems(destination.configSchema, parsed.error, raw)}`);
  }
  return parsed.data as z.output<D['configSchema']>;
}

/** The source as the destination sees it (every record in the fixed audiences, when configured). */
function preparedSource(source: RecordSource, fixed: readonly string[] | undefined): RecordSource {
  if (!fixed) return source;
  return {
    name: source.name,
    async *open(): AsyncGenerator<SourceItem> {
      for await (const item of source.open()) {
        yield item.kind === 'record' ? { ...item, snapshot: { properties: item.snapshot.properties, groups: [...fixed] } } : item;
      }
    },
  };
}

/**
 * What the scan indexes per row besides the match key: a record destination's identifiers
 * (every mode: a row written onto another person's record is wrong whatever the mode); an
 * audience's only where removals happen (a mode that never removes keeps no index).
 */
function identityKeysOf(destination: AnyDestination, mode: SyncMode, config: Record<string, unknown>): RunSetup['identityKeysOf'] {
  const keysOf = destination.identityKeys;
  if (keysOf === undefined) return undefined;
  if (destination.kind === 'audience' && !permits(mode, 'delete', { owned: true, deletePolicy: 'owned' })) return undefined;
  return (snapshot) => keysOf(snapshot, config);
}

/** Everything decided once from a run's options, before anything is read: mode, config, identity, limits. */
export interface RunSetup {
  readonly options: RunSyncOptions;
  readonly destination: AnyDestination;
  readonly records: AnyRecordDestination | undefined;
  readonly audience: AnyAudienceDestination | undefined;
  /** Resolved once, here (the CLI passes the user's choice through). */
  readonly mode: SyncMode;
  readonly config: Record<string, unknown>;
  readonly syncId: string;
  readonly identity: Record<string, unknown>;
  readonly dryRun: boolean;
  readonly deletePolicy: DeletePolicy;
  readonly source: RecordSource;
  readonly logger: Logger;
  readonly keyOf: (snapshot: RecordSnapshot) => string | undefined;
  /** Every identifier of a record the scan indexes (see `identityKeys`; none declared: undefined). */
  readonly identityKeysOf: ((snapshot: RecordSnapshot) => readonly string[]) | undefined;
  readonly recheckNotFoundAfterMs: number;
  /** Every record is looked up again, unchanged ones too (`RunSyncOptions.recheck`). */
  readonly recheck: boolean;
  readonly started: number;
  /** The destination's limits for a run of this volume (audience limits depend on the config only). */
  limitsOf(volume: RunVolume): DestinationLimits | AudienceLimits;
}

/**
 * Decides what a run is from its options.
 *
 * @throws {@link ConfigError} for a bad config (`invalid_config`) or a mode the destination
 *   does not support (`unsupported_mode`).
 */
export function setupRun(options: RunSyncOptions): RunSetup {
  const destination: AnyDestination = options.destination;
  const mode = resolveSyncMode(destination, options.mode);
  const config = parseConfig(destination, options.config) as Record<string, unknown>;
  // The environment's byte limits, read where a call or a stream meets them: a bad one is refused here, before anything is read or sent.
  maxAnswerBytes();
  maxStreamBytes();
  const audience = destination.kind === 'audience' ? destination : undefined;
  const records = destination.kind === 'records' ? destination : undefined;
  const identity = { ...identityOf(destination.configSchema, config), ...options.identityOverrides };
  // A source record's key the destination refuses (`refuseKey`) is none: the record fails alone (see `missingKeyExplainer`).
  const keyOf = (snapshot: RecordSnapshot) => (destination.refuseKey?.(snapshot, config) ? undefined : destination.matchKey(snapshot, config));
  const identifiers = (snapshot: RecordSnapshot) => JSON.stringify([keyOf(snapshot) ?? null, destination.identityKeys?.(snapshot, config) ?? []]);
  return {
    options,
    destination,
    records,
    audience,
    mode,
    config,
    identity,
    syncId: syncIdFor(destination.id, identity, options.sourceKey, options.syncName),
    dryRun: options.dryRun ?? false,
    deletePolicy: options.deletePolicy ?? 'owned',
    source: exactIdentifiersSource(preparedSource(options.source, audience?.fixedAudiences?.(config)), identifiers),
    logger: options.logger ?? silentLogger,
    keyOf,
    // Only removals need it (a mode that never removes keeps no index of every identifier).
    identityKeysOf: identityKeysOf(destination, mode, config),
    recheckNotFoundAfterMs: options.recheck === true ? 0 : (options.recheckNotFoundAfterMs ?? records?.recheckNotFoundAfterMs ?? 0),
    recheck: options.recheck === true,
    started: Date.now(),
    limitsOf: (volume) => (audience ? audienceLimitsFor(audience, config) : limitsFor(records as AnyRecordDestination, config, volume)),
  };
}
