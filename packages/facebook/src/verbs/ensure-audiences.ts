import { ConfigError, SyncError, groupsNamed, type FoundGroup } from '@syncmodes/connector-kit';
import type { AudienceInfo } from '../client/facebook-client';
import type { FacebookVerbContext } from './send-members';

const DIGITS = /^\d+$/;

/**
 * Whether `name` is the `audience` option given as an id (digits only, as its documentation
 * says): always read as that audience's id, never found or created by name.
 */
export function isAudienceOptionId(ctx: Pick<FacebookVerbContext, 'config'>, name: string): boolean {
  return name === ctx.config.audience && DIGITS.test(name);
}

/** The error for an audience name that several audiences have: the run stops rather than pick one. */
export function ambiguousAudience(name: string, ids: readonly string[]): ConfigError {
  return Object.assign(
    new ConfigError(
      `${ids.length} customer-list audiences in the ad account are named "${name}" (ids ${ids.join(', ')}); the sync will not pick one. Pin one by giving its id as the audience option (config.audience), or rename or delete the others in Ads Manager.`,
      'ambiguous_group',
    ),
    { stopsRun: true },
  );
}

/**
 * Finds audiences by name without creating anything: name → every customer-list audience
 * of the ad account with exactly that name (`GET /act_<id>/customaudiences`, every page).
 * Audiences given by id are left out of the answer (the kit does not check them;
 * {@link ensureAudiences} reads and validates them): the `audience` option given as an id,
 * and a group of digits that is an audience's id (listed, or read: `GET /{audience_id}`) and
 * no audience's name. Any other group of digits is a name (fresh reviewer 97, F5). No member count: Meta gives only
 * approximate bounds, never an exact count. Each audience's `time_created` is given as
 * `createdAt`: the kit takes an audience created after it last added members under that name
 * for another one (deleted and made again), and adds everyone again.
 * https://developers.facebook.com/docs/marketing-api/reference/ad-account/customaudiences/
 *
 * @throws ConfigError `ambiguous_group` (stops the run) for a group of digits that is one
 *   audience's id and another's name.
 */
export async function findAudiences(ctx: FacebookVerbContext, names: readonly string[]): Promise<Map<string, FoundGroup[]>> {
  const byName = names.filter((n) => !isAudienceOptionId(ctx, n));
  if (byName.length === 0) return new Map();
  const listed = await ctx.client.listAudiences();
  const found = new Map<string, FoundGroup[]>();
  for (const name of byName) {
    const matches = groupsNamed(listed, name, (a) => a.name);
    const withId = DIGITS.test(name) ? (listed.find((a) => a.id === name) ?? (matches.length === 0 ? await ctx.client.readAudience(name) : undefined)) : undefined;
    if (withId && matches.some((a) => a.id !== withId.id)) throw idAndName(ctx, name, matches);
    if (withId) continue;
    found.set(name, matches.map((a) => (a.createdAt === undefined ? { id: a.id } : { id: a.id, createdAt: a.createdAt })));
  }
  return found;
}

/**
 * Resolves audience names to ids in the configured ad account. The `audience` option given as
 * an id is read and must belong to the account. A group is a name, matched exactly among the
 * account's customer-list (CUSTOM) audiences, and created when missing and `create` is true
 * (`subtype: CUSTOM`, the configured `customer_file_source`) — except a group of digits that is
 * the id of an audience (read, and it must belong to the account): that audience. A group of
 * digits that is no audience's id is a name like any other: a cohort `2024` or a segment
 * number from the customer's database failed `audience_not_found` on every row (fresh
 * reviewer 97, F5). Never picks among several audiences with one name, nor between a group's
 * audience by id and another by that name. An id that cannot be read resolves to itself when
 * nothing is created (a removal: its own answer says whether the audience was deleted).
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 *
 * @throws SyncError `audience_not_found` (for an addition) / `audience_in_other_account` for a bad id;
 *   ConfigError `ambiguous_group` (stops the run) naming the ids when several audiences have a name.
 */
export async function ensureAudiences(ctx: FacebookVerbContext, names: readonly string[], options: { readonly create: boolean }): Promise<Map<string, string>> {
  const resolved = new Map<string, string>();
  for (const id of names.filter((n) => isAudienceOptionId(ctx, n))) {
    const info = await ctx.client.readAudience(id);
    // A removal addresses it anyway: its answer (100 / 33, then the listing) tells a deleted audience, with nothing left
    // to remove, from one this token cannot reach (a removal from it failed audience_not_found on every run).
    if (!info && !options.create) {
      resolved.set(id, id);
      continue;
    }
    if (!info) {
      throw new SyncError(
        'audience_not_found',
        `Audience ${id} does not exist (deleted in Ads Manager?) or this token cannot see it. It is pinned by id (the audience option), so the sync does not create another under a new id: give the id of an existing audience of ${ctx.config.adAccountId}, or a name.`,
      );
    }
    resolved.set(id, ownAudience(ctx, info).id);
  }
  const groups = names.filter((n) => !isAudienceOptionId(ctx, n));
  if (groups.length === 0) return resolved;
  const listed = await ctx.client.listAudiences();
  for (const name of groups) {
    const matches = groupsNamed(listed, name, (a) => a.name);
    const byId = DIGITS.test(name) ? await ctx.client.readAudience(name) : undefined;
    if (byId) {
      if (matches.some((a) => a.id !== byId.id)) throw idAndName(ctx, name, matches);
      resolved.set(name, ownAudience(ctx, byId).id);
      continue;
    }
    if (matches.length > 1) throw ambiguousAudience(name, matches.map((a) => a.id));
    const found = matches[0];
    if (found) resolved.set(name, found.id);
    else if (options.create) resolved.set(name, await ctx.client.createAudience(name));
    // A group of digits no audience has as id or name, to leave: it may be an audience given by id and deleted since (its answer tells).
    else if (DIGITS.test(name)) resolved.set(name, name);
  }
  return resolved;
}

/** `info`, when it is an audience of the configured ad account. @throws SyncError `audience_in_other_account`. */
function ownAudience(ctx: FacebookVerbContext, info: AudienceInfo): AudienceInfo {
  if (info.accountId !== undefined && `act_${info.accountId}` !== ctx.config.adAccountId) {
    throw new SyncError('audience_in_other_account', `Audience ${info.id} belongs to another ad account than ${ctx.config.adAccountId}.`);
  }
  return info;
}

/** The error for a group of digits that is the id of one audience and the name of another: the run stops rather than pick one. */
function idAndName(ctx: FacebookVerbContext, name: string, named: readonly AudienceInfo[]): ConfigError {
  return Object.assign(
    new ConfigError(
      `Group "${name}" is the id of an audience of ${ctx.config.adAccountId} and the name of another (id ${named.map((a) => a.id).join(', ')}); the sync will not pick one. Pin the one you mean with groupIds ({ "${name}": "<id>" }), or rename the audience named "${name}" in Ads Manager.`,
      'ambiguous_group',
    ),
    { stopsRun: true },
  );
}
