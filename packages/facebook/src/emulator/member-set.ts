import { IDENTIFYING_KEYS, SCHEMA_KEYS, type SchemaKey } from '../identifiers/schema-keys';

/** One person in an audience as the emulator keeps them: schema key → value as sent (hashed, or clear for EXTERN_ID / MADID). */
export type Member = Partial<Record<SchemaKey, string>>;

/** The index keys of a member: its identifying values, or the whole row when it has none. */
function indexKeys(member: Member): string[] {
  const keys = IDENTIFYING_KEYS.filter((k) => member[k]).map((k) => `${k}:${member[k] as string}`);
  return keys.length > 0 ? keys : [`row:${SCHEMA_KEYS.map((k) => member[k] ?? '').join('|')}`];
}

/**
 * The people of one audience. Meta matches people, not rows, so a row sharing an
 * identifying value (EMAIL, PHONE, MADID, EXTERN_ID) with a member is that member: adding
 * it merges the values, removing it removes the member. Rows without identifying values
 * match only an identical row.
 */
export class MemberSet {
  private readonly members = new Map<number, Member>();
  private readonly index = new Map<string, number>();
  private next = 1;

  constructor(members: readonly Member[] = []) {
    for (const m of members) this.add(m);
  }

  get size(): number {
    return this.members.size;
  }

  /** Every member, oldest first. */
  list(): Member[] {
    return [...this.members.values()].map((m) => ({ ...m }));
  }

  /** Every member's id. */
  ids(): number[] {
    return [...this.members.keys()];
  }

  /** Ids of the members a row names. */
  matching(row: Member): Set<number> {
    const found = new Set<number>();
    for (const key of indexKeys(row)) {
      const id = this.index.get(key);
      if (id !== undefined) found.add(id);
    }
    return found;
  }

  /** Adds a person, or merges the row into the member it names. */
  add(row: Member): void {
    const [id] = this.matching(row);
    if (id === undefined) {
      const fresh = this.next++;
      this.members.set(fresh, { ...row });
      for (const key of indexKeys(row)) this.index.set(key, fresh);
      return;
    }
    const merged = { ...this.members.get(id), ...row };
    this.members.set(id, merged);
    for (const key of indexKeys(merged)) this.index.set(key, id);
  }

  /** Removes the members with these ids. */
  remove(ids: Iterable<number>): void {
    for (const id of ids) {
      const member = this.members.get(id);
      if (!member) continue;
      this.members.delete(id);
      for (const key of indexKeys(member)) if (this.index.get(key) === id) this.index.delete(key);
    }
  }
}
