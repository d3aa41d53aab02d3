import { permits } from '../../modes/permits';
import { EntriesById } from './entries-by-id';
import { snapshotHash } from '../../records/snapshot-hash';
import type { Properties } from '../../records/types';
import type { StateEntry } from '../../state/state-store';
import { earlierIdentityOf } from '../ledger/earlier-identity';
import type { RecordEvent } from '../ledger/events';
import { linkedOf } from '../ledger/identity-links';
import type { LedgerRecord } from '../ledger/ledger-record';
import type { RecordLedger } from '../ledger/record-ledger';
import type { AudienceRunContext } from '../run/run-context';
import { GroupLinks } from './group-links';

/** An id no record has (source ids never hold NUL), to ask for every record with an identifier. */
const NO_RECORD = '\u0000';

const identityHash = (properties: Properties): string => snapshotHash({ properties, groups: [] });

/** One {@link GroupLinks} per run (keyed by the run's first-pass index of identifiers, made once per run). */
const linksOfRun = new WeakMap<object, GroupLinks>();

/**
 * Audiences whose vendor matches a person by any of several identifiers
 * (`AudienceDestinationDefinition.identityKeys`; Meta keeps a member matched by every
 * identifier ever sent for it:
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences#hash ).
 * For every record that may leave an audience in this run (it left the source, left an
 * audience, or its identifiers changed), the records still in that audience that removing
 * it could remove: those reached from the identifiers its state holds (and the earlier
 * identities linked to it, `StateSnapshot.linked`) through shared identifiers — a
 * household's phone number, a record that left the source and shared an email with one and
 * a phone with another, identifiers a record had before. A record reached that leaves the
 * audience too passes the search on through its own identifiers. The record is never
 * removed from an audience where one is found (the planner keeps it there,
 * `identity_shared`). Also reports, for a record whose identifiers change, whether its new
 * ones name the member its old ones did (`overlaps`: the old ones then stay linked to it).
 */
export async function findSharedIdentities(ctx: AudienceRunContext, ledger: RecordLedger): Promise<void> {
  const identityKeys = ctx.destination.identityKeys;
  if (!identityKeys || !permits(ctx.mode, 'delete', { owned: true, deletePolicy: 'owned' })) return;
  const keysOf = (properties: Properties) => identityKeys({ properties, groups: [] }, ctx.config);
  const memberKeys = (entry: StateEntry) => [entry.snapshot.properties, ...linkedOf(entry)].flatMap(keysOf);
  let links = linksOfRun.get(ctx.source.identityHolders);
  if (!links) {
    const current = (entry: StateEntry) => {
      const id = entry.recordId;
      if (earlierIdentityOf(id) !== undefined || !ctx.source.inSource(id)) return false;
      return memberKeys(entry).every((key) => ctx.source.identityHolders([key], NO_RECORD).includes(id));
    };
    links = new GroupLinks(ctx.state, ctx.syncId, current, memberKeys, () => ctx.writer.generation);
    linksOfRun.set(ctx.source.identityHolders, links);
  }
  // Records of this window whose identifiers change: the keys they will have after the run.
  const changing = new Map(
    ledger.open().flatMap((r) => (r.entry && r.next && identityHash(r.next.properties) !== identityHash(r.entry.snapshot.properties) ? [[r.recordId, new Set(keysOf(r.next.properties))] as const] : [])),
  );
  const search = new SharerSearch(ctx, ledger.open(), links, memberKeys, changing);
  const events: RecordEvent[] = [];
  for (const record of ledger.open()) {
    const entry = record.entry;
    if (!entry || entry.snapshot.groups.length === 0) continue;
    const changed = record.next !== null && identityHash(record.next.properties) !== identityHash(entry.snapshot.properties);
    const leaving = record.next === null || changed ? entry.snapshot.groups : entry.snapshot.groups.filter((g) => !(record.next as NonNullable<typeof record.next>).groups.includes(g));
    const overlaps = changed && keysOf((record.next as NonNullable<typeof record.next>).properties).some((k) => new Set(memberKeys(entry)).has(k));
    if (leaving.length === 0) continue;
    const holders = new Set<string>();
    const groups: string[] = [];
    for (const group of leaving) {
      const stayers = await search.stayers(group, memberKeys(entry), record.recordId);
      if (stayers.length === 0) continue;
      groups.push(group);
      for (const id of stayers) holders.add(id);
    }
    if (holders.size > 0 || overlaps) events.push({ type: 'shared', ref: record.ref, holders: [...holders], groups, overlaps });
  }
  ledger.report(events);
}

