import { answerTooLarge, maxAnswerBytes, RetryableError, SyncError, type RateLimitObserver } from '@syncmodes/connector-kit';
import { IntercomClient, IntercomError, type Intercom } from 'intercom-client';
import { boundedFetch } from './bounded-fetch';
import { toIntercomError } from './errors';
import { rateLimitInfo, type HasHeaders } from './rate-limit-headers';

/** What each call needs from the verb that makes it: where to report rate-limit headers, and the run's abort signal. */
export interface CallContext {
  readonly rateLimit: RateLimitObserver;
  readonly signal: AbortSignal;
}

/** Options of {@link IntercomApi}. */
export interface IntercomApiOptions {
  readonly baseUrl: string;
  readonly accessToken: string;
  /** Per-request timeout, ms. */
  readonly timeoutMs: number;
}

/** A contact as the connector reads it (a subset of the API's `contact`). */
export interface ContactSummary {
  readonly id: string;
  readonly role: string;
  readonly external_id?: string | null | undefined;
  readonly email?: string | null | undefined;
  readonly created_at?: number | undefined;
  /** The contact's tags: up to 10 listed (`has_more` when it has more; https://developers.intercom.com/docs/references/rest-api/api.intercom.io/contacts/contact). */
  readonly tags?: { readonly data?: readonly { readonly id?: unknown }[] | undefined; readonly has_more?: boolean | undefined } | null | undefined;
}

/** A contact body: API field names; `custom_attributes` nested. */
export type ContactBody = Record<string, unknown> & { custom_attributes?: Record<string, unknown> };

/** A contact search query (`single_filter_search_request` or `multiple_filter_search_request`). */
export type SearchQuery =
  | { readonly field: string; readonly operator: string; readonly value: unknown }
  | { readonly operator: 'AND' | 'OR'; readonly value: readonly SearchQuery[] };

/** Largest search page Intercom serves. */
export const SEARCH_PAGE_SIZE = 150;

interface SdkCall<T> {
  withRawResponse(): Promise<{ data: T; rawResponse: HasHeaders }>;
}

/**
 * The Intercom REST calls the connector makes, through the official SDK (`intercom-client`,
 * API version 2.14) with the SDK's own retries off (`maxRetries: 0`): the kit owns retries,
 * backoff and pacing. Every answer's `X-RateLimit-*` headers are reported to the kit's
 * pacer; errors are translated by {@link toIntercomError}.
 */
/** Why an answer is not what Intercom documents, for {@link withId} and {@link listOf}. */
function unexpected(what: string): SyncError {
  return new SyncError('unexpected_response', `Intercom answered ${what} with a body that is not what its API returns (a proxy's page?); it is sent again.`, { status: 200, retryable: true });
}

/** An answer that must be an object with an `id` (a tag, a contact); else `unexpected_response`, retryable (second trial of stop 31: a tag id read as "undefined"). */
function withId<T>(answer: T, what: string): T & { id: string | number } {
  const id = answer !== null && typeof answer === 'object' ? (answer as { id?: unknown }).id : undefined;
  if ((typeof id === 'string' && id !== '') || typeof id === 'number') return answer as T & { id: string | number };
  throw unexpected(what);
}

/** An answer's `data` list (of objects with an `id` when `ids`); else `unexpected_response`, retryable (a page read as "no tags" made tags twice). */
function listOf<T>(answer: { data?: T[] | undefined } | undefined, what: string, ids = true): T[] {
  const data = answer?.data;
  if (Array.isArray(data) && (!ids || data.every((x) => x !== null && typeof x === 'object' && (x as { id?: unknown }).id !== undefined))) return data;
  throw unexpected(what);
}

/**
 * A page of search results: a list of contacts, each with its `id`. Anything else (a proxy's
 * page read as no data) fails `unexpected_response`, retryable — read as "no match", it made
 * the kit create contacts that existed, or resend a create it could not confirm (second trial
 * of stop 31, verify's `foreign_body` fault).
 */
function searchPage(page: { readonly response: unknown }): ContactSummary[] {
  // The SDK's page reads a body without `data` (an HTML page, text) as an empty list: the answer itself is checked.
  const data = page.response !== null && typeof page.response === 'object' ? (page.response as { data?: unknown }).data : undefined;
  if (Array.isArray(data) && data.every((c) => c !== null && typeof c === 'object' && typeof (c as { id?: unknown }).id === 'string')) return data as ContactSummary[];
  throw new SyncError('unexpected_response', 'Intercom answered the contact search with a body that is not a list of contacts; it is sent again.', { status: 200, retryable: true });
}

/**
 * A contact as Intercom answers a create, an update or a read: an object with its `id`
 * (https://developers.intercom.com/docs/references/rest-api/api.intercom.io/contacts/createcontact).
 * Anything else (a proxy's page, another body) fails `unexpected_response`: the write may have
 * been applied, so the kit looks it up before sending again — counted a success, the row was
 * recorded as created while nothing was (second trial of stop 31).
 */
