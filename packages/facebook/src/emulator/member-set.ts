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
 * it merges the values, removing it removes the member. A member stays linked to every
 * identifying value ever sent for it, not only its latest ones (a person keeps every email
 * and phone number Meta has matched them by), and those links are saved with the data
 * ({@link MemberSet.links}). Rows without identifying values match only an identical row.
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences#hash
 */
export class MemberSet {
  private readonly members = new Map<number, Member>();
  /** Member id → every index key it was ever matched or added by. */
  private readonly keys = new Map<number, Set<string>>();
  private readonly index = new Map<string, number>();
  private next = 1;

  /**
   * Members as saved (each kept as it was, never merged on load); `links[i]`: the index keys
   * (`KEY:value`) `members[i]` was linked to besides its current values (see {@link links}).
   */
  constructor(members: readonly Member[] = [], links: readonly (readonly string[])[] = []) {
    members.forEach((m, i) => {
      const id = this.next++;
      this.members.set(id, { ...m });
      for (const key of [...indexKeys(m), ...(links[i] ?? [])]) this.link(id, key);
    });
  }

  get size(): number {
    return this.members.size;
  }

  /** Every member, oldest first. */
  list(): Member[] {
    return [...this.members.values()].map((m) => ({ ...m }));
  }

  /** For each member (as {@link list} orders them), the index keys it is linked to besides its current values. */
  links(): string[][] {
    return [...this.members].map(([id, m]) => {
      const current = new Set(indexKeys(m));
      return [...(this.keys.get(id) ?? [])].filter((k) => !current.has(k));
    });
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
    const [found] = this.matching(row);
    const id = found ?? this.next++;
    this.members.set(id, { ...this.members.get(id), ...row });
    for (const key of indexKeys(row)) this.link(id, key);
  }

  private link(id: number, key: string): void {
    const keys = this.keys.get(id) ?? new Set<string>();
    keys.add(key);
    this.keys.set(id, keys);
    this.index.set(key, id);
  }

  /** Removes the members with these ids, and every link they had. */
  remove(ids: Iterable<number>): void {
    for (const id of ids) {
      if (!this.members.delete(id)) continue;
      for (const key of this.keys.get(id) ?? []) if (this.index.get(key) === id) this.index.delete(key);
      this.keys.delete(id);
    }
  }
}
