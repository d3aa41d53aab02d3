import { answerTooLarge, isRunStopping, maxAnswerBytes, RetryableError, SyncError } from '@syncmodes/connector-kit';
import { AdAccount, CustomAudience } from 'facebook-nodejs-business-sdk';
import type { FacebookConfig } from '../config';
import { AudienceMemory } from './audience-memory';
import { toGraphError } from './graph-errors';
import { timeoutRequestsTo } from './request-timeout';
import { TargetedFacebookAdsApi } from './targeted-api';
import type { UploadSession, UsersPayload, UsersResponse } from './users-response';

/** A customer-list audience as listed in the ad account. */
export interface AudienceInfo {
  readonly id: string;
  readonly name: string;
  readonly subtype?: string | undefined;
  readonly accountId?: string | undefined;
  /** When it was created, epoch ms (Graph's `time_created`, Unix seconds: https://developers.facebook.com/docs/marketing-api/reference/custom-audience/). */
  readonly createdAt?: number | undefined;
}

/** Graph's `time_created` (Unix seconds) as epoch ms, when it is one. */
const createdAtOf = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value * 1000 : undefined);

/** Audiences listed per page (Graph's `limit`). */
const PAGE_SIZE = 500;

const dataOf = (object: { _data: unknown }) => (object._data ?? {}) as Record<string, unknown>;

/** A page of the SDK's audience cursor (an array with `hasNext` / `next`). */
type AudiencePage = { _data: unknown }[] & { hasNext(): boolean; next(): Promise<unknown> };

function notAudienceList(): SyncError {
  return new SyncError('unexpected_response', 'Facebook answered the audience list with a body that is not a list of audiences (a proxy page, another API); it is sent again.', { status: 200, retryable: true });
}

/**
 * One page of the audience list. The SDK reads an answer of another shape (an HTML page) with
 * a `TypeError`; that, or anything but a list, is `unexpected_response` (retryable) — it
 * stopped verify with a stack (foreign_body fault, stop 32).
 */
async function audiencePage(load: () => unknown): Promise<AudiencePage> {
  let page: unknown;
  try {
    page = await load();
  } catch (error) {
    if (error instanceof TypeError) throw notAudienceList();
    throw error;
  }
  if (!Array.isArray(page) || typeof (page as Partial<AudiencePage>).hasNext !== 'function') throw notAudienceList();
  return page as AudiencePage;
}

/**
 * The Marketing API calls this destination makes, through the official SDK
 * (facebook-nodejs-business-sdk) pointed at `config.baseUrl`. Every request has a timeout
 * that also closes its socket (`requestTimeoutMs`), and failures become `SyncError`s without
 * the token (see {@link toGraphError}). Call `close` when done.
 * https://developers.facebook.com/docs/marketing-api/reference/custom-audience/users
 */
export class FacebookClient {
  readonly api: TargetedFacebookAdsApi;
  private readonly secrets: readonly string[];
  /** Removes the per-request timeout of this client's requests (see {@link timeoutRequestsTo}). */
  readonly close: () => void;
  /** An answer of this client's passed `maxAnswerBytes()` since the last failure was read (see {@link timeoutRequestsTo}). */
  private tooLarge = false;
  /** What this run has learned about audience ids (see {@link AudienceMemory}). */
  readonly memory: AudienceMemory;
  /** Per identifier key, the records whose value of it could not be normalised and was sent empty in this run (see `reportDropped`). */
  readonly sentEmpty = new Map<string, Set<string>>();
  /** Per audience, identifier key and record, what `reportDropped` logged already in this run (a request sent again logs nothing more). */
  readonly reportedEmpty = new Set<string>();

  /** `signal`: the run's (the connect context's): requests still in flight when it aborts are cancelled. */
  constructor(
    private readonly config: FacebookConfig,
    signal?: AbortSignal,
  ) {
    this.api = new TargetedFacebookAdsApi(config.accessToken, config.baseUrl);
    this.secrets = [config.accessToken, encodeURIComponent(config.accessToken)];
    this.memory = new AudienceMemory(config.adAccountId);
    this.close = timeoutRequestsTo(config.baseUrl.replace(/\/+$/, ''), config.requestTimeoutMs, signal, () => (this.tooLarge = true));
  }

