import type { SyncMode } from '@syncmodes/connector-kit';
import type { ExpectedOutcomes } from './records-model';

/** A source row as the audience model sees it: who (member key) and in which audiences. */
export interface AudienceRow {
  readonly id: string;
  readonly member: string;
  readonly groups: readonly string[];
}

interface Entry {
  member: string;
  fingerprint: string;
  groups: Set<string>;
  departed: boolean;
}

/** The model at one moment (see {@link AudienceModel.checkpoint}). */
export interface AudienceCheckpoint {
  readonly audiences: ReadonlyMap<string, ReadonlySet<string>>;
  readonly entries: ReadonlyMap<string, Entry>;
}

/**
 * The sync-mode contract for audience destinations, as an executable model (independent
 * of the engine): joining an audience is a create, leaving one is a delete. Sync adds and
 * removes; additive adds and never removes (people who leave an audience or the source, or
 * whose identifiers change, stay where they were; after an identity change the sync tracks
 * only the new identity's audiences, so leaving one later is reported against those). Only memberships the sync added are ever
 * removed; audiences it does not manage are never touched. Duplicate identities fail all
 * their rows. A record that leaves while another record in the source has its identity (a
 * re-key) stays in that record's audiences (`rekeyed`); sync removes it from the others.
 */
export class AudienceModel {
  /** Audience name → members. */
  readonly audiences = new Map<string, Set<string>>();
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly mode: SyncMode) {}

  /** Members put in an audience by people or other tools. */
  seed(audience: string, members: readonly string[]): void {
    const set = this.audiences.get(audience) ?? new Set<string>();
    for (const m of members) set.add(m);
    this.audiences.set(audience, set);
  }

  private add(audience: string, member: string): void {
    const set = this.audiences.get(audience) ?? new Set<string>();
    set.add(member);
    this.audiences.set(audience, set);
  }

  private remove(audience: string, member: string): void {
    this.audiences.get(audience)?.delete(member);
  }

  /** The model as it is now, to go back to (see {@link restore}). */
  checkpoint(): AudienceCheckpoint {
    return {
      audiences: new Map([...this.audiences].map(([name, members]) => [name, new Set(members)])),
      entries: new Map([...this.entries].map(([id, e]) => [id, { ...e, groups: new Set(e.groups) }])),
    };
  }

  /** Goes back to a checkpoint (to apply a run again, knowing which records it did not send). */
  restore(cp: AudienceCheckpoint): void {
    this.audiences.clear();
    for (const [name, members] of cp.audiences) this.audiences.set(name, new Set(members));
    this.entries.clear();
    for (const [id, e] of cp.entries) this.entries.set(id, { ...e, groups: new Set(e.groups) });
  }

  /**
   * Applies one run; returns the outcome expected for each record. Every record succeeds,
   * except those in `unsent` (a run that stopped sent nothing for them, nor for their
   * departure: their memberships and entries stay as they were).
   */
  apply(rows: readonly AudienceRow[], unsent: ReadonlySet<string> = new Set()): ExpectedOutcomes {
    const removes = this.mode === 'sync';
    const out: ExpectedOutcomes = new Map();
    const count = new Map<string, number>();
    for (const r of rows) count.set(r.member, (count.get(r.member) ?? 0) + 1);
    const seen = new Set(rows.map((r) => r.id));
    for (const r of rows) {
      if ((count.get(r.member) ?? 0) > 1) {
        out.set(r.id, 'failed:duplicate_match_key');
        continue;
      }
      if (unsent.has(r.id)) continue;
      const groups = new Set(r.groups);
      const fingerprint = JSON.stringify([r.member, [...groups].sort()]);
      const entry = this.entries.get(r.id);
      if (entry && !entry.departed && entry.fingerprint === fingerprint) {
        out.set(r.id, 'unchanged');
        continue;
      }
      const before = entry?.groups ?? new Set<string>();
      const moved = entry !== undefined && entry.member !== r.member;
      const joins = moved ? [...groups] : [...groups].filter((g) => !before.has(g));
      const oldMember = entry?.member ?? r.member;
      // After an identity change, the old identity stays in the audiences a current record that
      // now has it is in (its state's and its own): leaving those would take that person out.
      // The holder's audiences are its row's; when several rows have it (they fail
      // duplicate_match_key), the first row's state's (as the kit's claim).
      const holder = moved ? rows.find((o) => o.id !== r.id && o.member === oldMember) : undefined;
      const holderRows = holder ? (count.get(holder.member) ?? 0) === 1 : false;
      const heldByOther = new Set(holder && holderRows ? holder.groups : holder ? (this.entries.get(holder.id)?.groups ?? []) : []);
      const leaving = moved ? [...before].filter((g) => !heldByOther.has(g)) : [...before].filter((g) => !groups.has(g));
      if (removes) for (const g of leaving) this.remove(g, oldMember);
      for (const g of joins) this.add(g, r.member);
      const kept = removes ? [] : leaving;
      const first = entry === undefined || before.size === 0;
      let outcome: string;
      if (joins.length === 0 && (removes ? leaving.length : 0) === 0) {
        outcome = kept.length > 0 ? 'skipped:delete_not_allowed' : groups.size === 0 ? 'skipped:no_audience' : 'unchanged';
      } else outcome = first ? 'created' : 'updated';
      out.set(r.id, outcome);
      if (outcome === 'skipped:delete_not_allowed' && !moved) {
        // Still in audiences the source says it left: the same again next run.
        if (entry) entry.fingerprint = '';
        continue;
      }
      // After an identity change the new identity holds only its own audiences: the old one's, kept (additive), are no longer tracked.
      this.entries.set(r.id, { member: r.member, fingerprint, groups: new Set(moved ? groups : [...groups, ...kept]), departed: false });
    }
    for (const [id, entry] of [...this.entries]) {
      if (seen.has(id) || unsent.has(id) || (entry.departed && !removes)) continue;
      const holder = rows.find((r) => r.id !== id && r.member === entry.member);
      if (entry.groups.size === 0) {
        out.set(id, 'skipped:not_found');
        this.entries.delete(id);
      } else if (holder) {
        // A re-key: the person is still in the source under another id. Kept in the holder's
        // audiences; in sync, removed from the ones the holder is not in.
        out.set(id, 'skipped:rekeyed');
        const inheritor = this.entries.get(holder.id);
        if (inheritor) {
          if (removes) for (const g of entry.groups) if (!inheritor.groups.has(g)) this.remove(g, entry.member);
          this.entries.delete(id);
        }
      } else if (removes) {
        for (const g of entry.groups) this.remove(g, entry.member);
        out.set(id, 'deleted');
        this.entries.delete(id);
      } else {
        out.set(id, 'skipped:delete_not_allowed');
        entry.departed = true;
      }
    }
    return out;
  }
}
