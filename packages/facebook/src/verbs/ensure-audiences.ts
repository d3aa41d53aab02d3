import { SyncError } from '@syncmodes/connector-kit';
import type { FacebookVerbContext } from './send-members';

/** An audience option or group made of digits only is an audience id, not a name. */
export function isAudienceId(name: string): boolean {
  return /^\d+$/.test(name);
}

/**
 * Resolves audience names to ids in the configured ad account: ids (digits only) are read
 * and must belong to the account; names are matched exactly among the account's
 * customer-list (CUSTOM) audiences, and missing ones are created when `create` is true
 * (`subtype: CUSTOM`, the configured `customer_file_source`). Several audiences with the
 * same name: the first listed is used (and a warning logged).
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 *
 * @throws SyncError `audience_not_found` / `audience_in_other_account` for a bad id.
 */
export async function ensureAudiences(ctx: FacebookVerbContext, names: readonly string[], options: { readonly create: boolean }): Promise<Map<string, string>> {
  const resolved = new Map<string, string>();
  for (const id of names.filter(isAudienceId)) {
    const info = await ctx.client.readAudience(id);
    if (!info) throw new SyncError('audience_not_found', `Audience ${id} does not exist (or this token cannot see it). Check --option audience.`);
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
    if (matches.length > 1) ctx.logger.warn('several audiences share this name; using the first', { audience: name, count: matches.length });
    const found = matches[0];
    if (found) resolved.set(name, found.id);
    else if (options.create) resolved.set(name, await ctx.client.createAudience(name));
  }
  return resolved;
}
