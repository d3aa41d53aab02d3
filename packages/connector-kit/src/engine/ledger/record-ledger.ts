import type { RecordResult } from '../../records/outcome';
import type { StateEntry } from '../../state/state-store';
import type { StateWriter } from './state-writer';
import type { RecordEvent } from './events';
import type { LedgerRecord, RecordView } from './ledger-record';
import { reduce } from './reduce';
import { identityChangeMark, reportedResult } from './earlier-identity';
import { settle, type SettleContext } from './settle';
import { entryFor, pendingEntry } from './state-entries';
import { transferClaimed } from './transfer-claimed';
import { linkHeldIdentities } from './held-identities';

/** State entries made and written at a time (see `RecordLedger.putEntries`). */
const STATE_BATCH = 2_000;

/** What a ledger needs from its run. */
export interface LedgerContext extends SettleContext {
  /** The run's only way to write state. */
  readonly writer: StateWriter;
  /** Audiences whose vendor matches by any of several identifiers: keep re-keyed identities linked (see `transferClaimed`). */
  readonly linkIdentities?: boolean | undefined;
  /** Reads the holders' entries for re-keys. */
  readonly readEntries: (recordIds: readonly string[]) => Promise<Map<string, StateEntry>>;
  /** Hands a final result to the run (counted, collected, reported). */
  readonly emit: (result: RecordResult) => void;
}

/**
 * The records of one window and everything that happens to them. Engine steps read records
 * ({@link RecordView}) and report {@link RecordEvent}s; the ledger alone applies them
 * (`reduce`) and writes state: the write-ahead mark before sending, each acknowledged batch
 * (record destinations), and the final entries when the window settles, through the run's
 * one {@link StateWriter}. Then it emits exactly one result per record.
 */
export class RecordLedger {
  private readonly records = new Map<number, LedgerRecord>();

  /** @param records - the window's records (made with `ledgerRecord`), which the ledger takes over. */
  constructor(
    records: readonly LedgerRecord[],
    private readonly ctx: LedgerContext,
  ) {
    for (const record of records) this.records.set(record.ref, record);
  }

  /** Every record, in window order. */
  all(): RecordView[] {
    return [...this.records.values()];
  }

  /** The record with this ref, if it is in the window. */
  get(ref: number): RecordView | undefined {
    return this.records.get(ref);
  }

  /** Records without a final result yet, in window order. */
  open(): RecordView[] {
    const open: RecordView[] = [];
    for (const r of this.records.values()) if (!r.result) open.push(r);
    return open;
  }

  /** Applies events (nothing is written). */
  report(events: readonly RecordEvent[]): void {
    for (const event of events) {
      const record = this.records.get(event.ref);
      if (record) reduce(record, event);
    }
  }

  /**
   * Applies the events of one acknowledged batch, then records it in state (record
   * destinations; audiences record a person when all their memberships are settled), so a
   * crash loses at most the batch in flight. Records whose state could not be written are
   * marked `unrecorded` (the writer has stopped the run).
   */
  async acknowledge(events: readonly RecordEvent[]): Promise<void> {
    this.report(events);
    if (this.ctx.kind !== 'records' || this.ctx.dryRun) return;
    const refs = new Set<number>();
    for (const e of events) if (e.type === 'acknowledged') refs.add(e.ref);
    const kept: LedgerRecord[] = [];
    const deleted: LedgerRecord[] = [];
    for (const ref of refs) {
      const r = this.records.get(ref) as LedgerRecord;
      (r.plan?.action === 'delete' && r.acked.has('write') ? deleted : kept).push(r);
    }
    await this.putEntries(kept, entryFor);
    await this.write(deleted, () => this.ctx.writer.remove(deleted.map((r) => r.recordId)));
  }

  /**
   * Writes the entries `entry` gives for `records`, {@link STATE_BATCH} at a time: a window's
   * entries are never all made at once (100,000 of them, promoted to V8's old generation
   * together, made it grow about four times what the window holds). Records whose entries
   * could not be written are marked `unrecorded` (the writer has stopped the run; later
   * batches are not written either).
   */
  private async putEntries(records: readonly LedgerRecord[], entry: (record: LedgerRecord) => StateEntry): Promise<void> {
    for (let i = 0; i < records.length; i += STATE_BATCH) {
      const batch = records.slice(i, i + STATE_BATCH);
      await this.write(batch, () => this.ctx.writer.put(batch.map(entry)));
    }
  }

