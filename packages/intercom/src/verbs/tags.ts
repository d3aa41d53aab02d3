import { ConfigError, SyncError, groupName, groupsNamed, sentNothing, toSyncError, type FoundGroup, type GroupRef, type ItemResult, type TargetItem } from '@syncmodes/connector-kit';
import { eachItem, failedItem } from './item-results';
import type { IntercomContext } from './verb-context';
import { tagsOf } from './known-tags';

/**
 * A tag name as it is compared: in the spelling source group names are read in (`groupName`:
 * a tag typed with two spaces or a no-break space is the group's, not a reason for a second
 * one; fresh reviewer 148, M1), lowercased (Intercom compares tag names case-insensitively).
 */
const tagKey = (name: string): string => groupName(name).toLowerCase();

/** Tag name (see `tagKey`) → every tag with that name, its id and exact name (`GET /tags`, once per run, cached). */
async function tagsByKey(ctx: IntercomContext): Promise<Map<string, { readonly id: string; readonly name: string }[]>> {
  if (!ctx.client.tags) {
    const tags = await ctx.client.api.listTags(ctx);
    const byKey = new Map<string, { readonly id: string; readonly name: string }[]>();
    for (const t of tags) byKey.set(tagKey(t.name), [...(byKey.get(tagKey(t.name)) ?? []), { id: t.id, name: t.name }]);
    ctx.client.tags = byKey;
  }
  return ctx.client.tags;
}

/**
 * The ids of the tags that are group `name`: those named exactly so (case aside), else those
 * named so but for white space. A tag a person named with a no-break space beside the one
 * named exactly (as the sync itself created it, before names were read so) does not make the
 * group ambiguous (fresh reviewer 149, M1: the run stopped), as on Salesforce.
 */
async function tagIdsOf(ctx: IntercomContext, name: string): Promise<string[]> {
  const all = (await tagsByKey(ctx)).get(tagKey(name)) ?? [];
  return groupsNamed(all, name, (t) => t.name, { caseInsensitive: true }).map((t) => t.id);
}

/**
 * Finds tags by name without creating anything: name → every tag with that name (Intercom
 * compares tag names case-insensitively; `GET /tags`). No member count: Intercom's tag
 * gives none, and counting would search every tagged contact.
 * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/tags/listtags
 */
export async function findTags(ctx: IntercomContext, names: readonly string[]): Promise<Map<string, FoundGroup[]>> {
  const found = new Map<string, FoundGroup[]>();
  for (const name of names) found.set(name, (await tagIdsOf(ctx, name)).map((id) => ({ id })));
  return found;
}

/** The error for a tag name that several tags have: the run stops rather than pick one. */
export function ambiguousTag(name: string, ids: readonly string[]): ConfigError {
  return Object.assign(
    new ConfigError(
      `${ids.length} Intercom tags are named "${name}" (ids ${ids.join(', ')}); the sync will not pick one. Rename or delete the extra tags in Intercom, or map the group to another name.`,
      'ambiguous_group',
    ),
    { stopsRun: true },
  );
}

/**
 * Finds tags by name (`GET /tags`, once per run; Intercom compares names case-insensitively)
 * and, when `create` is true, creates the missing ones (`POST /tags`). Ids are cached for
 * the run. Never picks among several tags with one name.
 * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/tags/createtag
 *
 * @throws ConfigError `ambiguous_group` (stops the run) naming the ids when several tags have a name.
 */
export async function ensureTags(ctx: IntercomContext, names: readonly string[], options: { readonly create: boolean }): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of new Set(names)) {
    let found = await tagIdsOf(ctx, name);
    if (found.length > 1) throw ambiguousTag(name, found);
    if (found.length === 0 && options.create) {
      const tag = await ctx.client.api.createTag(ctx, name);
      found = [tag.id];
      (await tagsByKey(ctx)).set(tagKey(name), [{ id: tag.id, name }]);
    }
    if (found[0] !== undefined) out.set(name, found[0]);
  }
  return out;
}

/**
 * Tags contacts (`POST /contacts/{id}/tags`, one contact per call). A contact that already has
 * the tag (`tagsOf`: as this run read or wrote it, or read whole first) is not tagged again and
 * is answered `existing`: a person or the app put the tag there, so the kit never removes it
 * (fresh reviewer 88, F1: such tags were taken over and later removed).
 */
export function addTag(ctx: IntercomContext, group: GroupRef, members: readonly TargetItem[]): Promise<ItemResult[]> {
  return eachItem(members, async (m) => {
    let tags: ReadonlySet<string>;
    try {
      tags = await tagsOf(ctx, m.destinationId);
    } catch (thrown) {
      // Nothing was tagged: the add sent again is still a first send (its "already tagged" says the tag was someone else's).
      return failedItem(sentNothing(toSyncError(thrown)));
    }
    if (tags.has(group.id)) return { ok: true, existing: true };
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
