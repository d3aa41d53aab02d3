import { runSync, SqliteStateStore, type SyncMode, type SyncRunSummary } from '@syncmodes/connector-kit';
import { memorySource, type ConformanceHarness, type ConformanceRecord, type DestinationView } from '@syncmodes/connector-kit/testing';
import type { z } from 'zod';
import { intercomHarness } from '../../../../packages/intercom/test/intercom-harness';
import { salesforceHarness } from '../../../../packages/salesforce/test/salesforce-harness';
import { firstValues, PeopleSourceBuilder, type PeopleHistory, type PeopleSource } from '../model/people-history';
import type { VerifyStats } from '../stats';

const RETRY = { minTimeoutMs: 5, maxTimeoutMs: 40, defaultRateLimitWaitMs: 20, retries: 6, timeoutRetries: 6 } as const;

/** A record destination configured with the source id as its match key, and the person's fields it stores (the email first). */
export interface PeopleTarget {
  readonly name: string;
  readonly harness: ConformanceHarness<z.ZodType>;
  /** Config on top of the harness's (the match field). */
  readonly config: Readonly<Record<string, unknown>>;
  /** The property the source id is sent as (the match key). */
  readonly keyProperty: string;
  /** The person's properties, as the harness reads them back (the email first). */
  readonly fields: readonly string[];
}

/** Salesforce Contacts by the external-id field Customer_Id__c; Intercom users by external_id. */
export const PEOPLE_TARGETS: readonly PeopleTarget[] = [
  { name: 'salesforce', harness: salesforceHarness as unknown as ConformanceHarness<z.ZodType>, config: { matchField: 'Customer_Id__c' }, keyProperty: 'Customer_Id__c', fields: ['Email', 'FirstName', 'LastName', 'Title'] },
  { name: 'intercom', harness: intercomHarness as unknown as ConformanceHarness<z.ZodType>, config: {}, keyProperty: 'external_id', fields: ['email', 'name', 'custom_attributes.city'] },
];

/** What the check knows: every value each person's rows have had, and whose record each destination record is. */
class GroundTruth {
  /** Person → field → values. */
  private readonly values = new Map<number, Map<number, Set<string>>>();
  /** Destination id → the person whose row created it. */
  readonly owners = new Map<string, number>();

  note(source: PeopleSource): void {
    for (const row of source.values()) {
      const fields = this.values.get(row.person) ?? new Map<number, Set<string>>();
      row.values.forEach((v, f) => fields.set(f, (fields.get(f) ?? new Set()).add(v)));
      this.values.set(row.person, fields);
    }
  }

  had(person: number, field: number, value: string): boolean {
    return this.values.get(person)?.get(field)?.has(value) === true;
  }

  /** The people other than `except` whose rows had `value` in `field`. */
  holders(field: number, value: string, except: number): number[] {
    return [...this.values].filter(([p, fields]) => p !== except && fields.get(field)?.has(value)).map(([p]) => p);
  }
}

function records(target: PeopleTarget, source: PeopleSource): ConformanceRecord[] {
  return [...source].map(([id, row]) => ({ id, snapshot: { properties: { [target.keyProperty]: id, ...Object.fromEntries(target.fields.map((f, i) => [f, row.values[i] as string])) }, groups: [] } }));
}

/**
 * After a run, judged by what identifies a person here, the email (the rows' ground truth
 * says who each row is, but a person whose email changed while moving ids cannot be told
 * from someone new, and may be written as such):
 *
 * - no record changed its email to one another record had before the run (a swap, rotation
 *   or shift written by id), nor to one another record has after it (a copy) — unless the email
 *   is all that changed (the person's own change: an email handed on, emails swapped);
 * - a record whose person is still in the source with the record's email holds no value that
 *   person's rows never had (another person written onto it);
 * - no record is deleted while a row of the source has its email (but not by such a change).
 */
