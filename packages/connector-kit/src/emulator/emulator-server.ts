import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type * as PathToRegexp from 'path-to-regexp';
import type { MatchFunction } from 'path-to-regexp';
import { DataFile } from './data-file';
import { hasExchangeObservers, notifyExchange } from './exchange-observers';
import { FaultInjector, type FaultRule } from './faults';
import { ADMIN_TOKEN_HEADER, listenGuard, type ListenOptions } from './listen-safety';
import { PATH_TO_REGEXP, requireOptionalPeer } from './optional-peer';
import { redactBody, redactQuery, withoutCredentialHeaders } from './redaction';
import type {
  EmulatorData,
  EmulatorRequest,
  EmulatorResponse,
  EmulatorRoute,
  RequestLogEntry,
  VendorShapes,
} from './types';

// Loaded here, so importing an emulator entry without it fails at once, saying what to install.
const { match } = requireOptionalPeer<typeof PathToRegexp>(PATH_TO_REGEXP, "the syncmodes emulators (@syncmodes/connector-kit/emulator, which every destination's ./emulator entry uses)");

/** Options of {@link EmulatorServer}. */
export interface EmulatorServerOptions {
  /** Vendor name for logs (e.g. `salesforce`). */
  readonly name: string;
  readonly routes: readonly EmulatorRoute[];
  readonly vendor: VendorShapes;
  readonly data: EmulatorData;
  /** Checks credentials; returns the vendor's error answer when they are refused. */
  readonly authenticate?: ((request: EmulatorRequest) => EmulatorResponse | undefined) | undefined;
  /** JSON file the data is loaded from at start and saved to after every change, before the change is acknowledged (atomically: temp file, then rename). */
  readonly persistPath?: string | undefined;
  /** Largest request head, bytes (Facebook DELETE carries its payload in the query). Default 1 MiB. */
  readonly maxHeaderSize?: number | undefined;
  /** Largest request body, bytes. Default 200 MiB. */
  readonly maxBodyBytes?: number | undefined;
  /** Most entries kept in the request log (oldest dropped). Default 100,000. */
  readonly maxLogEntries?: number | undefined;
  /**
   * Emulator-specific admin actions under `/__emulator/<name>`, keyed `"<METHOD> <name>"`
   * (e.g. `"POST convert-leads"`). They may change data (persisted afterwards).
   */
  readonly admin?: Readonly<Record<string, (request: EmulatorRequest) => EmulatorResponse>> | undefined;
  /**
   * Query parameters and body fields that carry credentials beyond the ones every emulator
   * redacts (`CREDENTIAL_FIELDS`: `access_token`, `refresh_token`, `client_secret`,
   * `password`, `token`, …): their values are written as `[redacted]` in the request log,
   * which never holds credentials.
   */
  readonly secretParams?: readonly string[] | undefined;
}

interface CompiledRoute {
  readonly route: EmulatorRoute;
  readonly match: MatchFunction<Partial<Record<string, string | string[]>>>;
}

const ADMIN_PREFIX = '/__emulator/';

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw === '') return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * A vendor API emulator on loopback: routes, a request log, admin endpoints, fault
 * injection and optional persistence. Each destination builds its emulator from this.
 *
 * The request log never holds credentials: `Authorization` headers are not logged, and
 * credential query parameters and body fields (see `CREDENTIAL_FIELDS`, plus
 * `secretParams`) are written as `[redacted]`. Exchange observers (`observeExchanges`) see
 * every API request and answer, without credential headers.
 *
 * It listens on loopback unless `start` is given `unsafeListen`; off loopback the admin
 * endpoints require the `x-emulator-admin-token` header ({@link EmulatorServer.adminToken}).
 *
 * Admin endpoints (never logged, never faulted; a token off loopback):
 * - `GET /__emulator/records` — the data (`EmulatorData.snapshot`)
 * - `GET /__emulator/requests[?since=<seq>]` — the request log; `DELETE` clears it
 * - `POST /__emulator/seed` — add data in the vendor's shape
 * - `POST /__emulator/reset` — empty data, log and faults
 * - `GET|POST|DELETE /__emulator/faults` — fault rules: `{ "rules": FaultRule[], "seed": 1 }`
 */
export class EmulatorServer {
  readonly faults = new FaultInjector();
  private readonly log: RequestLogEntry[] = [];
  private seq = 0;
  /** The last request sequence number before the log was last cleared. */
  private clearedSeq = 0;
  private readonly routes: CompiledRoute[];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private baseUrl: string | undefined;
  private token: string | undefined;
  private readonly secretNames: ReadonlySet<string>;
  /** Where the data is kept between runs (`persistPath`), when set. */
  private readonly dataFile: DataFile | undefined;

