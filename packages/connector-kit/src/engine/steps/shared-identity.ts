import { permits } from '../../modes/permits';
import type { RecordEvent } from '../ledger/events';
import type { RecordLedger } from '../ledger/record-ledger';
import type { AudienceRunContext } from '../run/run-context';

/**
 * Audiences whose vendor matches a person by any of several identifiers
 * (`AudienceDestinationDefinition.identityKeys`): for every record that may leave an
 * audience in this run (it left the source, left an audience, or its identifiers changed),
 * the other current records sharing an identifier its state holds — a household's phone
 * number — and the audiences they are in (where its source row puts it when it is in this window, else its state). The
 * record is never removed from those: the vendor may see the two as one member, and the
 * removal would remove the other person (the planner keeps it there, `identity_shared`).
 */
export async function findSharedIdentities(ctx: AudienceRunContext, ledger: RecordLedger): Promise<void> {
  const identityKeys = ctx.destination.identityKeys;
  if (!identityKeys || !permits(ctx.mode, 'delete', { owned: true, deletePolicy: 'owned' })) return;
  const open = ledger.open().filter((r) => (r.entry?.snapshot.groups.length ?? 0) > 0);
  const sharers = new Map<number, string[]>();
  for (const record of open) {
    const holders = ctx.source.identityHolders(identityKeys(record.entry?.snapshot as NonNullable<typeof record.entry>['snapshot'], ctx.config), record.recordId);
    if (holders.length > 0) sharers.set(record.ref, holders);
  }
  if (sharers.size === 0) return;
  const entries = await ctx.state.get(ctx.syncId, [...new Set([...sharers.values()].flat())]);
  const joining = new Map(ledger.open().flatMap((r) => (r.next ? [[r.recordId, r.next.groups] as const] : [])));
  const events: RecordEvent[] = [...sharers].map(([ref, holders]) => ({
    type: 'shared',
    ref,
    holders,
    // A sharer in this window is where its source row puts it (its own leaves go out now too); others as state says.
    groups: [...new Set(holders.flatMap((h) => joining.get(h) ?? entries.get(h)?.snapshot.groups ?? []))],
  }));
  ledger.report(events);
}
