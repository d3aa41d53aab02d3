/**
 * The conformance suite (`@syncmodes/connector-kit/testing`): one call registers the
 * sync-mode tests for a destination against its emulator. Needs vitest.
 */
export { describeConformance, memorySource, type ConformanceOptions } from './conformance';
export { conformanceChecks, type ConformanceCheck } from './conformance-checks';
export { runConformanceChecks, type CheckOutcome, type RunChecksOptions } from './run-conformance';
export { describeAudienceConformance } from './audience-conformance';
export type { AudienceConformanceHarness, AudienceConformanceTarget } from './audience-harness';
export type {
  ConformanceHarness,
  ConformanceRecord,
  ConformanceTarget,
  DestinationView,
  RequestClass,
} from './harness';
export { describeStateStoreContract, type StateStoreContractOptions } from './state-store-contract';
export { sampleRun } from './run-history-contract';
export { codesInSources, describeErrorCodes, type CodeScanOptions, type ErrorCodesOptions } from './error-codes';
export { perTestEmulator } from './per-test-emulator';
