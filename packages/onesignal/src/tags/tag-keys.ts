import { createHash } from 'node:crypto';
import { ConfigError } from '@syncmodes/connector-kit';
import { EXTERNAL_ID, type OneSignalConfig } from '../config';

/**
 * Keys OneSignal reserves for message personalization; they must not be used as tag keys.
 * https://documentation.onesignal.com/docs/add-user-data-tags
 */
export const RESTRICTED_TAG_KEYS: ReadonlySet<string> = new Set([
  'message',
  'notification',
  'subscription',
  'user',
  'template',
  'app',
  'org',
  'dynamic_content',
  'data_feed',
  'journey',
  'custom_data',
]);

/** Tag keys OneSignal can substitute: letters, digits, `_` and `-` (no spaces or dots). */
const TAG_KEY = /^[A-Za-z0-9_-]+$/;

/** The value a group-membership tag holds while the user is in the group. */
export const MEMBER = '1';

/** Latin letters that NFKD does not split into a base letter and a mark, written in a–z. */
const LATIN_FOLDS: Readonly<Record<string, string>> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

/**
 * The tag for group `name`: `prefix` + the name lowercased, accents removed, every run of
 * other characters turned into `_` (e.g. `"VIP Customers"` → `in_vip_customers`). A name
 * with no letters or digits becomes `prefix` + `group`. A name holding letters or digits
 * outside a–z and 0–9 (Cyrillic, Greek, CJK…, which a tag key cannot hold), or non-ASCII
 * symbols (emoji, `★`: `"🔥 Fans"` and `"⭐ Fans"` were both `in_fans`), gets 8 hex digits
 * of its SHA-256 after what is left (`"Клиенты"` → `in_group_…`; `"Kunden Ü"` stays
 * `in_kunden_u`, `"Straße"` is `in_strasse`): before, every such group became `in_group`, one tag for different groups
 * (fresh helper 68, finding 2).
 */
export function groupTag(name: string, prefix: string): string {
  const folded = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþı]/g, (c) => LATIN_FOLDS[c] ?? c);
  const normalised = folded.replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  const base = `${prefix}${normalised === '' ? 'group' : normalised}`;
  if (!/[^a-z0-9\P{L}]|[^a-z0-9\P{N}]|(?!\p{ASCII})\p{S}/u.test(folded)) return base;
  return `${base}_${createHash('sha256').update(name.normalize('NFC').toLowerCase()).digest('hex').slice(0, 8)}`;
}

/**
 * Checks the mapping targets before anything is sent: every target but `external_id` (the
 * match key) must be a usable tag key — letters, digits, `_` or `-`, not a restricted
 * keyword, not starting with the group-tag prefix. (Records without an external_id fail
 * alone with `missing_match_key`; the kit reports them.)
 *
 * @throws ConfigError `invalid_tag_key`.
 */
export function checkTagKeys(names: readonly string[], config: OneSignalConfig): void {
  const problems: string[] = [];
  for (const name of names) {
    if (name === EXTERNAL_ID) continue;
    if (!TAG_KEY.test(name)) problems.push(`"${name}" (use letters, digits, _ or -)`);
    else if (RESTRICTED_TAG_KEYS.has(name.toLowerCase())) problems.push(`"${name}" (reserved by OneSignal)`);
    else if (config.groupTagPrefix !== '' && name.startsWith(config.groupTagPrefix)) problems.push(`"${name}" (starts with the group-tag prefix "${config.groupTagPrefix}")`);
  }
  if (problems.length > 0) {
    throw new ConfigError(`These mapping targets cannot be OneSignal tag keys: ${problems.join(', ')}.`, 'invalid_tag_key');
  }
}
