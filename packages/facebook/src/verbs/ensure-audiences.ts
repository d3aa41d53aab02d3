import { ConfigError, SyncError, type FoundGroup } from '@syncmodes/connector-kit';
import type { FacebookVerbContext } from './send-members';

/** An audience option or group made of digits only is an audience id, not a name. */
export function isAudienceId(name: string): boolean {
  return /^\d+$/.test(name);
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
 * Names of digits only are audience ids: left out of the answer (the kit does not check
 * them; {@link ensureAudiences} reads and validates them). No member count: Meta gives
 * only approximate bounds, never an exact count. Each audience's `time_created` is given as
 * `createdAt`: the kit takes an audience created after it last added members under that name
 * for another one (deleted and made again), and adds everyone again.
 * https://developers.facebook.com/docs/marketing-api/reference/ad-account/customaudiences/
 */
export async function findAudiences(ctx: FacebookVerbContext, names: readonly string[]): Promise<Map<string, FoundGroup[]>> {
  const byName = names.filter((n) => !isAudienceId(n));
  if (byName.length === 0) return new Map();
  const listed = await ctx.client.listAudiences();
  return new Map(byName.map((name) => [name, listed.filter((a) => a.name === name).map((a) => (a.createdAt === undefined ? { id: a.id } : { id: a.id, createdAt: a.createdAt }))]));
}

/**
 * Resolves audience names to ids in the configured ad account: ids (digits only) are read
 * and must belong to the account; names are matched exactly among the account's
 * customer-list (CUSTOM) audiences, and missing ones are created when `create` is true
 * (`subtype: CUSTOM`, the configured `customer_file_source`). Never picks among several
 * audiences with one name. An id that cannot be read resolves to itself when nothing is
 * created (a removal: its own answer says whether the audience was deleted).
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 *
 * @throws SyncError `audience_not_found` (for an addition) / `audience_in_other_account` for a bad id;
 *   ConfigError `ambiguous_group` (stops the run) naming the ids when several audiences have a name.
 */
export async function ensureAudiences(ctx: FacebookVerbContext, names: readonly string[], options: { readonly create: boolean }): Promise<Map<string, string>> {
  const resolved = new Map<string, string>();
  for (const id of names.filter(isAudienceId)) {
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
    if (info.accountId !== undefined && `act_${info.accountId}` !== ctx.config.adAccountId) {
      throw new SyncError('audience_in_other_account', `Audience ${id} belongs to another ad account than ${ctx.config.adAccountId}.`);
    }
    resolved.set(id, info.id);
  }
  const byName = names.filter((n) => !isAudienceId(n));
  if (byName.length === 0) return resolved;
  const listed = await ctx.client.listAudiences();
  for (const name of byName) {
    const matches = listed.filter((a) => a.name === name);
    if (matches.length > 1) throw ambiguousAudience(name, matches.map((a) => a.id));
    const found = matches[0];
    if (found) resolved.set(name, found.id);
    else if (options.create) resolved.set(name, await ctx.client.createAudience(name));
  }
  return resolved;
}