function violations(target: PeopleTarget, truth: GroundTruth, source: PeopleSource, viewsBefore: readonly DestinationView[], viewsAfter: readonly DestinationView[], where: string): string[] {
  // Both harnesses read records with their destination ids.
  const [before, after] = [viewsBefore, viewsAfter].map((views) => views.filter((d): d is DestinationView & { id: string } => d.id !== undefined)) as [(DestinationView & { id: string })[], (DestinationView & { id: string })[]];
  const name0 = target.fields[0] as string;
  const emailOf = (d: DestinationView) => (d.properties[name0] == null ? undefined : String(d.properties[name0]).toLowerCase());
  const rows = [...source.values()];
  const inSource = new Set(rows.map((r) => (r.values[0] as string).toLowerCase()));
  const earlier = new Map(before.map((d) => [d.id, d]));
  // Emails a record took while every other value of it stayed: the person's own email change (an
  // email handed on, or only emails swapped), let through by the contract.
  const onlyEmail = (d: DestinationView, b: DestinationView) => target.fields.every((name, f) => f === 0 || d.properties[name] === b.properties[name]);
  const handedOn = new Set(after.flatMap((d) => { const b = earlier.get(d.id); const e = emailOf(d); return b && e !== undefined && e !== emailOf(b) && onlyEmail(d, b) ? [e] : []; }));
  const out: string[] = [];
  for (const d of after) {
    const b = earlier.get(d.id);
    if (!b) continue;
    const [e0, e1] = [emailOf(b), emailOf(d)];
    if (e1 !== undefined && e1 !== e0 && !onlyEmail(d, b)) {
      const had = before.find((o) => o.id !== d.id && emailOf(o) === e1);
      const has = after.find((o) => o.id !== d.id && emailOf(o) === e1);
      if (had) out.push(`${where}: record ${d.id} took the ${name0} record ${had.id} had`);
      else if (has) out.push(`${where}: record ${d.id} now has the ${name0} of record ${has.id} too`);
    }
    const owner = truth.owners.get(d.id);
    if (owner === undefined || e0 === undefined || !rows.some((r) => r.person === owner && (r.values[0] as string).toLowerCase() === e0)) continue;
    target.fields.forEach((name, f) => {
      const value = d.properties[name];
      if (f === 0 || value === null || value === undefined || value === b.properties[name] || truth.had(owner, f, String(value))) return;
      out.push(`${where}: record ${d.id} of person ${owner} (in the source with its ${name0}) was written with ${name} of person ${truth.holders(f, String(value), owner).join('/') || '?'}`);
    });
  }
  const live = new Set(after.map((d) => d.id));
  for (const b of before) {
    const e0 = emailOf(b);
    if (!live.has(b.id) && e0 !== undefined && inSource.has(e0) && !handedOn.has(e0)) out.push(`${where}: record ${b.id} deleted while a row of the source has its ${name0}`);
  }
  return out;
}

/**
 * Runs one history of people moving between ids against a destination keyed by the source id,
 * in one mode (enrich: the first run is additive): each step's source is sent twice, and after
 * every run the destination is compared with the ground truth ({@link violations}). `trace`
 * gets each run's source (ground truth) and its results, to replay a violation.
 */
export async function runPeopleScenario(target: PeopleTarget, mode: SyncMode, history: PeopleHistory, label: string, stats: VerifyStats, trace?: (line: string) => void): Promise<void> {
  const t = await target.harness.start();
  const state = new SqliteStateStore(':memory:');
  const where = `identity by id: ${target.name}/${mode}/${label}`;
  try {
    const config = { ...(t.config as Record<string, unknown>), ...target.config };
    const truth = new GroundTruth();
    const next = { person: history.people + 1, id: history.people + 1 };
    let source: PeopleSource = new Map(Array.from({ length: history.people }, (_, i) => [String(i + 1), { person: i + 1, values: firstValues(i + 1, target.fields.length) }]));
    const run = async (m: SyncMode, step: string) => {
      truth.note(source);
      const before = await t.read();
      const summary: SyncRunSummary = await runSync({ collectResults: true, destination: target.harness.destination, config, mode: m, source: memorySource(records(target, source)), state, sourceKey: 'id', retry: RETRY, guard: { maxDeletes: 10_000, allowEmptySource: true } });
      stats.runs++;
      trace?.(`${step}: ${[...source].map(([id, r]) => `${id}=P${r.person}[${r.values.join(',')}]`).join(' ')}`);
      for (const r of summary.results ?? []) if (r.outcome !== 'unchanged') trace?.(`  ${r.id} ${r.outcome} ${r.code ?? ''} ${r.destinationId ?? ''}`);
      for (const r of summary.results ?? []) if (r.outcome === 'created' && r.destinationId) truth.owners.set(r.destinationId, (source.get(r.id) as { person: number }).person);
      if (summary.status !== 'completed') stats.violations.push(`${where} ${step}: the run ended ${summary.status} (${summary.reason?.code ?? ''})`);
      const after = await t.read();
      stats.recordsChecked += after.length;
      stats.violations.push(...violations(target, truth, source, before, after, `${where} ${step}`));
    };
    await run(mode === 'enrich' ? 'additive' : mode, 'first run');
    for (const [i, moves] of history.steps.entries()) {
      const builder = new PeopleSourceBuilder(source, target.fields.length, next);
      for (const move of moves) builder.apply(move);
      source = builder.build();
      await run(mode, `step ${i + 1} (${moves.map((m) => m.kind).join(', ')})`);
      await run(mode, `step ${i + 1}, again`);
    }
    stats.scenarios++;
  } finally {
    state.close();
    await t.stop();
  }
}
