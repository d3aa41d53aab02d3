/**
 * The conformance suite (`@syncmodes/connector-kit/testing`): one call registers the
 * sync-mode tests for a destination against its emulator. Needs vitest.
 */
export { describeConformance, memorySource, type ConformanceOptions } from './conformance';
export type {
  ConformanceHarness,
  ConformanceRecord,
  ConformanceTarget,
  DestinationView,
  RequestClass,
} from './harness';
