import type { IncomingHttpHeaders } from 'node:http';

/** A request as an emulator route sees it. */
export interface EmulatorRequest {
  readonly method: string;
  /** Path without the query string, decoded per segment by the router. */
  readonly path: string;
  readonly url: URL;
  readonly query: URLSearchParams;
  /** Path parameters from the route pattern (decoded). */
  readonly params: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON body, url-encoded form as an object, or the raw text. */
  readonly body: unknown;
  readonly rawBody: string;
}

/** What a route answers. `body` is sent as JSON unless `raw` is given. */
export interface EmulatorResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly raw?: string | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** A route handler. Throwing answers 500 with the vendor's server-error shape. */
export type RouteHandler = (request: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>;

/** One route: method + path pattern (path-to-regexp syntax, e.g. `/contacts/:id`). */
export interface EmulatorRoute {
  readonly method: string;
  readonly path: string;
  readonly handler: RouteHandler;
  /** True when the route changes data (persisted afterwards). Default: method is not GET. */
  readonly mutates?: boolean | undefined;
}

/** One entry of the request log (admin requests excluded). Credentials are never logged. */
export interface RequestLogEntry {
  /** 1-based sequence number. */
  readonly seq: number;
  /** Epoch ms when the request arrived. */
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** Status answered (0 when the connection was cut). */
  readonly status: number;
  /** Fault injected instead of (or before) the real answer. */
  readonly fault?: string | undefined;
  /** Route pattern that answered, when one matched. */
  readonly route?: string | undefined;
  readonly durationMs: number;
}

/** How a vendor shapes the answers the toolkit produces for it. */
export interface VendorShapes {
  /** 429 (or equivalent) with the vendor's headers and body. `retryAfterSec` may be fractional. */
  rateLimited(retryAfterSec: number): EmulatorResponse;
  /** A 5xx answer in the vendor's shape. */
  serverError(status: number): EmulatorResponse;
  /** The vendor's "token expired / invalid" answer. */
  authExpired(): EmulatorResponse;
  /** 404 for an unknown route. */
  notFound(request: EmulatorRequest): EmulatorResponse;
}

/** An emulator's data, as the admin endpoints and persistence see it. */
export interface EmulatorData<T = unknown> {
  /** Everything, as JSON-serialisable data (`GET /__emulator/records`, persistence). */
  snapshot(): T;
  /** Adds records (`POST /__emulator/seed`): the shape is the vendor's, documented per emulator. */
  seed(data: unknown): void;
  /** Replaces everything (loading persisted data). */
  load(data: T): void;
  /** Empties everything. */
  reset(): void;
}