/** The search of {@link findSharedIdentities} over one window. */
class SharerSearch {
  /** Where a record of this window is going (its source row's audiences). */
  private readonly joining: Map<string, readonly string[]>;
  private readonly entries: EntriesById;

  constructor(
    private readonly ctx: AudienceRunContext,
    open: readonly LedgerRecord[],
    private readonly links: GroupLinks,
    private readonly memberKeys: (entry: StateEntry) => readonly string[],
    /** Records of this window whose identifiers change → their keys after the run. */
    private readonly changing: ReadonlyMap<string, ReadonlySet<string>>,
  ) {
    this.joining = new Map(open.flatMap((r) => (r.next ? [[r.recordId, r.next.groups] as const] : [])));
    this.entries = new EntriesById(ctx, open);
  }

  private entry(id: string): Promise<StateEntry | undefined> {
    return this.entries.stored(id);
  }

  /** True when the current record `id` is in `group` after this run (its row when in this window, else its state). */
  private async stays(id: string, group: string): Promise<boolean> {
    const target = this.joining.get(id);
    if (target) return target.includes(group);
    if (!this.ctx.source.inSource(id)) return false;
    return (await this.entry(id))?.snapshot.groups.includes(group) === true;
  }

  /**
   * True when `owner`, staying in an audience, stays there as the member `entry` names: `entry`
   * is its own state and its identifiers do not change in this window, or its identifiers after
   * the run (the row's when they change here, else its state's) share one with that member.
   * Otherwise the owner stays as another member, and the one `entry` names — an earlier
   * identity, or the identifiers the owner changes away from — keeps nobody there by the
   * owner's staying (fuzz2e 9028, fuzz2 8147: a record was kept for a sharer whose member had
   * left with its old identifiers, and its state then claimed audiences it was not in).
   */
  private async keepsMember(owner: string, entry: StateEntry): Promise<boolean> {
    const changed = this.changing.get(owner);
    if (entry.recordId === owner && changed === undefined) return true;
    const ownEntry = changed === undefined ? await this.entry(owner) : undefined;
    const after = changed ?? new Set(ownEntry ? this.memberKeys(ownEntry) : []);
    return this.memberKeys(entry).some((k) => after.has(k));
  }

  /** The current records staying in `group` that are reached from identifiers `start` (see {@link findSharedIdentities}). */
  async stayers(group: string, start: readonly string[], self: string): Promise<string[]> {
    const found = new Set<string>();
    const visited = new Set([self]);
    const seen = new Set<string>();
    const queue = [...start];
    while (queue.length > 0) {
      const key = queue.pop() as string;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const id of this.ctx.source.identityHolders([key], self)) {
        if (visited.has(id)) continue;
        visited.add(id);
        if (await this.stays(id, group)) found.add(id);
        else {
          // Leaving this audience too: its member there is the one its state holds.
          const entry = await this.entry(id);
          if (entry?.snapshot.groups.includes(group)) queue.push(...this.memberKeys(entry));
        }
      }
      for (const entry of await this.links.holders(group, key)) {
        if (visited.has(entry.recordId)) continue;
        visited.add(entry.recordId);
        const owner = earlierIdentityOf(entry.recordId) ?? entry.recordId;
        if (owner !== self && (await this.keepsMember(owner, entry)) && (await this.stays(owner, group))) found.add(owner);
        else queue.push(...this.memberKeys(entry));
      }
    }
    return [...found];
  }
}
