/**
 * Emulator toolkit: build a faithful local server of a vendor API for tests, demos and
 * benchmarks. `@syncmodes/connector-kit/emulator`.
 */
export { EmulatorServer, type EmulatorServerOptions } from './emulator-server';
export { EmulatorClient } from './emulator-client';
export type { EmulatorPlugin, EmulatorPluginOptions } from './emulator-plugin';
export { FaultInjector, seededRandom, type FaultKind, type FaultRule } from './faults';
export type {
  EmulatorData,
  EmulatorRequest,
  EmulatorResponse,
  EmulatorRoute,
  RequestLogEntry,
  RouteHandler,
  VendorShapes,
} from './types';
export { observeExchanges, type EmulatorExchange, type ExchangeObserver } from './exchange-observers';
export { isLoopback, ADMIN_TOKEN_HEADER, type ListenOptions } from './listen-safety';
export { CREDENTIAL_FIELDS, REDACTED, redactBody, redactQuery } from './redaction';
