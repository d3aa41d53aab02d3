/**
 * Group ids (campaigns, tags, audiences) a run has resolved, by name, so that each group
 * is found (or created) once per run rather than once per window. Only names that
 * resolved are kept: a group missing when a removal looked for it is looked up again
 * later (an addition may create it in between).
 */
export class GroupIdCache {
  private readonly ids = new Map<string, string>();
  private readonly pins = new Set<string>();
  private readonly deleted = new Set<string>();

  /** Records a group's id found before the run sends anything. */
  prime(name: string, id: string): void {
    this.ids.set(name, id);
  }

  /** Records a group's id the configuration pins (`RunSyncOptions.groupIds`): never looked up by name, never recreated. */
  pin(name: string, id: string): void {
    this.ids.set(name, id);
    this.pins.add(name);
  }

  /** The id of group `name` when known (found, created or pinned), else undefined. */
  idOf(name: string): string | undefined {
    return this.ids.get(name);
  }

  /** True when the id of group `name` is known (found, created or pinned): resolving it makes no call. */
  has(name: string): boolean {
    return this.ids.has(name);
  }

    /** True when the configuration pins the id of group `name` (see {@link pin}). */
  pinned(name: string): boolean {
    return this.pins.has(name);
  }

  /**
   * Notes that the destination confirmed group `name` deleted during the run (a
   * `GroupGoneError`). Its id stays cached: the run does not create it again midway.
   */
  markDeleted(name: string): void {
    this.deleted.add(name);
  }

  /** The groups found by name (not pinned) that the destination confirmed deleted during the run (see {@link markDeleted}). */
  deletedByName(): string[] {
    return [...this.deleted].filter((name) => !this.pins.has(name));
  }

  /**
   * The ids of `names`: cached ones as they are, the rest from `lookup` (called only when
   * some name is not cached, with just those names). Names without an id are left out.
   * @throws whatever `lookup` throws (nothing is cached then).
   */
  async resolve(names: readonly string[], lookup: (missing: string[]) => Promise<ReadonlyMap<string, string>>): Promise<Map<string, string>> {
    const missing = names.filter((n) => !this.ids.has(n));
    if (missing.length > 0) for (const [name, id] of await lookup(missing)) this.ids.set(name, id);
    const resolved = new Map<string, string>();
    for (const name of names) {
      const id = this.ids.get(name);
      if (id !== undefined) resolved.set(name, id);
    }
    return resolved;
  }
}
