import fc from 'fast-check';

/**
 * Histories of *people* moving between source ids, for destinations keyed by the source id
 * itself (an external id): the ground truth of who each row is, so a check can tell a record
 * written with another person's data from a person's own edit. Eleventh trial of stop 29:
 * ids swapped, rotated or shifted while one value stayed were written onto each other's
 * records, and a shift deleted a person still in the source.
 */

/** One source row: the person it is (ground truth) and its values by field position. */
export interface PersonRow {
  readonly person: number;
  readonly values: readonly string[];
}

/** A source at one step: id → row. */
export type PeopleSource = ReadonlyMap<string, PersonRow>;

/** What happens to the source between two runs. */
export type PeopleMove =
  | { kind: 'swap'; a: number; b: number; keep: number }
  | { kind: 'rotate'; a: number; b: number; c: number; keep: number }
  | { kind: 'shift'; newcomer: boolean; keep: number }
  | { kind: 'reuse'; a: number }
  | { kind: 'copy'; a: number; b: number }
  | { kind: 'edit'; a: number; field: number }
  | { kind: 'trade'; a: number; b: number; field: number }
  | { kind: 'join' }
  | { kind: 'leave'; a: number };

/** A history: how many people the first source has, then the moves before each later run. */
export interface PeopleHistory {
  readonly people: number;
  readonly steps: readonly (readonly PeopleMove[])[];
}

const pick = fc.nat({ max: 50 });
const keep = fc.nat({ max: 2 });
const moveArb: fc.Arbitrary<PeopleMove> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('swap' as const), a: pick, b: pick, keep }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('rotate' as const), a: pick, b: pick, c: pick, keep }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('shift' as const), newcomer: fc.boolean(), keep }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reuse' as const), a: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('copy' as const), a: pick, b: pick }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('edit' as const), a: pick, field: fc.nat({ max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('trade' as const), a: pick, b: pick, field: fc.nat({ max: 3 }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'join' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('leave' as const), a: pick }) },
);

/** Random histories: 3–7 people, then 1–3 steps of 1–3 moves each. */
export const peopleHistoryArb: fc.Arbitrary<PeopleHistory> = fc.record({
  people: fc.integer({ min: 3, max: 7 }),
  steps: fc.array(fc.array(moveArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
});

/** A person's first values: the email first, then one value per other field. */
export function firstValues(person: number, fields: number): string[] {
  return Array.from({ length: fields }, (_, f) => (f === 0 ? `p${person}@example.com` : `V${f}-${person}`));
}

/** Applies moves to a source; new people and new ids are numbered from `next` (both advanced). */
export class PeopleSourceBuilder {
  private readonly rows: Map<string, PersonRow>;
  private edits = 0;

  constructor(
    source: PeopleSource,
    private readonly fields: number,
    private readonly next: { person: number; id: number },
  ) {
    this.rows = new Map(source);
  }

  private ids(): string[] {
    return [...this.rows.keys()].sort((x, y) => Number(x) - Number(y));
  }

  private at(n: number): string | undefined {
    const ids = this.ids();
    return ids.length === 0 ? undefined : ids[n % ids.length];
  }

  /**
   * Person of `moved` at id `id`, keeping `keep` of the fields after the email as the id had
   * them — at most all but one: a row whose only moved value is the email is two people who
   * swapped emails (updated in place), not a person who moved.
   */
  private moved(id: string, moved: PersonRow, keep: number): PersonRow {
    const before = this.rows.get(id);
    if (!before) return moved;
    const kept = Math.min(keep, this.fields - 2);
    return { person: moved.person, values: moved.values.map((v, f) => (f >= 1 && f <= kept ? (before.values[f] as string) : v)) };
  }

  private newcomer(): PersonRow {
    return { person: this.next.person, values: firstValues(this.next.person++, this.fields) };
  }

  apply(move: PeopleMove): void {
    const rows = this.rows;
    switch (move.kind) {
      case 'swap':
      case 'rotate': {
        const chosen = [...new Set((move.kind === 'swap' ? [move.a, move.b] : [move.a, move.b, move.c]).map((n) => this.at(n)))].filter((id): id is string => id !== undefined);
        if (chosen.length < 2) return;
        const old = chosen.map((id) => rows.get(id) as PersonRow);
        chosen.forEach((id, i) => rows.set(id, this.moved(id, old[(i + 1) % old.length] as PersonRow, move.keep)));
        return;
      }
      case 'shift': {
        const ids = this.ids();
        if (ids.length < 2) return;
        const old = ids.map((id) => rows.get(id) as PersonRow);
        if (move.newcomer) {
          // Someone new takes the first id; everyone moves down one; the last person gets a new id.
          const last = old[old.length - 1] as PersonRow;
          ids.forEach((id, i) => rows.set(id, i === 0 ? this.newcomer() : this.moved(id, old[i - 1] as PersonRow, move.keep)));
          rows.set(String(this.next.id++), last);
        } else {
          // The first person leaves; everyone moves up one; the last id leaves the source.
          ids.forEach((id, i) => (i === ids.length - 1 ? rows.delete(id) : rows.set(id, this.moved(id, old[i + 1] as PersonRow, move.keep))));
        }
        return;
      }
      case 'reuse': {
        const id = this.at(move.a);
        if (id === undefined) return;
        // The id is given to someone new; its person comes back under a new id.
        rows.set(String(this.next.id++), rows.get(id) as PersonRow);
        rows.set(id, this.newcomer());
        return;
      }
      case 'copy': {
        const [a, b] = [this.at(move.a), this.at(move.b)];
        if (a === undefined || b === undefined || a === b) return;
        rows.set(a, rows.get(b) as PersonRow);
        return;
      }
      case 'edit': {
        const id = this.at(move.a);
        if (id === undefined) return;
        const row = rows.get(id) as PersonRow;
        const field = move.field % this.fields;
        const value = field === 0 ? `p${row.person}.e${++this.edits}@example.com` : `E${field}-${row.person}-${++this.edits}`;
        rows.set(id, { person: row.person, values: row.values.map((v, f) => (f === field ? value : v)) });
        return;
      }
      case 'trade': {
        const [a, b] = [this.at(move.a), this.at(move.b)];
        const field = 1 + (move.field % (this.fields - 1));
        if (a === undefined || b === undefined || a === b) return;
        const [ra, rb] = [rows.get(a) as PersonRow, rows.get(b) as PersonRow];
        rows.set(a, { person: ra.person, values: ra.values.map((v, f) => (f === field ? (rb.values[f] as string) : v)) });
        rows.set(b, { person: rb.person, values: rb.values.map((v, f) => (f === field ? (ra.values[f] as string) : v)) });
        return;
      }
      case 'join':
        rows.set(String(this.next.id++), this.newcomer());
        return;
      case 'leave': {
        const id = this.at(move.a);
        if (id !== undefined && rows.size > 1) rows.delete(id);
        return;
      }
    }
  }

  build(): PeopleSource {
    return new Map(this.rows);
  }
}
