import { ConfigError, SyncError, chunk, groupName, isRunStopping, toSyncError, type FoundGroup, type GroupRef, type ItemResult, type TargetItem, type VerbContext } from '@syncmodes/connector-kit';
import { encodedLength, inListsWithin, listsWithin, soqlLikeAnySpacing, soqlLiteral } from '../client/soql-literal';
import type { SalesforceClient } from '../client/salesforce-client';
import type { SalesforceConfig } from '../config';
import { IN_LIST_BUDGET } from './find-records';
import { toItemResults } from './write-records';

type Ctx = VerbContext<SalesforceConfig, SalesforceClient>;

function memberField(ctx: Ctx): 'ContactId' | 'LeadId' {
  const field = ctx.client.memberField;
  if (!field) throw new ConfigError(`Only Contacts and Leads can be campaign members, not ${ctx.client.fields.object}.`, 'groups_unsupported');
  return field;
}

/** A campaign as the lookups read it. */
interface CampaignRow {
  readonly Id: string;
  readonly Name: string;
  readonly NumberOfContacts?: number | null;
  readonly NumberOfLeads?: number | null;
}

/**
 * Every campaign whose name equals one of `names` (SOQL `IN`, literals escaped, split to stay
 * under the URI limit; case-insensitive, as SOQL compares text), by lowercased name, in id order.
 */
async function campaignsNamed(ctx: Ctx, names: readonly string[]): Promise<Map<string, CampaignRow[]>> {
  const byName = new Map<string, CampaignRow[]>();
  for (const list of inListsWithin([...new Set(names)], IN_LIST_BUDGET)) {
    const rows = await ctx.client.api.query<CampaignRow>(
      `SELECT Id, Name, NumberOfContacts, NumberOfLeads FROM Campaign WHERE Name IN (${list.map(soqlLiteral).join(', ')}) ORDER BY Id`,
    );
    for (const row of rows) byName.set(row.Name.toLowerCase(), [...(byName.get(row.Name.toLowerCase()) ?? []), row]);
  }
  const spaced = [...new Set(names)].filter((name) => !byName.has(name.toLowerCase()) && name.includes(' '));
  if (spaced.length > 0) await spacedOtherwise(ctx, spaced, byName);
  return byName;
}

/**
 * Names with spaces no campaign has exactly: the campaigns whose name is one of them with other
 * white space (two spaces, a no-break space, as a person may type one), read by `LIKE`
 * (`Name LIKE '…' OR …`, as few queries as the URI limit allows) and kept when their name,
 * read as source group names are (`groupName`), is it. A campaign so named is the group's:
 * without this, a look-alike second one was created (fresh reviewer 148, M1).
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm
 */
async function spacedOtherwise(ctx: Ctx, names: readonly string[], byName: Map<string, CampaignRow[]>): Promise<void> {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const clauseCost = (literal: string) => encodedLength(`Name LIKE ${literal} OR `);
  for (const list of listsWithin(names.map(soqlLikeAnySpacing), clauseCost, IN_LIST_BUDGET)) {
    const rows = await ctx.client.api.query<CampaignRow>(`SELECT Id, Name, NumberOfContacts, NumberOfLeads FROM Campaign WHERE ${list.map((l) => `Name LIKE ${l}`).join(' OR ')} ORDER BY Id`);
    for (const row of rows) {
      const key = groupName(row.Name).toLowerCase();
      if (wanted.has(key)) byName.set(key, [...(byName.get(key) ?? []), row]);
    }
  }
}

/**
 * `groups.find`: every campaign with each name, never creating one. `members` is the
 * campaign's exact member count of the synced object: `NumberOfContacts` when syncing
 * Contacts, `NumberOfLeads` for Leads — read-only statistics Salesforce calculates from all
 * associated records.
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_campaign.htm ,
 * https://help.salesforce.com/s/articleView?id=sales.campaigns_fields.htm
 */
export async function findCampaigns(ctx: Ctx, names: readonly string[]): Promise<Map<string, FoundGroup[]>> {
  const byName = await campaignsNamed(ctx, names);
  const count = ctx.client.memberField === 'ContactId' ? 'NumberOfContacts' : ctx.client.memberField === 'LeadId' ? 'NumberOfLeads' : undefined;
  const out = new Map<string, FoundGroup[]>();
  for (const name of new Set(names)) {
    const rows = byName.get(name.toLowerCase()) ?? [];
    out.set(
      name,
      rows.map((row) => {
        const members = count ? row[count] : undefined;
        return { id: row.Id, ...(typeof members === 'number' ? { members } : {}) };
      }),
    );
  }
  return out;
}

/**
 * Finds campaigns by name (case-insensitive, as SOQL compares) and, when `create` is
 * true, creates the missing ones (active). Ids are cached for the run.
 *
 * @throws {@link ConfigError} `ambiguous_group` when several campaigns have one of the names:
 *   which one the sync manages cannot be told, so none is picked.
 */
