import type { RecordSnapshot } from '../../records/types';
import { same } from './key-holder';
import type { StateEntry } from '../../state/state-store';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordRunContext } from '../run/run-context';

/** What the rule needs from `refuseIdentityMoves`. */
export interface LeftBehindContext {
  readonly keyOf: (s: RecordSnapshot) => string | undefined;
  readonly idsOf: (s: RecordSnapshot) => readonly string[];
  /** Whether `next` differs from `own` outside the match key and the identifiers. */
  readonly changedBesidesIdentity: (next: RecordSnapshot, own: RecordSnapshot) => boolean;
  /** A record's state entry (read once). */
  readonly entry: (id: string) => Promise<StateEntry | undefined>;
  /** The row of a record of this window, if it is in the source. */
  readonly rowOf: (id: string) => RecordSnapshot | undefined;
  readonly label: string;
  readonly refuse: (r: RecordView, why: string, advice: string) => void;
}

/**
 * A row that gave up an identifier (its email, with the id as the key) which another row of
 * the source still has, when that other row holds every value this record was last written
 * with, and this row changed other values too: the person may have stayed under the other id
 * and this id gone to someone else (an id reused while its person had a second id), so
 * updating by id would write someone new onto that person's record. Refused
 * (`identity_unclear`), nothing written (verify, full, seed 28890446, identity by id,
 * intercom/additive: ids 1 and 6 were one person; id 1 was given to someone new who kept the
 * name, and that person's email and city were written onto the contact of id 1's person).
 *
 * A row that changed only its identifier is let through (that person's own new email), and so
 * is one whose other row differs from its last values (a household sharing an email). The
 * other row counts as alike when its row now, or the values it was last sent with, hold this
 * record's last values (case and spaces aside).
 */
export async function refuseDuplicateLeftBehind(ctx: RecordRunContext, records: readonly RecordView[], t: LeftBehindContext): Promise<void> {
  for (const r of records) {
    const own = r.entry?.notFound ? undefined : r.entry?.snapshot;
    if (r.next == null || own === undefined || r.result !== undefined || !t.changedBesidesIdentity(r.next, own)) continue;
    const kept = new Set(t.idsOf(r.next));
    for (const k of t.idsOf(own)) {
      if (kept.has(k)) continue;
      for (const h of ctx.source.identityHolders([k], r.recordId)) {
        // Its row now, or the values it was last sent with: either alike is enough (a copy edited in the same run, a name's case changed: fresh trial on #17).
        const theirs = [t.rowOf(h), (await t.entry(h))?.snapshot].filter((x): x is RecordSnapshot => x !== undefined);
        if (!theirs.some((x) => alikeBesidesIdentity(x, own, t))) continue;
        t.refuse(
          r,
          `Its previous ${t.label} stays with record "${h}", whose row has every value this record was last sent with, while this row changed its ${t.label} and other values: that person may be under "${h}" now and this id given to someone else.`,
          `If this id is still that person's, send its new ${t.label} and its other new values in separate runs; if it went to someone new, give them a new id.`,
        );
      }
    }
  }
}

/** Whether `a` and `b` hold the same values (as `same` compares them: case and spaces aside, every empty value alike) outside the match key and the identifiers. */
function alikeBesidesIdentity(a: RecordSnapshot, b: RecordSnapshot, t: LeftBehindContext): boolean {
  const key = t.keyOf(a);
  const ids = t.idsOf(a).join('\u0000');
  for (const name of new Set([...Object.keys(a.properties), ...Object.keys(b.properties)])) {
    if (same(a.properties[name], b.properties[name])) continue;
    const withB = { ...a, properties: { ...a.properties, [name]: b.properties[name] ?? null } };
    // A property making up the key or the identifiers casts no vote (the identifier itself moved).
    if (t.keyOf(withB) === key && t.idsOf(withB).join('\u0000') === ids) return false;
  }
  return true;
}
