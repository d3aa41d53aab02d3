import type { Logger } from '@syncmodes/connector-kit';
import type { IntercomConfig } from '../config';
import type { AttributeType } from '../fields/contact-fields';
import { IntercomApi } from './intercom-api';

/** What `connect` builds: the API, the workspace's custom contact attributes and a tag cache. */
export interface IntercomConnection {
  readonly api: IntercomApi;
  /** Custom contact attributes by name (without `custom_attributes.`) → data type; writable, not archived. */
  readonly attributes: Map<string, AttributeType>;
  /** Custom attributes Intercom has but the API may not write. */
  readonly readOnlyAttributes: Set<string>;
  /** Custom attributes archived in Intercom: a value for one is refused, and one of that name cannot be created. */
  readonly archivedAttributes: Set<string>;
  /** Tags by name, in the spelling source group names are read in, lowercased (Intercom compares tag names case-insensitively; see `verbs/tags.ts`): each tag's id and exact name. Filled on first use. */
  tags: Map<string, { readonly id: string; readonly name: string }[]> | undefined;
  /**
   * Contact id → the ids of the tags it had when this run looked it up, for contacts whose
   * whole tag list came with them (`has_more` false): a tag it already had is one this sync
   * did not put there (see `addTag`).
   */
  readonly contactTags: Map<string, ReadonlySet<string>>;
}

const TYPES: Readonly<Record<string, AttributeType>> = {
  string: 'string',
  integer: 'integer',
  float: 'float',
  boolean: 'boolean',
  date: 'date',
  datetime: 'date',
  options: 'string',
};

/**
 * Connects: builds the SDK-backed API and loads the contact data attributes, archived ones
 * too (`GET /data_attributes?model=contact&include_archived=true`), which also checks the token.
 * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/data-attributes/lisdataattributes
 *
 * @throws AuthError (`authentication_failed`) when Intercom refuses the token.
 */
export async function connectIntercom(config: IntercomConfig, ctx: { readonly logger: Logger; readonly signal: AbortSignal }): Promise<IntercomConnection> {
  const api = new IntercomApi({ baseUrl: config.baseUrl, accessToken: config.accessToken, timeoutMs: config.requestTimeoutMs });
  const attributes = new Map<string, AttributeType>();
  const readOnlyAttributes = new Set<string>();
  const archivedAttributes = new Set<string>();
  const listed = await api.listContactAttributes({ rateLimit: { observe: () => undefined }, signal: ctx.signal });
  for (const a of listed) {
    if (a.custom !== true || typeof a.name !== 'string') continue;
    if (a.archived === true) archivedAttributes.add(a.name);
    else if (a.api_writable === false) readOnlyAttributes.add(a.name);
    else attributes.set(a.name, TYPES[String(a.data_type)] ?? 'string');
  }
  ctx.logger.debug('intercom connected', { customAttributes: attributes.size });
  return { api, attributes, readOnlyAttributes, archivedAttributes, tags: undefined, contactTags: new Map() };
}
