import { InputError, type SyncError, type UpdateItem } from '@syncmodes/connector-kit';
import { EXTERNAL_ID, type OneSignalConfig } from '../config';
import { groupTag, MEMBER, RESTRICTED_TAG_KEYS } from './tag-keys';
import { tagValue } from './tag-values';

/** Tag key → value to send (`""` deletes the tag). */
export type TagChanges = Record<string, string>;

/** What one user's update sends, and the keys left out because of the tag limit. */
export interface TagWrite {
  readonly changes: TagChanges;
  /** Keys whose new value was not sent: the user would hold more than `tagLimit` managed tags. */
  readonly overLimit: readonly string[];
}

/**
 * The tag changes for one user, from the properties that changed and the groups joined and
 * left (both planned by the kit, so unchanged tags are never sent):
 * - each changed property → its tag value (see `tagValue`; emptied → `""`);
 * - each group joined → `in_<group>` = `"1"`; each group left → `in_<group>` = `""`, unless
 *   another of the user's groups maps to the same tag;
 * - with `tagLimit`: the user's managed tags after the update are counted (properties in
 *   mapping order, then group tags by name); new values for keys past the limit are left
 *   out and reported; deletions are always sent.
 *
 * `external_id` is the match key, never a tag. A group tag with the key of a mapped property,
 * or a key OneSignal reserves (`RESTRICTED_TAG_KEYS`; both only with an empty
 * `groupTagPrefix`), fails the user with `group_tag_clash`, nothing sent.
 */
export function tagWriteFor(item: UpdateItem, config: OneSignalConfig): TagWrite | { readonly error: SyncError } {
  const changes: TagChanges = {};
  for (const [key, value] of Object.entries(item.properties)) {
    if (key === EXTERNAL_ID) continue;
    const converted = tagValue(key, value, config);
    if (!converted.ok) return { error: converted.error };
    changes[key] = converted.value;
  }
  const memberOf = new Set(item.snapshot.groups.map((g) => groupTag(g, config.groupTagPrefix)));
  // With an empty prefix, group "VIP" is tag `vip`: a property mapped to `vip` would be overwritten (fresh helper 69, F6).
  const clash = [...memberOf, ...(item.groups?.remove ?? []).map((g) => groupTag(g, config.groupTagPrefix))].find((tag) => tag in item.snapshot.properties && tag !== EXTERNAL_ID);
  if (clash !== undefined) {
    return { error: new InputError('group_tag_clash', `A group's membership tag is "${clash}", the key of a mapped property: one would overwrite the other, so nothing was sent for this user. Set a groupTagPrefix, or map the property to another key.`) };
  }
  // With an empty prefix, group "User" is tag `user`, a key OneSignal reserves for message personalization (fresh trial 145, F3).
  const reserved = [...memberOf].find((tag) => RESTRICTED_TAG_KEYS.has(tag));
  if (reserved !== undefined) {
    return { error: new InputError('group_tag_clash', `A group's membership tag is "${reserved}", a key OneSignal reserves for message personalization (https://documentation.onesignal.com/docs/add-user-data-tags), so nothing was sent for this user. Set a groupTagPrefix (the default is "in_"), or rename the group.`) };
  }
  for (const name of item.groups?.remove ?? []) {
    const tag = groupTag(name, config.groupTagPrefix);
    if (!memberOf.has(tag)) changes[tag] = '';
  }
  for (const name of item.groups?.add ?? []) changes[groupTag(name, config.groupTagPrefix)] = MEMBER;

  const overLimit: string[] = [];
  if (config.tagLimit !== undefined) {
    const kept = new Set(managedTags(item, config).slice(0, config.tagLimit));
    for (const [key, value] of Object.entries(changes)) {
      if (value !== '' && !kept.has(key)) {
        overLimit.push(key);
        delete changes[key];
      }
    }
  }
  return { changes, overLimit };
}

/** The tags this sync keeps on the user after the update: non-empty properties in mapping order, then group tags sorted. */
function managedTags(item: UpdateItem, config: OneSignalConfig): string[] {
  const properties = Object.entries(item.snapshot.properties)
    .filter(([key, value]) => key !== EXTERNAL_ID && value !== null && value !== '')
    .map(([key]) => key);
  const groups = [...new Set(item.snapshot.groups.map((g) => groupTag(g, config.groupTagPrefix)))].sort();
  return [...properties, ...groups];
}

/**
 * Splits tag changes into requests of at most `max` changes (OneSignal accepts 100),
 * deletions first so a user near the tag limit makes room before new tags arrive.
 */
export function chunkTagChanges(changes: TagChanges, max: number): TagChanges[] {
  const entries = Object.entries(changes).sort(([, a], [, b]) => Number(a !== '') - Number(b !== ''));
  const chunks: TagChanges[] = [];
  for (let i = 0; i < entries.length; i += max) chunks.push(Object.fromEntries(entries.slice(i, i + max)));
  return chunks;
}

/**
 * The per-record error for keys left out because of the `tagLimit` option: the sync left
 * them out before sending.
 */
export function tagLimitError(keys: readonly string[], limit: number, applied = false): SyncError {
  return new InputError(
    'tag_limit_exceeded',
    `Not sent: ${keys.join(', ')} — the user would hold more than ${limit} tags managed by this sync (the tagLimit option). Deletions and the other tags were sent. Map fewer tags, or raise tagLimit if your plan allows more.`,
    { fields: keys, partlyApplied: applied },
  );
}

/**
 * The per-record error for keys OneSignal itself refused for its plan's tag limit (HTTP 400
 * naming the tag limit), whatever the `tagLimit` option says: the deletions were sent on
 * their own, nothing else (reviewer 87: the message blamed the tagLimit option when none
 * was set). `vendorMessage`: the refusal as mapped (status, request, OneSignal's error text).
 */
export function planTagLimitError(keys: readonly string[], vendorMessage: string, applied = false): SyncError {
  return new InputError(
    'tag_limit_exceeded',
    `Not sent: ${keys.join(', ')} — OneSignal refused the update because the user would hold more tags than the app's plan allows: ${vendorMessage.replace(/\.$/, '')}. Only the deletions were sent. Remove tags this user no longer needs in OneSignal, map fewer tags, or set the tagLimit option to your plan's limit minus the tags your app sets, so the sync sends only what fits.`,
    { fields: keys, partlyApplied: applied },
  );
}