function contactOf(answer: unknown, what: string): ContactSummary {
  const id = answer !== null && typeof answer === 'object' ? (answer as { id?: unknown }).id : undefined;
  if (typeof id === 'string' && id !== '') return answer as ContactSummary;
  const shape = typeof answer === 'string' ? (answer.trimStart().startsWith('<') ? 'an HTML page' : 'text') : answer === null || answer === undefined ? 'nothing' : 'a body without a contact id';
  const next = what === 'creating a contact' ? 'it may have been applied, so it is looked up before anything is sent again' : 'it is sent again';
  throw new SyncError('unexpected_response', `Intercom answered ${what} with ${shape}, not a contact; ${next}.`, { status: 200, retryable: true });
}

export class IntercomApi {
  readonly client: IntercomClient;

  constructor(private readonly options: IntercomApiOptions) {
    this.client = new IntercomClient({
      token: options.accessToken,
      baseUrl: options.baseUrl.replace(/\/$/, ''),
      maxRetries: 0,
      timeoutInSeconds: options.timeoutMs / 1000,
      fetch: boundedFetch(() => (this.tooLarge = true)),
    });
  }

  /** An answer passed `maxAnswerBytes()` since the last failure was read (see {@link boundedFetch}). */
  private tooLarge = false;

  /** The SyncError for a failed call: an answer cut at `maxAnswerBytes()` says so (the SDK reports it as an unknown error). */
  private failure(error: unknown, what: string): unknown {
    if (!this.tooLarge) return toIntercomError(error, what);
    this.tooLarge = false;
    return answerTooLarge('Intercom', maxAnswerBytes());
  }

  private requestOptions(signal: AbortSignal) {
    return { maxRetries: 0, timeoutInSeconds: this.options.timeoutMs / 1000, abortSignal: signal };
  }

  /**
   * Runs `send` with a signal of its own that follows the run's, and a deadline: when an
   * exchange (request, headers and whole body) has not ended within `timeoutMs`, the signal
   * aborts it — the fetch then closes its connection — and the call fails with the retryable
   * `timeout`. The SDK's own `timeoutInSeconds` covers only the wait for the headers (it
   * clears its timer once they come), so an answer stalling mid-body would otherwise hold the
   * call forever (#17, second trial of stop 26). `send` calls `restart` before each further
   * exchange (a search's next page). The SDK adds an abort listener to the signal it is given
   * and never removes it (`anySignal`), so handing it the run's signal would pile up one
   * listener per request for the whole run.
   *
   * @throws RetryableError `timeout` when the deadline passed; else what `send` throws.
   */
  private async scoped<T>(ctx: CallContext, what: string, send: (signal: AbortSignal, restart: () => void) => Promise<T>): Promise<T> {
    const own = new AbortController();
    const follow = () => own.abort(ctx.signal.reason);
    if (ctx.signal.aborted) follow();
    else ctx.signal.addEventListener('abort', follow, { once: true });
    const deadline = new DOMException(`No complete answer within ${this.options.timeoutMs} ms.`, 'TimeoutError');
    let timer: NodeJS.Timeout | undefined;
    const restart = () => {
      clearTimeout(timer);
      timer = setTimeout(() => own.abort(deadline), this.options.timeoutMs);
    };
    restart();
    try {
      return await send(own.signal, restart);
    } catch (error) {
      if (own.signal.reason !== deadline) throw error;
      throw new RetryableError('timeout', `Intercom did not answer ${what} within ${this.options.timeoutMs} ms; the request was cancelled and its connection closed.`, { cause: error });
    } finally {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', follow);
    }
  }

  private observe(ctx: CallContext, response: HasHeaders | undefined): void {
    const info = rateLimitInfo(response);
    if (info) ctx.rateLimit.observe(info);
  }

  private call<T>(ctx: CallContext, what: string, send: (options: ReturnType<IntercomApi['requestOptions']>) => SdkCall<T>): Promise<T> {
    return this.scoped(ctx, what, async (signal) => {
      try {
        const { data, rawResponse } = await send(this.requestOptions(signal)).withRawResponse();
        this.observe(ctx, rawResponse);
        return data;
      } catch (error) {
        if (error instanceof IntercomError) this.observe(ctx, error.rawResponse);
        throw this.failure(error, what);
      }
    });
  }

  /**
   * `POST /contacts/search`, following `pages.next` to the end, 150 contacts a page.
   * Search is eventually consistent: a contact created moments ago may be missing.
   * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/contacts/searchcontacts
   */
  searchContacts(ctx: CallContext, query: SearchQuery): Promise<ContactSummary[]> {
    return this.scoped(ctx, 'the contact search', async (signal, restart) => {
      try {
        let page = await this.client.contacts.search(
          { query: query as Intercom.SearchRequest['query'], pagination: { per_page: SEARCH_PAGE_SIZE } },
          this.requestOptions(signal),
        );
        this.observe(ctx, page.rawResponse);
        const contacts: ContactSummary[] = [...searchPage(page)];
        while (page.hasNextPage()) {
          restart();
          page = await page.getNextPage();
          this.observe(ctx, page.rawResponse);
          contacts.push(...searchPage(page));
        }
        return contacts;
      } catch (error) {
        if (error instanceof IntercomError) this.observe(ctx, error.rawResponse);
        throw this.failure(error, 'the contact search');
      }
    });
  }

