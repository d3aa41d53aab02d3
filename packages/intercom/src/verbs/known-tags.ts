import type { ContactSummary } from '../client/intercom-api';
import type { IntercomContext } from './verb-context';

/**
 * Keeps the tags of contacts this run read or wrote whose whole tag list came with them
 * (`has_more` false; see `IntercomConnection.contactTags`): a search, a read by id, a create,
 * an update — each answers the contact.
 */
export function rememberTags(ctx: IntercomContext, contacts: readonly ContactSummary[]): void {
  for (const c of contacts) {
    const data = c.tags?.data;
    if (!Array.isArray(data) || c.tags?.has_more !== false) continue;
    ctx.client.contactTags.set(c.id, new Set(data.map((t) => String(t.id))));
  }
}

/**
 * The ids of the tags a contact has: as this run last read or wrote it, or, when that answer
 * did not list them all (more than 10 tags) or the run has not seen the contact (a 409 took
 * it over, say), read whole with `GET /contacts/{id}/tags` (fresh reviewer 93, F4: a tag a
 * person had put on such a contact was taken for one this sync added, and later removed).
 */
export async function tagsOf(ctx: IntercomContext, contactId: string): Promise<ReadonlySet<string>> {
  const known = ctx.client.contactTags.get(contactId);
  if (known) return known;
  const read = new Set(await ctx.client.api.contactTagIds(ctx, contactId));
  ctx.client.contactTags.set(contactId, read);
  return read;
}
