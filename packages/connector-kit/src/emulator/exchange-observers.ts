/**
 * One API request an emulator answered and its answer, as handed to exchange observers
 * (contract validators in tests). Credentials are left out: request headers lose
 * `Authorization` and the like, and nothing else is redacted, so a validator sees the
 * bodies exactly as sent. Admin requests and cut connections are not exchanges.
 */
export interface EmulatorExchange {
  /** The emulator's name (e.g. `intercom`). */
  readonly emulator: string;
  readonly method: string;
  /** Path without the query string, as received (not decoded). */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Request headers without credential headers. */
  readonly requestHeaders: Readonly<Record<string, string>>;
  /** The parsed request body (JSON, a parsed form, or the text), `undefined` when empty. */
  readonly requestBody: unknown;
  readonly status: number;
  readonly responseHeaders: Readonly<Record<string, string>>;
  /** The response body as sent (parsed JSON, or the raw text). */
  readonly responseBody: unknown;
  /** The route pattern that answered, when one matched. */
  readonly route?: string | undefined;
  /** An injected fault that produced the answer, if any. */
  readonly fault?: string | undefined;
}

/** Receives exchanges. */
export type ExchangeObserver = (exchange: EmulatorExchange) => void;

const KEY = Symbol.for('syncmodes.emulator.exchange-observers');

/**
 * The process-wide set of observers, kept on `globalThis` so that every copy of this module
 * (sources in tests, built files loaded by the CLI) hands exchanges to the same observers.
 */
function registry(): Set<ExchangeObserver> {
  const holder = globalThis as unknown as Record<symbol, Set<ExchangeObserver> | undefined>;
  holder[KEY] ??= new Set();
  return holder[KEY];
}

/**
 * Calls `observer` with every exchange of every emulator in this process from now on (a
 * test setup file registers a contract validator this way, so it sees all emulator
 * traffic of a test run). Returns a function that stops observing.
 */
export function observeExchanges(observer: ExchangeObserver): () => void {
  registry().add(observer);
  return () => {
    registry().delete(observer);
  };
}

/** Hands an exchange to every observer; an observer that throws is reported on stderr, never to the client. */
export function notifyExchange(exchange: EmulatorExchange): void {
  for (const observer of registry()) {
    try {
      observer(exchange);
    } catch (error) {
      // eslint-disable-next-line no-console
      console.error(`[${exchange.emulator} emulator] exchange observer threw:`, error);
    }
  }
}

/** Whether any observer is registered (emulators skip building exchanges otherwise). */
export function hasExchangeObservers(): boolean {
  return registry().size > 0;
}