  constructor(private readonly options: EmulatorServerOptions) {
    this.secretNames = new Set(options.secretParams ?? []);
    this.routes = options.routes.map((route) => ({ route, match: match(route.path, { decode: decodeURIComponent }) }));
    this.dataFile = options.persistPath ? new DataFile(options.persistPath, options.data, (error) => this.saveFailed(error)) : undefined;
    this.dataFile?.load();
  }

  /** The base URL (`http://127.0.0.1:<port>`), once started. */
  get url(): string {
    if (!this.baseUrl) throw new Error(`${this.options.name} emulator is not started`);
    return this.baseUrl;
  }

  /** The request log (admin requests excluded), oldest first. */
  get requests(): readonly RequestLogEntry[] {
    return this.log;
  }

  /**
   * Clears the request log. A request that arrived before the clear and ends after it (a
   * `timeout` or `latency` fault still holding it) is not logged: the log after a clear holds
   * only requests that arrived after it, so a check of one run's requests never sees a
   * request an earlier run sent.
   */
  clearRequests(): void {
    this.log.length = 0;
    this.clearedSeq = this.seq;
  }

  /**
   * Takes the requests logged so far out of the log (oldest first), for a reader that drains
   * it as it goes: unlike {@link clearRequests}, a request still held (a `latency` fault)
   * is logged when it ends, so draining never loses one.
   */
  takeRequests(): RequestLogEntry[] {
    return this.log.splice(0, this.log.length);
  }

  /** Adds data in the vendor's shape (as `POST /__emulator/seed`), then persists. @throws Error on an invalid seed. */
  seed(data: unknown): void {
    this.options.data.seed(data);
    this.flush();
  }

  /** Empties data, request log and faults (as `POST /__emulator/reset`). */
  reset(): void {
    this.options.data.reset();
    this.clearRequests();
    this.faults.clear();
    this.persist();
  }

  /** Sets fault rules (see {@link FaultRule}). */
  setFaults(rules: readonly FaultRule[], seed = 1): void {
    this.faults.set(rules, seed);
  }

  /** The token admin requests need (header `x-emulator-admin-token`), when listening off loopback. */
  get adminToken(): string | undefined {
    return this.token;
  }

