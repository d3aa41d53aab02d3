import { defineDestination } from '@syncmodes/connector-kit';
import { connectIntercom, type IntercomConnection } from './client/intercom-connection';
import { intercomConfigSchema } from './config';
import { INTERCOM_CODES } from './errors/codes';
import { contactBody } from './verbs/contact-body';
import { contactMatchKey, emailOf, externalIdOf, refusedContactKey, matchKeyLabel } from './verbs/contact-keys';
import { findContacts } from './verbs/find-contacts';
import { prepareContactFields } from './verbs/prepare-fields';
import { removeContacts } from './verbs/remove-contacts';
import { addTag, ensureTags, findTags, removeTag } from './verbs/tags';
import { createContacts, updateContacts } from './verbs/write-contacts';

/** Most keys of each kind (external ids, emails) in one contact search. */
export const LOOKUP_BATCH_SIZE = 100;

/**
 * The Intercom destination: contacts (users and leads) matched by external_id, then email,
 * with tags as groups. Modes: sync, additive (default), enrich.
 *
 * One call per contact write (Intercom has no batch write endpoint); lookups are one
 * search per 100 records (`IN` filters, paged). A create answered 409 becomes an update of
 * the existing contact. Calls are paced from Intercom's `X-RateLimit-*` headers; 429s wait
 * for `X-RateLimit-Reset`.
 * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/contacts/
 */
export const intercomDestination = defineDestination({
  kind: 'records',
  id: 'intercom',
  displayName: 'Intercom',
  description: 'Contacts (users and leads), with tags as groups.',
  docsUrl: 'https://developers.intercom.com/docs/references/rest-api/api.intercom.io/contacts/',
  configSchema: intercomConfigSchema,
  errorCodes: INTERCOM_CODES,
  syncModes: ['sync', 'additive', 'enrich'],
  defaultSyncMode: 'additive',
  limits: (config) => ({
    writeBatchSize: 1,
    lookupBatchSize: LOOKUP_BATCH_SIZE,
    groupBatchSize: 1,
    concurrency: config.concurrency,
    rateLimit: config.maxRequestsPerMinute ? { requests: Math.max(1, Math.floor(config.maxRequestsPerMinute / 6)), intervalMs: 10_000 } : undefined,
  }),
  matchKeyLabel: (config) => matchKeyLabel(config.matchBy),
  // The region and the workspace: syncs matching by email and by external_id write the same contacts.
  writeTarget: ({ baseUrl, workspace }) => ({ baseUrl, workspace }),
  matchKey: (snapshot, config) => contactMatchKey(snapshot, config.matchBy),
  refuseKey: (snapshot) => refusedContactKey(snapshot),
  // Intercom finds a contact by its email too; where the key is the external_id, the email still names the person (the kit drops it where it is the key).
  // https://developers.intercom.com/docs/references/rest-api/api.intercom.io/contacts/searchcontacts
  // Besides the key, a contact's other identifier names the person: its email, or, matching by email, a user's
  // external_id (a contact found by one row's email that holds another row's external_id: third trial of stop 32).
  // Matching by external_id then email, a row's external_id is listed too, so a row with only an email, whose key is
  // that email, is told from a row holding an external_id and that email: the kit refuses the email-only row rather
  // than write it onto that row's user or create a lead beside it (identity_unclear).
  identityKeys: (snapshot, config) => {
    if (config.matchBy === 'email') {
      const externalId = externalIdOf(snapshot);
      return externalId === undefined ? [] : [`external_id:${externalId}`];
    }
    const email = emailOf(snapshot);
    const externalId = config.matchBy === 'external_id_then_email' ? externalIdOf(snapshot) : undefined;
    return [...(externalId === undefined ? [] : [`external_id:${externalId}`]), ...(email === undefined ? [] : [`email:${email}`])];
  },
  identityLabel: (config) => (config.matchBy === 'email' ? 'external_id' : 'email'),
  supportsGroups: () => true,
  connect: (config, ctx): Promise<IntercomConnection> => connectIntercom(config, ctx),
  prepareFields: prepareContactFields,
  validate: (ctx, item) => {
    const built = contactBody(ctx.client, ctx.config, item.properties);
    return 'error' in built ? built.error : undefined;
  },
  verbs: {
    find: findContacts,
    create: createContacts,
    update: updateContacts,
    delete: removeContacts,
    groups: { find: findTags, ensure: ensureTags, add: addTag, remove: removeTag },
  },
});
