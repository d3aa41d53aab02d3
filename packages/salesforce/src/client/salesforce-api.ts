import { Connection, type HttpRequest } from 'jsforce';
import { jsforceErrorToSyncError, type SalesforceSaveError } from './errors';

/** One SaveResult of an sObject Collections call. */
export interface SaveResult {
  readonly id?: string | null;
  readonly success: boolean;
  readonly errors: readonly SalesforceSaveError[];
  readonly created?: boolean;
}

/** A field of a describe result (the properties the connector reads). */
export interface FieldDescribe {
  readonly name: string;
  readonly type: string;
  readonly length: number;
  readonly nillable: boolean;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly defaultedOnCreate: boolean;
  readonly externalId: boolean;
  readonly restrictedPicklist: boolean;
  readonly picklistValues: readonly { readonly value: string; readonly active: boolean }[];
}

/** An object's describe (subset). */
export interface ObjectDescribe {
  readonly name: string;
  readonly fields: readonly FieldDescribe[];
}

interface QueryPage<T> {
  readonly records: T[];
  readonly done: boolean;
  readonly nextRecordsUrl?: string;
}

/** Options of {@link SalesforceApi}. */
export interface SalesforceApiOptions {
  readonly instanceUrl: string;
  readonly accessToken: string;
  /** e.g. `62.0`. */
  readonly apiVersion: string;
  /** Per-request timeout, ms. */
  readonly timeoutMs: number;
}

/**
 * The REST calls the connector makes, through jsforce's `Connection#request` with jsforce's
 * own retries switched off (`retry.maxRetries: 0`): the kit owns retries, backoff and
 * pacing. Errors are translated by {@link jsforceErrorToSyncError}.
 *
 * Calls: describe, SOQL query (following `nextRecordsUrl`), sObject Collections create /
 * update / delete (at most 200 records; `allOrNone: false` keeps good records).
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm
 */
export class SalesforceApi {
  readonly connection: Connection;
  private readonly base: string;

  constructor(private readonly options: SalesforceApiOptions) {
    this.connection = new Connection({
      instanceUrl: options.instanceUrl,
      accessToken: options.accessToken,
      version: options.apiVersion,
    });
    this.base = `/services/data/v${options.apiVersion}`;
  }

  private async request<T>(request: HttpRequest): Promise<T> {
    try {
      return await this.connection.request<T>(request, { retry: { maxRetries: 0 }, timeout: this.options.timeoutMs });
    } catch (error) {
      throw jsforceErrorToSyncError(error);
    }
  }

  /** `GET /sobjects/{object}/describe`. */
  describe(object: string): Promise<ObjectDescribe> {
    return this.request<ObjectDescribe>({ method: 'GET', url: `${this.base}/sobjects/${encodeURIComponent(object)}/describe` });
  }

  /** Runs a SOQL query and follows `nextRecordsUrl` to the end. */
  async query<T>(soql: string): Promise<T[]> {
    const records: T[] = [];
    let page = await this.request<QueryPage<T>>({ method: 'GET', url: `${this.base}/query?q=${encodeURIComponent(soql)}` });
    records.push(...page.records);
    while (!page.done && page.nextRecordsUrl) {
      page = await this.request<QueryPage<T>>({ method: 'GET', url: page.nextRecordsUrl });
      records.push(...page.records);
    }
    return records;
  }

  /** `POST /composite/sobjects`: creates up to 200 records of `object`. */
  create(object: string, records: readonly Record<string, unknown>[]): Promise<SaveResult[]> {
    return this.request<SaveResult[]>({
      method: 'POST',
      url: `${this.base}/composite/sobjects`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ allOrNone: false, records: records.map((r) => ({ attributes: { type: object }, ...r })) }),
    });
  }

  /** `PATCH /composite/sobjects`: updates up to 200 records by id (`null` clears a field). */
  update(object: string, records: readonly ({ Id: string } & Record<string, unknown>)[]): Promise<SaveResult[]> {
    return this.request<SaveResult[]>({
      method: 'PATCH',
      url: `${this.base}/composite/sobjects`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        allOrNone: false,
        records: records.map(({ Id, ...fields }) => ({ attributes: { type: object }, id: Id, ...fields })),
      }),
    });
  }

  /** `DELETE /composite/sobjects?ids=…`: deletes up to 200 records. */
  destroy(ids: readonly string[]): Promise<SaveResult[]> {
    return this.request<SaveResult[]>({
      method: 'DELETE',
      url: `${this.base}/composite/sobjects?ids=${ids.map(encodeURIComponent).join(',')}&allOrNone=false`,
    });
  }
}
