import type { RecordView } from '../ledger/ledger-record';
import type { RecordRunContext } from '../run/run-context';
import { sameAccountSyncs } from './same-account-syncs';

/** Another sync's hold on a destination record: its name, and the groups its state has the record in. */
export interface OtherSyncHold {
  readonly sync: string;
  readonly groups: readonly string[];
  /** Of `groups`, those that sync found already made when it added them (`StateSnapshot.found`): not its own. */
  readonly found: readonly string[];
}

/** Destination id → the other syncs that have that destination record in their source, with its groups there. */
export type MembershipsElsewhere = ReadonlyMap<string, readonly OtherSyncHold[]>;

const NONE: MembershipsElsewhere = new Map();

/**
 * Record destinations: for the destination records of `records` (those about to leave
 * groups), what the other syncs of the same account sharing this state (see
 * `sameAccountSyncs`) have them in — each sync's entries that are neither departed nor
 * not found (a record still in its source), found memberships included. One state read per
 * other sync, and none when no record leaves a group or no other sync shares the state.
 */
export async function membershipsElsewhere(ctx: RecordRunContext, records: readonly RecordView[]): Promise<MembershipsElsewhere> {
  const ids = [...new Set(records.flatMap((r) => (r.destinationId === undefined ? [] : [r.destinationId])))];
  if (ids.length === 0) return NONE;
  const others = await sameAccountSyncs(ctx);
  if (others.length === 0) return NONE;
  const out = new Map<string, OtherSyncHold[]>();
  for (const other of others) {
    for (const entry of await ctx.state.findByDestinationIds(other.syncId, ids)) {
      if (entry.destinationId === null || entry.departed || entry.notFound === true || entry.snapshot.groups.length === 0) continue;
      out.set(entry.destinationId, [...(out.get(entry.destinationId) ?? []), { sync: other.name ?? other.syncId, groups: entry.snapshot.groups, found: entry.snapshot.found ?? [] }]);
    }
  }
  return out;
}

/**
 * The names of the other syncs whose state has the record's destination record in
 * destination group `id` (this sync's group `name`): the same name, the same name but for
 * case (Salesforce and Intercom compare campaign and tag names case-insensitively), or a
 * name this run resolved to `id`. Empty when none has it.
 */
export function holdersOf(ctx: RecordRunContext, elsewhere: MembershipsElsewhere, record: RecordView, name: string, id: string): string[] {
  const holds = record.destinationId === undefined ? undefined : elsewhere.get(record.destinationId);
  if (!holds) return [];
  const lower = name.toLowerCase();
  const same = (g: string) => g.toLowerCase() === lower || ctx.groupIds.idOf(g) === id;
  return [...new Set(holds.filter((h) => h.groups.some(same)).map((h) => h.sync))];
}

/**
 * The records (of `records`, by destination id) in destination group `id` (this sync's `name`)
 * that another sync of the same account sharing this state added as its own (not found): an
 * "already a member" answer to this sync's add is that sync's membership, made by syncs, not a
 * person's — so this sync counts it its own too, and the last of them to leave removes it
 * (fresh reviewer 95, F2: counted found, it was kept for good once the other sync forgot it).
 */
export async function ownedElsewhere(ctx: RecordRunContext, records: readonly RecordView[], name: string, id: string): Promise<Set<string>> {
  const out = new Set<string>();
  if (records.length === 0) return out;
  const elsewhere = await membershipsElsewhere(ctx, records);
  const lower = name.toLowerCase();
  const same = (g: string) => g.toLowerCase() === lower || ctx.groupIds.idOf(g) === id;
  for (const [destinationId, holds] of elsewhere) if (holds.some((h) => h.groups.some((g) => same(g) && !h.found.includes(g)))) out.add(destinationId);
  return out;
}