export async function ensureCampaigns(ctx: Ctx, names: readonly string[], options: { readonly create: boolean }): Promise<Map<string, string>> {
  const { api, campaignIds } = ctx.client;
  const wanted = [...new Set(names)];
  const unknown = wanted.filter((n) => !campaignIds.has(n.toLowerCase()));
  const found = await campaignsNamed(ctx, unknown);
  const ambiguous = [...found.values()].filter((rows) => rows.length > 1);
  if (ambiguous.length > 0) {
    const which = ambiguous.map((rows) => `"${rows[0]?.Name}" (${rows.map((r) => r.Id).join(', ')})`).join('; ');
    throw new ConfigError(
      `Salesforce has several campaigns with one name: ${which}. Rename or delete the extra ones so each name the sync manages is one campaign.`,
      'ambiguous_group',
    );
  }
  for (const [name, rows] of found) if (rows[0]) campaignIds.set(name, rows[0].Id);
  if (options.create) {
    // One campaign per name as SOQL compares them: groups "VIP" and "vip" created two, and every later run was refused ambiguous_group (fresh helper 69, F4).
    const seen = new Set<string>();
    const missing = wanted.filter((n) => !campaignIds.has(n.toLowerCase()) && !seen.has(n.toLowerCase()) && seen.add(n.toLowerCase()));
    for (const batch of chunk(missing, 200)) {
      const results = toItemResults(await api.create('Campaign', batch.map((Name) => ({ Name, IsActive: true }))));
      results.forEach((r, i) => {
        if (!r.ok) throw r.error;
        if (r.id) campaignIds.set((batch[i] as string).toLowerCase(), r.id);
      });
    }
  }
  const out = new Map<string, string>();
  for (const n of wanted) {
    const id = campaignIds.get(n.toLowerCase());
    if (id) out.set(n, id);
  }
  return out;
}

/**
 * Adds records to a campaign (CampaignMember create). Already being a member
 * (`DUPLICATE_VALUE`) counts as success with `existing`; the members it names are then read
 * (`madeByOthers`), and one created by another user than the integration user is answered
 * `madeByOther`: a person added it (with their own Status), so the kit never removes it — also
 * when this add was a resend or an earlier run of the sync had planned it (fresh reviewer 93,
 * F1–F3: after a 503 on the first add, the answer to the resend was taken for the sync's own).
 */
export async function addCampaignMembers(ctx: Ctx, group: GroupRef, members: readonly TargetItem[]): Promise<ItemResult[]> {
  const field = memberField(ctx);
  const status = ctx.config.campaignMemberStatus;
  const records = members.map((m) => ({ CampaignId: group.id, [field]: m.destinationId, ...(status ? { Status: status } : {}) }));
  const results = toItemResults(await ctx.client.api.create('CampaignMember', records), new Set(['DUPLICATE_VALUE']));
  const already = members.filter((_, i) => results[i]?.ok === true && results[i].existing === true);
  if (already.length === 0) return results;
  const others = await madeByOthers(ctx, group, already);
  return results.map((r, i) => {
    if (!r.ok || r.existing !== true) return r;
    if (others instanceof SyncError) return { ok: false, error: others };
    return others.has((members[i] as TargetItem).destinationId) ? { ...r, madeByOther: true } : r;
  });
}

/**
 * Of `members` (already in the campaign), the records whose CampaignMember another user than
 * the integration user created (`CreatedById`, a system field:
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/system_fields.htm).
 * One query (and, once per run, the user's id). When either fails, the error: those adds fail
 * with it (retryable: the kit sends them again, and the next run if need be), rather than being
 * decided without knowing whose the member is (fresh reviewer 95, F4: one 503 on this read and
 * the person's member was taken for the sync's own, and deleted).
 */
async function madeByOthers(ctx: Ctx, group: GroupRef, members: readonly TargetItem[]): Promise<Set<string> | SyncError> {
  const field = memberField(ctx);
  const out = new Set<string>();
  try {
    const user = await ctx.client.api.userId();
    for (const list of inListsWithin(members.map((m) => m.destinationId), IN_LIST_BUDGET)) {
      const rows = await ctx.client.api.query<Record<string, string>>(
        `SELECT ${field}, CreatedById FROM CampaignMember WHERE CampaignId = ${soqlLiteral(group.id)} AND ${field} IN (${list.map(soqlLiteral).join(', ')})`,
      );
      for (const row of rows) if (row.CreatedById && row.CreatedById.slice(0, 15) !== user.slice(0, 15)) out.add(row[field] as string);
    }
  } catch (thrown) {
    const error = toSyncError(thrown);
    if (isRunStopping(error)) throw thrown;
    return new SyncError(error.code, `Already a member of the campaign, but who made that membership could not be read (${error.message}); it is sent again.`, {
      retryable: true,
      cause: error,
      ...(error.status === undefined ? {} : { status: error.status }),
    });
  }
  return out;
}

/** Removes records from a campaign (finds their CampaignMember rows, deletes them); non-members count as removed. */
export async function removeCampaignMembers(ctx: Ctx, group: GroupRef, members: readonly TargetItem[]): Promise<ItemResult[]> {
  const field = memberField(ctx);
  const { api } = ctx.client;
  const rowsByRecord = new Map<string, string[]>();
  for (const list of inListsWithin(members.map((m) => m.destinationId), IN_LIST_BUDGET)) {
    const rows = await api.query<{ Id: string } & Record<string, string>>(
      `SELECT Id, ${field} FROM CampaignMember WHERE CampaignId = ${soqlLiteral(group.id)} AND ${field} IN (${list.map(soqlLiteral).join(', ')})`,
    );
    for (const row of rows) rowsByRecord.set(row[field] as string, [...(rowsByRecord.get(row[field] as string) ?? []), row.Id]);
  }
  const memberRows = [...rowsByRecord.values()].flat();
  const failures = new Map<string, ItemResult>();
  for (const batch of chunk(memberRows, 200)) {
    const results = toItemResults(await api.destroy('CampaignMember', batch), new Set(['ENTITY_IS_DELETED', 'INVALID_CROSS_REFERENCE_KEY']));
    results.forEach((r, i) => {
      if (!r.ok) failures.set(batch[i] as string, r);
    });
  }
  return members.map((m) => {
    const failed = (rowsByRecord.get(m.destinationId) ?? []).map((id) => failures.get(id)).find(Boolean);
    return failed ?? { ok: true };
  });
}
