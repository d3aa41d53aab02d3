import { InputError, type SyncError, type UpdateItem } from '@syncmodes/connector-kit';
import { groupTag, MEMBER } from './tag-keys';

/**
 * What the user's group tags, as this run's lookup read them (`read`: key → value), say of the
 * groups an update joins (`item.groups.add`):
 *
 * - a group whose tag the user already holds as `"1"` is already joined: set by the app, by
 *   people, by another tool — or by a sync, or under another group of the same tag, which the
 *   kit tells from its state by the destination's `groupKey` — and not sent again (`groups`;
 *   the kit counts it someone else's unless a sync holds it: `ItemResult.alreadyIn`). Without
 *   it the add took the tag as this sync's and a later run deleted it (fresh helper 101, F1),
 *   which the README promises never happens;
 * - a tag holding any other value (`"0"`, `"true"`) was set by someone else and means something
 *   else there: it is not overwritten, and the user fails `group_tag_clash`, nothing sent (fresh
 *   reviewer 102, F3: it was overwritten with "1", then deleted).
 * https://documentation.onesignal.com/docs/add-user-data-tags
 */
export function joinedAlready(item: UpdateItem, read: ReadonlyMap<string, string>, prefix: string): { readonly groups: readonly string[]; readonly tags: ReadonlySet<string> } | { readonly error: SyncError } {
  const adds = item.groups?.add ?? [];
  if (read.size === 0 || adds.length === 0) return { groups: [], tags: new Set() };
  const groups: string[] = [];
  for (const name of adds) {
    const tag = groupTag(name, prefix);
    const value = read.get(tag);
    if (value === undefined || value === '') continue;
    if (value !== MEMBER) {
      return {
        error: new InputError(
          'group_tag_clash',
          `The tag "${tag}" of group "${name}" already holds a value other than "${MEMBER}", which this sync did not set (the app's own tag?): it is not overwritten, and nothing was sent for this user. Set a groupTagPrefix no other tag uses.`,
        ),
      };
    }
    groups.push(name);
  }
  return { groups, tags: new Set(groups.map((g) => groupTag(g, prefix))) };
}

/**
 * The tags of groups an update leaves (`item.groups.remove`) that the user now holds with a
 * value other than `"1"`, as this run's lookup read them: the app or a person changed the tag
 * this sync had set (to `"0"`, say), so it is theirs now and is not deleted — the membership is
 * only forgotten (fresh reviewer 104, F2: the app's "0" was deleted).
 */
export function leftToOthers(item: UpdateItem, read: ReadonlyMap<string, string>, prefix: string): string[] {
  if (read.size === 0) return [];
  return (item.groups?.remove ?? []).map((name) => groupTag(name, prefix)).filter((tag) => {
    const value = read.get(tag);
    return value !== undefined && value !== '' && value !== MEMBER;
  });
}