  /** `GET /contacts/{id}`; archived and deleted contacts answer 404. */
  async getContact(ctx: CallContext, id: string): Promise<ContactSummary> {
    return contactOf(await this.call(ctx, 'reading a contact', (o) => this.client.contacts.find({ contact_id: id }, o)), 'reading a contact');
  }

  /** `POST /contacts`. A contact that already exists answers 409 `conflict` naming it. */
  async createContact(ctx: CallContext, body: ContactBody): Promise<ContactSummary> {
    return contactOf(await this.call(ctx, 'creating a contact', (o) => this.client.contacts.create(body as unknown as Intercom.CreateContactRequest, o)), 'creating a contact');
  }

  /** `PUT /contacts/{id}` with the fields to change. */
  async updateContact(ctx: CallContext, id: string, body: ContactBody): Promise<ContactSummary> {
    return contactOf(await this.call(ctx, 'updating a contact', (o) => this.client.contacts.update({ contact_id: id, ...body } as unknown as Intercom.UpdateContactRequest, o)), 'updating a contact');
  }

  /** `POST /contacts/{id}/archive`. */
  async archiveContact(ctx: CallContext, id: string): Promise<void> {
    withId(await this.call(ctx, 'archiving a contact', (o) => this.client.contacts.archive({ contact_id: id }, o)), 'archiving a contact');
  }

  /** `POST /contacts/{id}/unarchive`. */
  async unarchiveContact(ctx: CallContext, id: string): Promise<void> {
    withId(await this.call(ctx, 'unarchiving a contact', (o) => this.client.contacts.unarchive({ contact_id: id }, o)), 'unarchiving a contact');
  }

  /** `DELETE /contacts/{id}` (permanent). */
  async deleteContact(ctx: CallContext, id: string): Promise<void> {
    withId(await this.call(ctx, 'deleting a contact', (o) => this.client.contacts.delete({ contact_id: id }, o)), 'deleting a contact');
  }

  /** `GET /tags`: every tag of the workspace. */
  async listTags(ctx: CallContext): Promise<{ id: string; name: string }[]> {
    const list = await this.call(ctx, 'listing tags', (o) => this.client.tags.list(o));
    return listOf(list, 'listing tags').map((t) => ({ id: String(t.id), name: String(t.name) }));
  }

  /** `POST /tags` with a name: finds or creates the tag (names are case-insensitive). */
  async createTag(ctx: CallContext, name: string): Promise<{ id: string; name: string }> {
    const tag = withId(await this.call(ctx, 'creating a tag', (o) => this.client.tags.create({ name }, o)), 'creating a tag');
    return { id: String(tag.id), name: String(tag.name) };
  }

  /**
   * `GET /contacts/{id}/tags`: the ids of every tag on the contact (the whole list, unlike the
   * contact's own `tags`, which lists 10).
   * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/tags/listtagsforacontact
   */
  async contactTagIds(ctx: CallContext, contactId: string): Promise<string[]> {
    const list = await this.call(ctx, 'reading a contact\'s tags', (o) => this.client.contacts.listAttachedTags({ contact_id: contactId }, o));
    return listOf(list, 'reading a contact\'s tags').map((t) => String(t.id));
  }

  /** `POST /contacts/{id}/tags`. */
  async tagContact(ctx: CallContext, contactId: string, tagId: string): Promise<void> {
    withId(await this.call(ctx, 'tagging a contact', (o) => this.client.tags.tagContact({ contact_id: contactId, id: tagId }, o)), 'tagging a contact');
  }

  /** `DELETE /contacts/{id}/tags/{tag_id}`. */
  async untagContact(ctx: CallContext, contactId: string, tagId: string): Promise<void> {
    withId(await this.call(ctx, 'untagging a contact', (o) => this.client.tags.untagContact({ contact_id: contactId, tag_id: tagId }, o)), 'untagging a contact');
  }

  /** `GET /data_attributes?model=contact&include_archived=true`: standard and custom contact attributes, archived ones too (Intercom leaves them out otherwise). */
  async listContactAttributes(ctx: CallContext): Promise<Intercom.DataAttribute[]> {
    const list = await this.call(ctx, 'listing data attributes', (o) => this.client.dataAttributes.list({ model: 'contact', include_archived: true }, o));
    return listOf(list, 'listing data attributes', false);
  }

  /** `POST /data_attributes`: a custom contact attribute. */
  createContactAttribute(ctx: CallContext, name: string, dataType: string): Promise<Intercom.DataAttribute> {
    return this.call(ctx, `creating the data attribute "${name}"`, (o) =>
      this.client.dataAttributes.create(
        { name, model: 'contact', data_type: dataType, description: 'Created by syncmodes' } as unknown as Intercom.CreateDataAttributeRequest,
        o,
      ),
    );
  }
}
