import type { FaultKind, FaultRule } from './faults';
import { ADMIN_TOKEN_HEADER } from './listen-safety';
import type { RequestLogEntry } from './types';

/**
 * A client for an emulator's admin endpoints (`/__emulator/…`), for tests and tooling.
 * Reads go over real HTTP, like the connector's own requests.
 */
export class EmulatorClient {
  /** `adminToken`: the emulator's `adminToken`, needed when it listens off loopback. */
  constructor(
    readonly baseUrl: string,
    private readonly adminToken?: string | undefined,
  ) {}

  private async call(method: string, what: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(this.adminToken === undefined ? {} : { [ADMIN_TOKEN_HEADER]: this.adminToken }),
    };
    const response = await fetch(`${this.baseUrl}/__emulator/${what}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`emulator admin ${method} ${what}: HTTP ${response.status} ${await response.text()}`);
    return response.status === 204 ? undefined : response.json();
  }

  /** The emulator's data (shape documented per emulator). */
  records<T = unknown>(): Promise<T> {
    return this.call('GET', 'records') as Promise<T>;
  }

  /** The request log, optionally only entries after sequence number `since`. */
  requests(since = 0): Promise<RequestLogEntry[]> {
    return this.call('GET', `requests?since=${since}`) as Promise<RequestLogEntry[]>;
  }

  async clearRequests(): Promise<void> {
    await this.call('DELETE', 'requests');
  }

  async seed(data: unknown): Promise<void> {
    await this.call('POST', 'seed', data);
  }

  async reset(): Promise<void> {
    await this.call('POST', 'reset');
  }

  async setFaults(rules: readonly FaultRule[], seed = 1): Promise<void> {
    await this.call('POST', 'faults', { rules, seed });
  }

  /** The fault rules in force and the faults injected so far, by kind (counted when a request arrives: a request an emulator holds is counted already). */
  faults(): Promise<{ rules: FaultRule[]; injected: Record<FaultKind, number> }> {
    return this.call('GET', 'faults') as Promise<{ rules: FaultRule[]; injected: Record<FaultKind, number> }>;
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', 'faults');
  }
}
