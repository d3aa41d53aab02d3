/**
 * `@syncmodes/connector-kit`: the sync-mode contract, the destination definition, the
 * engine, state, sources and reports. Emulator tooling is at `./emulator`, the
 * conformance suite at `./testing`.
 */
export {
  SYNC_MODES,
  SYNC_MODE_TABLE,
  isSyncMode,
  operationsFor,
  syncModeSchema,
  type SyncMode,
  type SyncModeDefinition,
  type SyncOperations,
} from './modes/sync-modes';
export { resolveSyncMode, type DeclaredModes } from './modes/resolve-sync-mode';

export {
  AuthError,
  ConfigError,
  InputError,
  NotFoundError,
  QuotaExceededError,
  RateLimitError,
  RetryableError,
  RunRefusedError,
  SyncError,
  UnsupportedModeError,
  isRunStopping,
  type SyncErrorOptions,
} from './errors/sync-error';
export { toSyncError } from './errors/to-sync-error';
export { isNothingSent, sentNothing } from './errors/nothing-sent';
export { httpError, type HttpFailure } from './errors/http-error';
export { parseRetryAfter } from './errors/retry-after';
export { KIT_CODES, NOTICE_CODES, describeCode, type CodeInfo, type KitCode } from './errors/codes';
export { DeferredError } from './errors/deferred-error';
export { GroupGoneError } from './errors/group-gone-error';
export { LeaseLostError, RunStoppedError, StateBusyError, StateStoreError, SyncRunningError } from './errors/run-errors';
export { retryNow } from './errors/sync-error';

export {
  REDACTED,
  configFields,
  identity,
  redactConfig,
  redactText,
  secret,
  secretKeys,
  secretValues,
  type ConfigField,
  type ConfigFieldMeta,
} from './config/secret';
export { endpointUrl } from './config/endpoint-url';
export { configJsonSchema, type JsonSchema } from './config/json-schema';

export type { PropertyValue, Properties, RecordSnapshot, RecordSource, SourceItem, SourceRecord, SourceRowError } from './records/types';
export { RECORD_OUTCOMES, emptyCounts, type OutcomeCounts, type PlannedAction, type RecordOutcome, type RecordResult } from './records/outcome';
export { snapshotHash } from './records/snapshot-hash';
export { groupName, groupsNamed } from './records/group-name';
export { groupChanges, presentProperties, propertyChanges } from './records/property-diff';

export type { AnyDestination } from './destination/any-destination';
export {
  audienceLimitsFor,
  defineAudienceDestination,
  type AnyAudienceDestination,
  type AudienceDestinationDefinition,
  type AudienceLimits,
  type AudienceVerbs,
  type MemberItem,
} from './destination/define-audience-destination';
export {
  FIELD_SAMPLE_LIMIT,
  defineDestination,
  limitsFor,
  type AnyRecordDestination,
  type ConnectContext,
  type DestinationDefinition,
  type PreparedField,
  type PrepareFieldsInput,
  type ValidationItem,
} from './destination/define-destination';
export type { DestinationLimits, DestinationRateLimit, RunVolume } from './destination/limits';
export { answerTooLarge, DEFAULT_MAX_ANSWER_BYTES, maxAnswerBytes } from './destination/answer-size';
export type {
  FoundGroup,
  FoundRecord,
  GroupChanges,
  GroupRef,
  GroupVerbs,
  ItemResult,
  LookupRequest,
  RateLimitInfo,
  RateLimitObserver,
  RecordVerbs,
  TargetItem,
  UpdateItem,
  CreateOrUpdateItem,
  VerbContext,
  WriteItem,
} from './destination/verbs';

export { runSync, parseConfig } from './engine/run-sync';
export type { RunNotice, RunStatus, RunSyncOptions, SyncProgress, SyncRunSummary } from './engine/run-types';
export { MAX_SHARED_HOLD_MS, type SharedLimiter } from './engine/calls/shared-limiter';
export type { RunLeaseOptions } from './engine/run/run-lease';
export { withRequestKind } from './engine/calls/request-counter';
export type { DeletePolicy } from './modes/permits';
export { permits, type DeleteFacts, type Operation } from './modes/permits';
export { checkDeletionGuard, DEFAULT_MAX_DELETES, DEFAULT_MAX_DELETE_SHARE, type DeletionGuardOptions } from './engine/scan/deletion-guard';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './engine/calls/retry-policy';
export { DEFAULT_IN_FLIGHT_GRACE_MS } from './engine/run/run-session';
export { emptyCallStats, type CallKind, type CallStats } from './engine/calls/caller';
export { chunk } from './engine/calls/chunk';
export {
  CHECK_PROBE_GROUP,
  checkDestination,
  type CheckDestinationOptions,
  type CheckResult,
  type CheckStep,
  type CheckStepName,
} from './engine/check/check-destination';

export type { AcquireLeaseOptions, LeaseInfo, StateEntry, StateIndexEntry, StateSnapshot, StateStore, SyncInfo, SyncLease, SyncListing } from './state/state-store';
export { INDEX_SNAPSHOT_MIN_RECORDS, SqliteStateStore, type SqliteStateStoreOptions } from './state/sqlite-state-store';
export { MemoryStateStore } from './state/memory-state-store';
export { StateIndex } from './state/state-index';
export {
  DEFAULT_KEEP_RUNS,
  runRecordOf,
  startedRunRecord,
  type StartedRun,
  type HistoryRunStatus,
  type RunListing,
  type RunQuery,
  type RunRecord,
  type RunRecordContext,
} from './state/run-history';
export { identityOf, syncIdFor, targetLeaseKey } from './state/sync-id';

export { fieldMappingSchema, mapRow, checkColumns, type FieldMapping } from './mapping/field-mapping';
export { CSV_WORKER_MIN_BYTES, MAX_CSV_COLUMNS, MAX_CSV_RECORD_CHARS, csvSource, type CsvSourceOptions } from './sources/csv-source';
export { checkSourceFile, isStreamFile } from './sources/source-file';
export { parseExactJson } from './sources/exact-json';
export { ndjsonSource } from './sources/ndjson-source';
export { jsonSource } from './sources/json-source';
export { openSource, formatOf, type FileSourceOptions, type SourceFormat, type StreamSourceOptions } from './sources/open-source';
export { DEFAULT_MAX_STREAM_BYTES, maxStreamBytes, streamSource, type StreamRecordSource, type StreamSpoolOptions } from './sources/stream-source';
export { recordsSource, type MemoryRecord, type RecordsInput, type RecordsSourceOptions } from './sources/records-source';

export {
  EPOCH_MILLISECONDS_FROM,
  FALSE_SPELLINGS,
  TRUE_SPELLINGS,
  coerced,
  epochMillis,
  epochUnitSchema,
  changedAsNumber,
  isCanonicalNumber,
  isEmailAddress,
  isScientificNotation,
  isSpreadsheetExponent,
  spreadsheetExponentError,
  plainNumberText,
  readDate,
  refused,
  toBoolean,
  toCalendarDate,
  toDateTime,
  toEpochSeconds,
  toExactNumber,
  type Coerced,
  type DateOptions,
  type DateValue,
  type EpochUnit,
  type NumberOptions,
} from './values/index';

export { buildReport, type SyncReport } from './report/sync-report';
export { ReportTally, EXAMPLES_PER_CODE, PLAN_EXAMPLES_PER_ACTION } from './report/report-tally';
export { reportOfRun } from './report/run-report';
export { silentLogger, type Logger } from './logging/logger';