  /**
   * Starts listening on `host` (default 127.0.0.1; port 0 = any free port); resolves to the
   * base URL.
   *
   * @throws Error when `host` is not a loopback address and `listen.unsafeListen` is not set.
   */
  async start(port = 0, host = '127.0.0.1', listen: ListenOptions = {}): Promise<string> {
    this.token = listenGuard(this.options.name, host, listen);
    const server = createServer({ maxHeaderSize: this.options.maxHeaderSize ?? 1 << 20 }, (req, res) => {
      void this.handle(req, res);
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    this.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    return this.baseUrl;
  }

  /** Stops listening and cuts open connections. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.dataFile?.close();
  }

  /**
   * Marks the data changed (when `persistPath` is set): it is saved before the next answer
   * leaves the emulator (so whatever it acknowledged is in the file, even if the process is
   * killed right after), and within 100 ms otherwise (changes made in the background, e.g.
   * Salesforce Bulk API jobs). See {@link DataFile}.
   */
  persist(): void {
    this.dataFile?.changed();
  }

  /**
   * Saves the data to `persistPath` now (atomically: temp file, then rename), when set. The
   * data stays marked changed until a save succeeds, so the next answer tries again.
   *
   * @throws the file system's error (disk full, read-only…) when the save fails.
   */
  flush(): void {
    this.dataFile?.save();
  }

  private saveFailed(error: unknown): void {
    // eslint-disable-next-line no-console
    console.error(`[${this.options.name} emulator] cannot save its data to ${this.options.persistPath}:`, error instanceof Error ? error.message : error);
  }

  private async readBody(req: IncomingMessage): Promise<string> {
    const limit = this.options.maxBodyBytes ?? 200 * 1024 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new Error('body too large');
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Sends an answer once the changes made so far are saved; a save that fails turns it into a server error (nothing unsaved is acknowledged). */
  private send(res: ServerResponse, answer: EmulatorResponse): void {
    if (!this.dataFile) return this.write(res, answer);
    this.dataFile.afterSave((saved) => this.write(res, saved ? answer : this.options.vendor.serverError(500)));
  }

  private write(res: ServerResponse, response: EmulatorResponse): void {
    const headers: Record<string, string> = { ...response.headers };
    let payload = '';
    if (response.raw !== undefined) payload = response.raw;
    else if (response.body !== undefined) {
      payload = JSON.stringify(response.body);
      headers['content-type'] ??= 'application/json;charset=UTF-8';
    }
    res.writeHead(response.status, headers);
    res.end(payload);
  }

  /** Sends an API answer and hands the exchange to the observers (contract validators). */
  private answer(res: ServerResponse, request: EmulatorRequest, response: EmulatorResponse, about: { route?: string; fault?: string }): void {
    this.send(res, response);
    if (!hasExchangeObservers()) return;
    notifyExchange({
      emulator: this.options.name,
      method: request.method,
      path: request.path,
      query: Object.fromEntries(request.query),
      requestHeaders: withoutCredentialHeaders(request.headers),
      requestBody: request.body,
      status: response.status,
      responseHeaders: { ...response.headers },
      responseBody: response.raw !== undefined ? response.raw : response.body,
      ...about,
    });
  }

  private async readRequest(req: IncomingMessage, res: ServerResponse): Promise<EmulatorRequest | undefined> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let rawBody: string;
    try {
      rawBody = await this.readBody(req);
    } catch {
      this.send(res, { status: 413, body: { error: 'request body too large' } });
      return undefined;
    }
    return {
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      url,
      query: url.searchParams,
      params: {},
      headers: req.headers,
      body: parseBody(rawBody, req.headers['content-type']),
      rawBody,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const request = await this.readRequest(req, res);
    if (!request) return;
    if (request.path.startsWith(ADMIN_PREFIX)) {
      this.send(res, this.adminAllowed(request) ? this.admin(request) : { status: 401, body: { error: `admin endpoints need the ${ADMIN_TOKEN_HEADER} header off loopback` } });
      return;
    }

    const entry = {
      seq: ++this.seq,
      at: started,
      method: request.method,
      path: request.path,
      query: redactQuery(request.query, this.secretNames),
      body: redactBody(request.body, this.secretNames),
    };
    const record = (status: number, extra: { fault?: string; route?: string } = {}) => {
      if (entry.seq <= this.clearedSeq) return; // arrived before the log was cleared
      this.log.push({ ...entry, status, ...extra, durationMs: Date.now() - started });
      const max = this.options.maxLogEntries ?? 100_000;
      if (this.log.length > max) this.log.splice(0, this.log.length - max);
    };

    const fault = this.faults.decide(request.method, request.path, [...request.query.values()]);
    if (fault) {
      const answered = await this.injectFault(fault, res, request);
      if (answered) {
        record(answered.status, { fault: fault.kind });
        return;
      }
      if (fault.kind !== 'latency' && fault.kind !== 'lost_response' && fault.kind !== 'foreign_body') {
        record(0, { fault: fault.kind });
        return;
      }
    }
    const about = fault ? { fault: fault.kind } : {};
    const matched = this.match(request);
    if (!matched) {
      const response = this.options.vendor.notFound(request);
      this.answer(res, request, response, about);
      record(response.status, about);
      return;
    }
    const response = await this.route({ ...request, params: matched.params }, matched.route);
    if (fault?.kind === 'lost_response') {
      res.socket?.destroy();
      record(0, { route: matched.route.path, fault: fault.kind });
      return;
    }
    if (fault?.kind === 'foreign_body') {
      const page = fault.body ?? '<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in to continue.</body></html>';
      // Through send(), as every answer: it leaves once the route's change is saved.
      this.send(res, typeof page === 'string' ? { status: 200, raw: page, headers: { 'Content-Type': 'text/html; charset=utf-8' } } : { status: 200, body: page, headers: { 'Content-Type': 'application/json' } });
      record(200, { route: matched.route.path, fault: fault.kind });
      return;
    }
    this.answer(res, request, response, { route: matched.route.path, ...about });
    record(response.status, { route: matched.route.path, ...about });
  }

  /** Whether an admin request may proceed: always on loopback, with the token off it. */
  private adminAllowed(request: EmulatorRequest): boolean {
    return this.token === undefined || request.headers[ADMIN_TOKEN_HEADER] === this.token;
  }

  private match(request: EmulatorRequest): { route: EmulatorRoute; params: Record<string, string> } | undefined {
    for (const compiled of this.routes) {
      if (compiled.route.method.toUpperCase() !== request.method) continue;
      const m = compiled.match(request.path);
      if (m) {
        const params: Record<string, string> = {};
        for (const [k, v] of Object.entries(m.params)) if (typeof v === 'string') params[k] = v;
        return { route: compiled.route, params };
      }
    }
    return undefined;
  }

  /** Authenticates and runs a matched route; persists after a successful change. */
  private async route(routed: EmulatorRequest, route: EmulatorRoute): Promise<EmulatorResponse> {
    const denied = this.options.authenticate?.(routed);
    if (denied) return denied;
    let response: EmulatorResponse;
    try {
      response = await route.handler(routed);
    } catch (error) {
      response = this.options.vendor.serverError(500);
      // eslint-disable-next-line no-console
      console.error(`[${this.options.name} emulator] route ${route.path} threw:`, error);
    }
    const mutates = route.mutates ?? routed.method !== 'GET';
    if (mutates && response.status < 400) this.persist();
    return response;
  }

  /** Injects a fault; returns the answer sent, or undefined when the connection was cut / the request continues. */
  private async injectFault(fault: FaultRule, res: ServerResponse, request: EmulatorRequest): Promise<EmulatorResponse | undefined> {
    const vendor = this.options.vendor;
    const answered = (response: EmulatorResponse) => {
      this.answer(res, request, response, { fault: fault.kind });
      return response;
    };
    switch (fault.kind) {
      case 'rate_limit':
        return answered(vendor.rateLimited(fault.retryAfterSec ?? 1));
      case 'retry_after': {
        const seconds = fault.retryAfterSec ?? 1;
        const value = fault.retryAfterDate ? new Date(Date.now() + seconds * 1000).toUTCString() : String(seconds);
        // The vendor's body, none of its own rate-limit headers: the wait is said only by Retry-After.
        const { body, raw, headers = {} } = vendor.rateLimited(seconds);
        const type = Object.entries(headers).filter(([name]) => name.toLowerCase() === 'content-type');
        return answered({ status: fault.status ?? 429, body, raw, headers: { ...Object.fromEntries(type), 'Retry-After': value } });
      }
      case 'server_error':
        return answered(fault.body === undefined ? vendor.serverError(fault.status ?? 503) : { status: fault.status ?? 503, body: fault.body });
      case 'auth_expired':
        return answered(vendor.authExpired());
      case 'latency':
        await new Promise((r) => setTimeout(r, fault.latencyMs ?? 200));
        return undefined;
      case 'lost_response':
      case 'foreign_body':
        return undefined;
      case 'timeout':
        await new Promise((r) => setTimeout(r, fault.latencyMs ?? 30_000));
        res.socket?.destroy();
        return undefined;
      case 'stalled_body':
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
        res.write('{"');
        await new Promise((r) => setTimeout(r, fault.latencyMs ?? 30_000));
        res.socket?.destroy();
        return undefined;
      case 'reset':
        res.socket?.destroy();
        return undefined;
    }
  }

  private admin(request: EmulatorRequest): EmulatorResponse {
    const what = request.path.slice(ADMIN_PREFIX.length).replace(/\/$/, '');
    const data = this.options.data;
    const body = (request.body ?? {}) as Record<string, unknown>;
    switch (`${request.method} ${what}`) {
      case 'GET records':
        return { status: 200, body: data.snapshot() };
      case 'GET requests': {
        const since = Number(request.query.get('since') ?? 0);
        return { status: 200, body: this.log.filter((e) => e.seq > since) };
      }
      case 'DELETE requests':
        this.clearRequests();
        return { status: 204 };
      case 'POST seed':
        try {
          data.seed(request.body);
        } catch (error) {
          return { status: 400, body: { error: (error as Error).message } };
        }
        this.persist();
        return { status: 204 };
      case 'POST reset':
        data.reset();
        this.clearRequests();
        this.faults.clear();
        this.persist();
        return { status: 204 };
      case 'GET faults':
        return { status: 200, body: { rules: this.faults.list(), injected: this.faults.injected } };
      case 'POST faults':
        this.faults.set((body.rules as FaultRule[] | undefined) ?? [], typeof body.seed === 'number' ? body.seed : 1);
        return { status: 204 };
      case 'DELETE faults':
        this.faults.clear();
        return { status: 204 };
      default: {
        const extra = this.options.admin?.[`${request.method} ${what}`];
        if (extra) {
          const response = extra(request);
          if (request.method !== 'GET' && response.status < 400) this.persist();
          return response;
        }
        return { status: 404, body: { error: `unknown admin endpoint ${request.method} ${request.path}` } };
      }
    }
  }
}
