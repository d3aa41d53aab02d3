import { SyncError, type GroupRef, type ItemResult, type TargetItem } from '@syncmodes/connector-kit';
import { eachItem, failedItem } from './item-results';
import type { IntercomContext } from './verb-context';

async function tagIds(ctx: IntercomContext): Promise<Map<string, string>> {
  if (!ctx.client.tags) {
    const tags = await ctx.client.api.listTags(ctx);
    ctx.client.tags = new Map(tags.map((t) => [t.name.toLowerCase(), t.id]));
  }
  return ctx.client.tags;
}

/**
 * Finds tags by name (`GET /tags`, once per run; Intercom compares names case-insensitively)
 * and, when `create` is true, creates the missing ones (`POST /tags`). Ids are cached for
 * the run.
 * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/tags/createtag
 */
export async function ensureTags(ctx: IntercomContext, names: readonly string[], options: { readonly create: boolean }): Promise<Map<string, string>> {
  const ids = await tagIds(ctx);
  const out = new Map<string, string>();
  for (const name of new Set(names)) {
    let id = ids.get(name.toLowerCase());
    if (id === undefined && options.create) {
      id = (await ctx.client.api.createTag(ctx, name)).id;
      ids.set(name.toLowerCase(), id);
    }
    if (id !== undefined) out.set(name, id);
  }
  return out;
}

/** Tags contacts (`POST /contacts/{id}/tags`, one contact per call); already tagged is fine. */
export function addTag(ctx: IntercomContext, group: GroupRef, members: readonly TargetItem[]): Promise<ItemResult[]> {
  return eachItem(members, async (m) => {
    try {
      await ctx.client.api.tagContact(ctx, m.destinationId, group.id);
      return { ok: true };
    } catch (thrown) {
      return failedItem(thrown);
    }
  });
}

/** Untags contacts (`DELETE /contacts/{id}/tags/{tag_id}`); a contact or tag already gone counts as untagged. */
export function removeTag(ctx: IntercomContext, group: GroupRef, members: readonly TargetItem[]): Promise<ItemResult[]> {
  return eachItem(members, async (m) => {
    try {
      await ctx.client.api.untagContact(ctx, m.destinationId, group.id);
      return { ok: true };
    } catch (thrown) {
      if (thrown instanceof SyncError && thrown.status === 404) return { ok: true };
      return failedItem(thrown);
    }
  });
}
