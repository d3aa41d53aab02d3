import { SqliteStateStore, runSync } from '@syncmodes/connector-kit';
import { memorySource } from '@syncmodes/connector-kit/testing';
import type { VerifyStats } from '../stats';
import type { RecordTarget } from '../targets';
import type { AudienceTarget } from './audience-scenario';

/**
 * For every record destination that can delete: after a sync mode run of 30 records, a run
 * that would delete half of them, and a run with an empty source, are both refused before
 * any request reaches the destination.
 */
export async function runGuardChecks(targets: readonly RecordTarget[], stats: VerifyStats): Promise<void> {
  for (const target of targets) {
    const h = target.harness;
    if (!h.destination.syncModes.includes('sync')) continue;
    const t = await h.start();
    const state = new SqliteStateStore(':memory:');
    try {
      const records = Array.from({ length: 30 }, (_, i) => h.record(i, ['alpha']));
      const run = (rs: typeof records) => runSync({ destination: h.destination, config: t.config, mode: 'sync', source: memorySource(rs), state, sourceKey: 'id' });
      const first = await run(records);
      if (first.counts.created !== 30) stats.violations.push(`guards ${target.name}: setup created ${first.counts.created} of 30`);
      for (const [label, rs, code] of [
        ['deletion guard', records.slice(0, 15), 'deletion_guard'],
        ['empty source', [], 'empty_source'],
      ] as const) {
        await t.admin.clearRequests();
        const summary = await run([...rs]);
        if (summary.status !== 'refused' || summary.reason?.code !== code) stats.violations.push(`guards ${target.name}: ${label} not refused (${summary.status} ${summary.reason?.code ?? ''})`);
        const sent = await t.admin.requests();
        if (sent.length > 0) stats.violations.push(`guards ${target.name}: ${label}: ${sent.length} request(s) reached the destination before the refusal`);
        stats.scenarios++;
      }
      if ((await t.read()).length !== 30) stats.violations.push(`guards ${target.name}: records changed by a refused run`);
      stats.recordsChecked += 30;
    } finally {
      state.close();
      await t.stop();
    }
  }
}

/** The same guards for audience destinations that can remove people (sync mode). */
export async function runAudienceGuardChecks(targets: readonly AudienceTarget[], stats: VerifyStats): Promise<void> {
  for (const target of targets) {
    const h = target.harness;
    if (!h.destination.syncModes.includes('sync')) continue;
    const t = await h.start();
    const state = new SqliteStateStore(':memory:');
    try {
      const records = Array.from({ length: 30 }, (_, i) => h.record(i, ['alpha']));
      const run = (rs: typeof records) => runSync({ destination: h.destination, config: t.config, mode: 'sync', source: memorySource(rs), state, sourceKey: 'id' });
      await run(records);
      for (const [label, rs, code] of [
        ['deletion guard', records.slice(0, 15), 'deletion_guard'],
        ['empty source', [], 'empty_source'],
      ] as const) {
        await t.admin.clearRequests();
        const summary = await run([...rs]);
        if (summary.status !== 'refused' || summary.reason?.code !== code) stats.violations.push(`guards ${target.name}: ${label} not refused (${summary.status})`);
        if ((await t.admin.requests()).length > 0) stats.violations.push(`guards ${target.name}: ${label}: requests reached the destination before the refusal`);
        stats.scenarios++;
      }
      if ((await t.read()).get('alpha')?.size !== 30) stats.violations.push(`guards ${target.name}: the audience changed during refused runs`);
      stats.recordsChecked += 30;
    } finally {
      state.close();
      await t.stop();
    }
  }
}