  /**
   * The ad account's customer-list (CUSTOM) audiences, every page (`allSubtypes`: every
   * audience, whatever its subtype). `GET /act_<id>/customaudiences`.
   */
  async listAudiences(options: { readonly allSubtypes?: boolean } = {}): Promise<AudienceInfo[]> {
    return this.run(async () => {
      const account = new AdAccount(this.config.adAccountId, {}, undefined, this.api);
      let page = await audiencePage(() => account.getCustomAudiences(['id', 'name', 'subtype', 'time_created'], { limit: PAGE_SIZE }));
      const out: AudienceInfo[] = [];
      for (;;) {
        for (const item of page) {
          const d = dataOf(item);
          if (d.id === undefined || d.id === null || d.id === '') throw notAudienceList();
          out.push({ id: String(d.id), name: String(d.name ?? ''), subtype: d.subtype === undefined ? undefined : String(d.subtype), createdAt: createdAtOf(d.time_created) });
        }
        if (!page.hasNext()) {
          this.memory.inOwnAccount(out.map((a) => a.id));
          return options.allSubtypes ? out : out.filter((a) => a.subtype === undefined || a.subtype === 'CUSTOM');
        }
        const current = page;
        page = await audiencePage(() => current.next());
      }
    });
  }

  /** One audience by id, or `undefined` when Graph says it does not exist. `GET /{audience_id}`. */
  async readAudience(id: string): Promise<AudienceInfo | undefined> {
    try {
      const info = await this.run(async () => {
        const audience = new CustomAudience(id, {}, undefined, this.api);
        await audience.read(['id', 'name', 'subtype', 'account_id']);
        const d = dataOf(audience);
        return { id: String(d.id), name: String(d.name ?? ''), subtype: d.subtype === undefined ? undefined : String(d.subtype), accountId: d.account_id === undefined ? undefined : String(d.account_id) };
      });
      this.memory.read(id, info.accountId);
      return info;
    } catch (error) {
      if ((error as { vendorCode?: string }).vendorCode !== '100') throw error;
      this.memory.read(id, undefined);
      return undefined;
    }
  }

  /**
   * The ad account (`act_<digits>`) of audience `id` as far as this run can tell: one the ad
   * account listed or this run created is its own; any other is read once per run
   * (`GET /{audience_id}`, its `account_id`). `undefined` when it cannot be read (deleted, out
   * of the token's reach, or the read failed); an error that stops the run is thrown.
   * https://developers.facebook.com/docs/marketing-api/reference/custom-audience/
   */
  async audienceAccount(id: string): Promise<string | undefined> {
    return this.memory.accountOf(id, async () => {
      try {
        const info = await this.readAudience(id);
        return info?.accountId === undefined ? undefined : `act_${info.accountId}`;
      } catch (error) {
        if (isRunStopping(error)) throw error;
        return undefined;
      }
    });
  }

  /** Creates a customer-list audience; returns its id. `POST /act_<id>/customaudiences`. */
  async createAudience(name: string): Promise<string> {
    return this.run(async () => {
      const account = new AdAccount(this.config.adAccountId, {}, undefined, this.api);
      const created = await account.createCustomAudience(['id'], {
        name,
        subtype: 'CUSTOM',
        customer_file_source: this.config.customerFileSource,
        description: 'Created by syncmodes',
      });
      // An answer without the id (a proxy's page) made every later call go to /undefined/users (verify foreign_body, stop 32):
      // retried, the audiences are listed again first, so the one this call may have created is found, not made twice.
      const id = dataOf(created).id;
      if ((typeof id !== 'string' && typeof id !== 'number') || String(id).trim() === '') {
        throw new SyncError('unexpected_response', 'Facebook answered the audience creation without the audience id (a proxy page, another API); the audiences are listed again before anything is created.', { status: 200, retryable: true });
      }
      this.memory.inOwnAccount([String(id)]);
      return String(id);
    });
  }

  /** Adds people. `POST /{audience_id}/users` with `{payload: {schema, data}}`, and the upload `session` when the rows are one batch of several. */
  async addUsers(audienceId: string, payload: UsersPayload, session?: UploadSession): Promise<UsersResponse> {
    const params = session ? { payload, session } : { payload };
    return this.run(async () => dataOf(await new CustomAudience(audienceId, {}, undefined, this.api).createUser([], params)) as UsersResponse, audienceId);
  }

  /** Removes people. `DELETE /{audience_id}/users`, the payload in the query string. */
  async removeUsers(audienceId: string, payload: UsersPayload): Promise<UsersResponse> {
    return this.run(async () => ((await new CustomAudience(audienceId, {}, undefined, this.api).deleteUsers({ payload })) ?? {}) as UsersResponse, audienceId);
  }

  /** Runs one request with the timeout; `usersOf`: the audience whose `/users` edge it calls (for {@link toGraphError}). */
  private async run<T>(call: () => Promise<T>, usersOf?: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RetryableError('timeout', `Facebook did not answer within ${this.config.requestTimeoutMs} ms.`)), this.config.requestTimeoutMs);
    });
    try {
      return await Promise.race([call(), timeout]);
    } catch (error) {
      if (this.tooLarge) {
        this.tooLarge = false;
        throw answerTooLarge('Facebook', maxAnswerBytes());
      }
      throw toGraphError(error, this.secrets, this.config.adAccountId, usersOf);
    } finally {
      clearTimeout(timer);
    }
  }
}
