import { permits } from '../../modes/permits';
import { snapshotHash } from '../../records/snapshot-hash';
import type { Properties } from '../../records/types';
import type { StateEntry } from '../../state/state-store';
import type { RecordEvent } from '../ledger/events';
import { linkedOf } from '../ledger/identity-links';
import type { RecordLedger } from '../ledger/record-ledger';
import type { AudienceRunContext, SourceFacts } from '../run/run-context';
import { sameAccountSyncs } from './same-account-syncs';

/** Entries read per page of another sync's audience. */
const PAGE = 1_000;

/**
 * The members other syncs have in each audience: identifier → those syncs' names. Read once
 * per audience per run (only when a member of this sync may leave it), from the syncs of the
 * same destination and identity settings (the same account: an audience name means the same
 * audience) sharing this state store.
 */
class OtherSyncMembers {
  private readonly byGroup = new Map<string, Promise<Map<string, string[]>>>();

  constructor(
    private readonly ctx: AudienceRunContext,
    private readonly keysOf: (properties: Properties) => readonly string[],
  ) {}

  /** Identifier → names of the other syncs whose records still in their source are in `group` with it. */
  members(group: string): Promise<Map<string, string[]>> {
    let found = this.byGroup.get(group);
    if (!found) {
      found = this.read(group);
      this.byGroup.set(group, found);
    }
    return found;
  }

  private async read(group: string): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const other of await sameAccountSyncs(this.ctx)) {
      const name = other.name ?? other.syncId;
      for (let after: string | undefined; ; ) {
        const page = await this.ctx.state.entriesInGroup(other.syncId, group, { after, limit: PAGE });
        for (const entry of page) {
          if (entry.departed || entry.notFound) continue;
          for (const key of this.memberKeys(entry)) {
            const syncs = out.get(key) ?? [];
            if (!syncs.includes(name)) out.set(key, [...syncs, name]);
          }
        }
        if (page.length < PAGE) break;
        after = page[page.length - 1]?.recordId;
      }
    }
    return out;
  }

  /** The identifiers a member of this state entry is known by (its properties and linked identities). */
  memberKeys(entry: StateEntry): string[] {
    return [entry.snapshot.properties, ...linkedOf(entry)].flatMap((p) => this.keysOf(p));
  }
}

const runs = new WeakMap<SourceFacts, OtherSyncMembers>();

/**
 * Audiences: for each record that may leave an audience in this run (it left the source,
 * left the audience, or its identifiers changed) in a mode that removes, the other syncs of
 * the same destination and account sharing this state whose records still in their source
 * are members of that audience with one of its identifiers — its member there is theirs too:
 * removing it would take that person from an audience another sync's source still puts them
 * in, and that sync, seeing its row unchanged, would never add them back (#17: the audience
 * half of trial 19a F5). Reported as `tracked_elsewhere` with those audiences; the planner
 * keeps the member there, still tracked, and a later run removes it once no other sync has it.
 * Identifiers are the destination's `identityKeys`, or, without them, the whole identity.
 */
export async function findOtherSyncMembers(ctx: AudienceRunContext, ledger: RecordLedger): Promise<void> {
  if (!permits(ctx.mode, 'delete', { owned: true, deletePolicy: 'owned' })) return;
  const declared = ctx.destination.identityKeys;
  const keysOf = (properties: Properties) => (declared ? declared({ properties, groups: [] }, ctx.config) : [snapshotHash({ properties, groups: [] })]);
  let members = runs.get(ctx.source);
  if (!members) {
    members = new OtherSyncMembers(ctx, keysOf);
    runs.set(ctx.source, members);
  }
  const events: RecordEvent[] = [];
  for (const record of ledger.open()) {
    const entry = record.entry;
    if (!entry || entry.snapshot.groups.length === 0) continue;
    const next = record.next;
    const changed = next !== null && snapshotHash({ properties: next.properties, groups: [] }) !== snapshotHash({ properties: entry.snapshot.properties, groups: [] });
    const leaving = next === null || changed ? entry.snapshot.groups : entry.snapshot.groups.filter((g) => !next.groups.includes(g));
    if (leaving.length === 0) continue;
    const keys = members.memberKeys(entry);
    const syncs = new Set<string>();
    const groups: string[] = [];
    for (const group of leaving) {
      const theirs = await members.members(group);
      const holders = keys.flatMap((k) => theirs.get(k) ?? []);
      if (holders.length === 0) continue;
      groups.push(group);
      for (const s of holders) syncs.add(s);
    }
    if (groups.length > 0) events.push({ type: 'tracked_elsewhere', ref: record.ref, syncs: [...syncs], groups });
  }
  ledger.report(events);
}
