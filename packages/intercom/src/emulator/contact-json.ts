import type { StoredContact } from './stored-contact';

/** Tags a contact lists with it (2.14 `contact_tags`: "Up to 10 will be displayed here"). */
const CONTACT_TAGS_LISTED = 10;

const list = (url: string) => ({ type: 'list', data: [], url, total_count: 0, has_more: false });

/**
 * A contact in the shape of the 2.14 `contact` schema (what `GET /contacts/{id}`, create,
 * update and search return). `email` is a string in the schema, so a contact without one
 * has `""`. Archived contacts carry `archived: true` only in the emulator's admin views, which
 * also list every tag (`allTags`; the API lists 10).
 */
export function contactJson(c: StoredContact, options: { readonly withArchived?: boolean; readonly allTags?: boolean } = {}): Record<string, unknown> {
  const listed = options.allTags ? c.tag_ids : c.tag_ids.slice(0, CONTACT_TAGS_LISTED);
  const email = c.email ?? '';
  return {
    type: 'contact',
    id: c.id,
    workspace_id: 'emulator',
    external_id: c.external_id,
    role: c.role,
    email,
    email_domain: email.includes('@') ? email.slice(email.indexOf('@') + 1) : '',
    phone: c.phone,
    name: c.name,
    avatar: c.avatar ? { type: 'avatar', image_url: c.avatar } : null,
    owner_id: c.owner_id,
    social_profiles: { type: 'list', data: [] },
    has_hard_bounced: false,
    marked_email_as_spam: false,
    unsubscribed_from_emails: c.unsubscribed_from_emails,
    created_at: c.created_at,
    updated_at: c.updated_at,
    signed_up_at: c.signed_up_at,
    last_seen_at: c.last_seen_at,
    last_replied_at: null,
    last_contacted_at: null,
    last_email_opened_at: null,
    last_email_clicked_at: null,
    language_override: null,
    browser: null,
    browser_version: null,
    browser_language: null,
    os: null,
    location: { type: 'location', country: null, region: null, city: null, country_code: null, continent_code: null },
    android_app_name: null,
    android_app_version: null,
    android_device: null,
    android_os_version: null,
    android_sdk_version: null,
    android_last_seen_at: null,
    ios_app_name: null,
    ios_app_version: null,
    ios_device: null,
    ios_os_version: null,
    ios_sdk_version: null,
    ios_last_seen_at: null,
    custom_attributes: { ...c.custom_attributes },
    // "Up to 10 will be displayed here. Use the url to get more." (2.14 `contact_tags`; the url
    // is `GET /contacts/{id}/tags`, which lists them all).
    tags: {
      type: 'list',
      data: listed.map((id) => ({ type: 'tag', id, url: `/tags/${id}` })),
      url: `/contacts/${c.id}/tags`,
      total_count: c.tag_ids.length,
      has_more: listed.length < c.tag_ids.length,
    },
    notes: list(`/contacts/${c.id}/notes`),
    companies: list(`/contacts/${c.id}/companies`),
    opted_out_subscription_types: list(`/contacts/${c.id}/subscriptions`),
    opted_in_subscription_types: list(`/contacts/${c.id}/subscriptions`),
    utm_campaign: null,
    utm_content: null,
    utm_medium: null,
    utm_source: null,
    utm_term: null,
    referrer: null,
    enabled_push_messaging: null,
    ...(options.withArchived ? { archived: c.archived } : {}),
  };
}

/** `contact_reference` plus a flag (`archived` / `deleted`), as archive, unarchive and delete answer. */
export function contactReference(c: { id: string; external_id: string | null }, flag: { archived: boolean } | { deleted: true }): Record<string, unknown> {
  return { type: 'contact', id: c.id, external_id: c.external_id, ...flag };
}
