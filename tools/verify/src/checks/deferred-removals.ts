import { parseConfig, runSync, SqliteStateStore } from '@syncmodes/connector-kit';
import { memorySource } from '@syncmodes/connector-kit/testing';
import { AudienceModel } from '../model/audience-model';
import type { HistorySpec } from '../model/history';
import type { VerifyStats } from '../stats';
import type { AudienceTarget } from './audience-scenario';

const RETRY = { minTimeoutMs: 5, maxTimeoutMs: 40, defaultRateLimitWaitMs: 20, retries: 6 } as const;

/**
 * Removals refused for a while (Meta's "audience size too low"): every step of a history
 * runs in `sync` mode while the destination refuses every removal (joins go through), then
 * removals are allowed again and the last step's source runs twice. Whatever the history —
 * departures, group changes, identifiers changing once or several times, records taking
 * others' identifiers — the audiences must then hold exactly what the model says for the
 * whole history (no earlier identity or departed member left behind), and a third run sends
 * nothing. Members whose rows share an identity in the last source (they fail
 * `duplicate_match_key`, so nothing is sent for them) are left out of the comparison.
 */
export async function runDeferredRemovals(target: AudienceTarget, history: HistorySpec, stats: VerifyStats): Promise<void> {
  const refuse = target.refuseRemovals;
  if (!refuse) return;
  const h = target.harness;
  const t = await h.start();
  const state = new SqliteStateStore(':memory:');
  const where = `${target.name}/sync/deferred removals/${history.label ?? ''}`;
  try {
    parseConfig(h.destination, t.config);
    const model = new AudienceModel('sync');
    const foreign = history.seeded.map((k) => h.memberKey(k));
    await t.seed({ foreign });
    model.seed('foreign', foreign);
    const run = (rows: HistorySpec['steps'][number]['rows']) =>
      runSync({ collectResults: true, destination: h.destination, config: t.config, mode: 'sync', source: memorySource(rows.map((row) => ({ id: row.id, snapshot: h.record(row.keyIndex, row.groups).snapshot }))), state, sourceKey: 'id', retry: RETRY, guard: { maxDeletes: 10_000, allowEmptySource: true } });
    await refuse(t.admin, true);
    for (const step of history.steps) {
      model.apply(step.rows.map((row) => ({ id: row.id, member: h.memberKey(row.keyIndex), groups: row.groups })));
      const summary = await run(step.rows);
      stats.runs++;
      for (const r of summary.results) if (r.outcome === 'failed' && r.code !== 'duplicate_match_key') stats.violations.push(`${where}: ${r.id} failed ${r.code} while removals were refused: ${r.message}`);
    }
    await refuse(t.admin, false);
    const last = history.steps.at(-1)?.rows ?? [];
    let final = await run(last);
    final = await run(last);
    await t.admin.clearRequests();
    await run(last);
    stats.runs += 3;
    const writes = (await t.admin.requests()).filter((e) => ['add', 'remove'].includes(h.classify(e)));
    if (writes.length > 0) stats.violations.push(`${where}: ${writes.length} request(s) sent for unchanged input after the deferred removals went through`);
    // Rows that share an identity fail every run (duplicate_match_key): nothing is sent for
    // them, so a removal refused earlier stays pending — by design (never guess), not a
    // leftover: for their current identity, and for any earlier identity of theirs (a row that
    // left an audience under one identity, then took another row's: seed 198347110#11).
    const refused = new Set(final.results.filter((r) => r.code === 'duplicate_match_key').map((r) => r.id));
    const frozen = new Set(history.steps.flatMap((step) => step.rows.filter((row) => refused.has(row.id)).map((row) => h.memberKey(row.keyIndex))));
    const shown = (members: Iterable<string>) => [...members].filter((m) => !frozen.has(m)).sort().join(',');
    const actual = await t.read();
    for (const name of new Set([...actual.keys(), ...model.audiences.keys()])) {
      const got = shown(actual.get(name) ?? []);
      const want = shown(model.audiences.get(name) ?? []);
      if (got !== want) stats.violations.push(`${where}: audience ${name} holds [${got.slice(0, 120)}], the model says [${want.slice(0, 120)}]`);
    }
    stats.recordsChecked += last.length;
    stats.scenarios++;
  } finally {
    state.close();
    await t.stop();
  }
}