  /**
   * The write-ahead mark: every record about to be written is marked pending in state (one
   * write), so a crash or a state failure after sending is healed by the next run.
   *
   * @returns false when state could not be written: nothing may be sent.
   */
  async mark(records: readonly RecordView[]): Promise<boolean> {
    if (this.ctx.dryRun || records.length === 0) return true;
    const ledgered = records.map((r) => this.records.get(r.ref) as LedgerRecord);
    const marks = this.ctx.kind === 'audience' ? ledgered.flatMap((r) => identityChangeMark(r, pendingEntry(r, 'audience'))) : ledgered.map((r) => pendingEntry(r));
    const ok = await this.ctx.writer.put(marks);
    if (ok) this.report(ledgered.map((r) => ({ type: 'marked', ref: r.ref })));
    return ok;
  }

  private async write(records: readonly LedgerRecord[], write: () => Promise<boolean>): Promise<void> {
    if (records.length === 0 || (await write())) return;
    const error = this.ctx.writer.failed;
    if (error) this.report(records.map((r) => ({ type: 'unrecorded', ref: r.ref, error })));
  }

  /**
   * Settles the window: decides each record's final state, records re-keys, writes what
   * remains, then decides and emits each record's result, one at a time (a window's
   * results are never all held at once) — a record whose acknowledged change state could
   * not record is reported failed with the state's error.
   */
  async settle(stopped: SettleContext['stopped']): Promise<void> {
    const ctx = { ...this.ctx, stopped };
    if (!ctx.dryRun) {
      const all = [...this.records.values()];
      const inherited = await transferClaimed(all, this.ctx.writer, this.ctx.readEntries, this.ctx.linkIdentities);
      const inWindow = new Map(all.map((r) => [r.recordId, r.ref]));
      if (this.ctx.linkIdentities) {
        for (const [id, identities] of await linkHeldIdentities(all, this.ctx.writer, this.ctx.readEntries, new Set(inWindow.keys()))) inherited.set(id, [...(inherited.get(id) ?? []), ...identities]);
      }
      this.report([...inherited].flatMap(([id, identities]) => (inWindow.has(id) ? [{ type: 'linked' as const, ref: inWindow.get(id) as number, identities }] : [])));
      // Entries are written as they are decided, a batch at a time (see `putEntries`).
      const puts: LedgerRecord[] = [];
      const entries: StateEntry[] = [];
      const flush = async () => {
        const batch = puts.splice(0);
        const written = entries.splice(0);
        await this.write(batch, () => this.ctx.writer.put(written));
      };
      const forgets: LedgerRecord[] = [];
      const alsoForget: string[] = [];
      for (const r of this.records.values()) {
        const state = settle(r, ctx).state;
        if (state && 'put' in state) {
          puts.push(r);
          entries.push(state.put, ...(state.alsoPut ?? []));
          alsoForget.push(...(state.alsoForget ?? []));
          if (puts.length >= STATE_BATCH) await flush();
        } else if (state && 'forget' in state) forgets.push(r);
      }
      await flush();
      await this.write(forgets, () => this.ctx.writer.remove(forgets.map((r) => r.recordId)));
      // Earlier identities whose removals were acknowledged (a failure stops the run; the next run removes them again, harmlessly).
      if (alsoForget.length > 0) await this.ctx.writer.remove(alsoForget);
    }
    const resultOnly = { ...ctx, resultOnly: true };
    for (const record of this.records.values()) this.ctx.emit(reportedResult(finalResult(record, settle(record, resultOnly).result)));
  }
}

/**
 * The result to report: a sent change that state could not record is a failure naming the
 * state's error; so is a record kept and released (`released`) whose release state could not
 * record — it is still tracked, and the next run decides again.
 */
function finalResult(record: LedgerRecord, result: RecordResult): RecordResult {
  const error = record.unrecorded;
  if (error && record.released && result.outcome !== 'failed') {
    return { ...result, outcome: 'failed', code: error.code, message: `${result.message ?? ''} But the sync's state could not record that it no longer tracks it (${error.message}): it is still tracked, and the next run decides again.`, retryable: true };
  }
  if (!error || result.outcome === 'failed' || record.acked.size === 0) return result;
  return {
    ...result,
    outcome: 'failed',
    code: error.code,
    message: `Sent and acknowledged, but the sync's state could not record it (${error.message}). The next run looks it up again instead of sending it blind.`,
    retryable: true,
  };
}
