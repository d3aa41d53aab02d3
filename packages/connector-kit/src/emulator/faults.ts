/**
 * Kinds of fault an emulator can inject:
 * - `rate_limit`: the vendor's own rate-limit answer (its status, headers and body: a 429
 *   with Intercom's `X-RateLimit-Reset`, Salesforce's 403 `REQUEST_LIMIT_EXCEEDED` with no
 *   wait, Facebook's throttling code with its usage header…);
 * - `retry_after`: HTTP 429 (or `status`) whose only word on the wait is a standard
 *   `Retry-After` header, in seconds or (`retryAfterDate`) as an HTTP-date
 *   (https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3 ,
 *   https://www.rfc-editor.org/rfc/rfc6585#section-4), with the vendor's rate-limit body:
 *   what a gateway or proxy in front of the vendor, or the vendor's edge, may answer;
 * - `server_error`: a 5xx; `auth_expired`: the vendor's expired-token answer;
 * - `latency`: answer normally after `latencyMs`;
 * - `reset`: cut the connection before handling; `timeout`: hold it `latencyMs`, then cut;
 * - `stalled_body`: send a 200's headers and the first bytes of its body, then nothing for
 *   `latencyMs`, then cut: a server or proxy that stalls mid-answer (the request is not
 *   handled);
 * - `lost_response`: handle the request (data changes), then cut the connection, so the
 *   client cannot know whether it worked;
 * - `foreign_body`: handle the request (data changes), then answer 200 with an HTML page
 *   (or the rule's `body`) instead of the vendor's body — what a proxy, a captive portal or a misrouted gateway
 *   answers (second trial of stop 31).
 */
export type FaultKind = 'rate_limit' | 'retry_after' | 'server_error' | 'latency' | 'reset' | 'timeout' | 'auth_expired' | 'lost_response' | 'stalled_body' | 'foreign_body';

/**
 * A fault rule. A request matching `method` / `path` is counted; the fault fires when
 * the count passes `after`, then on every request (`every: 1`), every nth, or at random
 * with probability `rate`, at most `times` times.
 */
export interface FaultRule {
  readonly kind: FaultKind;
  /** Probability per matching request, 0–1. */
  readonly rate?: number | undefined;
  /** Fire on every nth matching request. */
  readonly every?: number | undefined;
  /** Most injections (default unlimited). */
  readonly times?: number | undefined;
  /** Matching requests let through before the rule starts (token expiry after N calls). */
  readonly after?: number | undefined;
  /** HTTP method to match (default any). */
  readonly method?: string | undefined;
  /** Regular expression (source) the path must match (default any). */
  readonly path?: string | undefined;
  /**
   * Regular expression (source) one of the request's query-string values must match, decoded
   * (default any): e.g. a SOQL query naming one campaign, so a test can fail the lookup of one
   * group among several.
   */
  readonly query?: string | undefined;
  /** `server_error`: the status (default 503); `retry_after`: the status (default 429). */
  readonly status?: number | undefined;
  /** `rate_limit`, `retry_after`: seconds to announce (default 1). */
  readonly retryAfterSec?: number | undefined;
  /** `retry_after`: send the wait as an HTTP-date (`Retry-After: Wed, 21 Oct 2026 07:28:00 GMT`) instead of seconds. */
  readonly retryAfterDate?: boolean | undefined;
  /**
   * `foreign_body`: the body answered instead of the vendor's (default: a sign-in page). A
   * string is sent as `text/html`; anything else as JSON — an answer of another shape (another
   * API's, a gateway's). `server_error`: the body answered with `status` instead of the
   * vendor's own 5xx body (e.g. a vendor error of another code, for a 4xx).
   */
  readonly body?: unknown;
  /** `latency`: delay before answering; `timeout`, `stalled_body`: how long to hold before cutting (default 30,000). */
  readonly latencyMs?: number | undefined;
}

/** A small seedable PRNG (mulberry32) so fault runs are repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RuleState {
  readonly rule: FaultRule;
  readonly pathRe: RegExp | undefined;
  readonly queryRe: RegExp | undefined;
  seen: number;
  fired: number;
}

/** Decides, per request, which fault (if any) to inject. */
export class FaultInjector {
  private rules: RuleState[] = [];
  private random: () => number = seededRandom(1);
  /** Faults injected so far, by kind. */
  readonly injected: Record<FaultKind, number> = {
    rate_limit: 0,
    retry_after: 0,
    server_error: 0,
    latency: 0,
    reset: 0,
    timeout: 0,
    auth_expired: 0,
    lost_response: 0,
    stalled_body: 0,
    foreign_body: 0,
  };

  /** Replaces the rules (and reseeds the PRNG). */
  set(rules: readonly FaultRule[], seed = 1): void {
    this.rules = rules.map((rule) => ({ rule, pathRe: rule.path ? new RegExp(rule.path) : undefined, queryRe: rule.query ? new RegExp(rule.query) : undefined, seen: 0, fired: 0 }));
    this.random = seededRandom(seed);
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map((r) => r.rule);
  }

  /** The fault to inject for this request (its query-string values: `query`), or undefined. */
  decide(method: string, path: string, query: readonly string[] = []): FaultRule | undefined {
    for (const state of this.rules) {
      const { rule } = state;
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (state.pathRe && !state.pathRe.test(path)) continue;
      const queryRe = state.queryRe;
      if (queryRe && !query.some((value) => queryRe.test(value))) continue;
      state.seen++;
      if (state.seen <= (rule.after ?? 0)) continue;
      if (rule.times !== undefined && state.fired >= rule.times) continue;
      const n = state.seen - (rule.after ?? 0);
      const fire =
        rule.every !== undefined ? n % rule.every === 0 : rule.rate !== undefined ? this.random() < rule.rate : true;
      if (!fire) continue;
      state.fired++;
      this.injected[rule.kind]++;
      return rule;
    }
    return undefined;
  }
}
