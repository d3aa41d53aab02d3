import type { FoundRecord } from '../../destination/verbs';

/** What the kit makes of the destination records a lookup returned for one key. */
export type MatchDecision =
  | { readonly kind: 'none' }
  | { readonly kind: 'rekey'; readonly candidates: readonly FoundRecord[] }
  | { readonly kind: 'one'; readonly record: FoundRecord }
  | { readonly kind: 'ambiguous'; readonly ids: readonly string[] };

/**
 * Decides which destination record a lookup meant — never guessing:
 *
 * - no match: none;
 * - one match (the same id returned twice counts once): that record;
 * - several, one of which is the record this sync wrote last time (`knownId`, from its
 *   state): that record — the sync's own history says which one it is;
 * - several otherwise: ambiguous, with every id (sorted), so the record fails alone with
 *   `ambiguous_match` and nothing is written to any of them;
 * - only records holding another key (`FoundRecord.otherKey`): `rekey` candidates, which
 *   the lookup step checks against the sync's state and source (see `resolveRekeys`).
 */
export function decideMatch(found: readonly FoundRecord[] | undefined, knownId: string | undefined): MatchDecision {
  const matches = found?.filter((m) => m.otherKey === undefined);
  if (!matches || matches.length === 0) {
    const candidates = found?.filter((m) => m.otherKey !== undefined) ?? [];
    return candidates.length > 0 ? { kind: 'rekey', candidates } : { kind: 'none' };
  }
  const byId = new Map<string, FoundRecord>();
  for (const match of matches) if (!byId.has(match.id)) byId.set(match.id, match);
  if (byId.size === 1) return { kind: 'one', record: matches[0] as FoundRecord };
  const known = knownId === undefined ? undefined : byId.get(knownId);
  if (known) return { kind: 'one', record: known };
  return { kind: 'ambiguous', ids: [...byId.keys()].sort() };
}

/** Lists ids for a message: the first `max`, then how many more. */
export function listIds(ids: readonly string[], max = 10): string {
  const shown = ids.slice(0, max).join(', ');
  return ids.length > max ? `${shown} and ${ids.length - max} more` : shown;
}
