import fc from 'fast-check';
import type { FaultRule } from '@syncmodes/connector-kit/emulator';

/** One logical source record in a history step. */
export interface RowSpec {
  /** Stable record id (`r<n>`; filler rows `f<n>`). */
  readonly id: string;
  /** Which harness record provides its key and base properties (see `buildRecord`). */
  readonly keyIndex: number;
  /** Which harness record provides its other properties, when not `keyIndex`'s (a row that took a departed row's values under a new key). */
  readonly looksIndex?: number | undefined;
  /** The clearable property: a value or empty. */
  readonly value: 'A' | 'B' | null;
  readonly groups: readonly ('alpha' | 'beta')[];
}

/** A step: the source of one run, and the faults injected into its first attempt. */
export interface StepSpec {
  readonly rows: readonly RowSpec[];
  readonly faults: readonly FaultRule[];
  /**
   * Before the step, people or another tool create a copy (same match key) of a record
   * this sync wrote: each number picks one (modulo the candidates the model names), so the
   * next lookups of that key find two records, one of them the sync's own.
   */
  readonly copies?: readonly number[] | undefined;
  /** The first run's state store refuses every entry write after this many (a full disk); undefined: no state fault. */
  readonly stateFailsAfter?: number | undefined;
  /**
   * False: no repair run after the first (the source changes before the next run, which
   * must reconcile what this one sent but could not record). Default true.
   */
  readonly repair?: boolean | undefined;
}

/** Destination records made by people or other tools that share one match key (`copies` of key `keyIndex`). */
export interface AmbiguousSeed {
  readonly keyIndex: number;
  readonly copies: number;
}

/** A scenario: seeded foreign records, then runs. */
export interface HistorySpec {
  /** A name for reports (random histories are named by their seed). */
  readonly label?: string | undefined;
  /** Key indexes of records made by people or other tools before the first run. */
  readonly seeded: readonly number[];
  /** Keys held by several seeded records each (record destinations where the vendor allows it). */
  readonly ambiguous?: readonly AmbiguousSeed[] | undefined;
  readonly steps: readonly StepSpec[];
}

/** First key index of seeded records; sync-made keys are below, fresh keys above. */
export const SEEDED_BASE = 100;
/** Key indexes held by two (150) and three (151) seeded records. */
export const AMBIGUOUS_SEEDS: readonly AmbiguousSeed[] = [
  { keyIndex: 150, copies: 2 },
  { keyIndex: 151, copies: 3 },
];
const FRESH_BASE = 200;
/** Key indexes of filler rows (seeded records updated by every step, so runs are large). */
export const FILLER_BASE = 1_000;

/** What a history may contain for a destination. */
export interface HistoryOptions {
  /** Match keys may change with a stable id (false where the key is the record's identity). */
  readonly keyChanges: boolean;
  /** False where a removed record keeps its key (Intercom archives): rows never borrow it. */
  readonly reuseRemovedKeys?: boolean | undefined;
  /** Seeded records sharing a key, rows pointing at them, copies of synced records (destinations where keys may repeat). */
  readonly ambiguous?: boolean | undefined;
  /** Filler rows on seeded records, updated every step (so a run crosses a bulk threshold). */
  readonly filler?: number | undefined;
}

type Where = 'fresh' | 'seeded' | 'ambiguous';

type Mutation =
  | { kind: 'add'; value: RowSpec['value']; groups: RowSpec['groups']; on: Where; pick: number }
  | { kind: 'remove'; pick: number }
  | { kind: 'edit'; pick: number; value: RowSpec['value'] }
  | { kind: 'rekey'; pick: number }
  | { kind: 'reid'; pick: number }
  | { kind: 'handover'; pick: number; value: RowSpec['value']; groups: RowSpec['groups'] }
  | { kind: 'takeover'; pick: number; other: number }
  | { kind: 'reborn'; pick: number }
  | { kind: 'reuse'; pick: number }
  | { kind: 'assume'; pick: number; other: number }
  | { kind: 'swapLooks'; pick: number; other: number }
  | { kind: 'swapEdit'; pick: number; other: number }
  | { kind: 'copy'; pick: number }
  | { kind: 'toggle'; pick: number; group: 'alpha' | 'beta' }
  | { kind: 'duplicate'; pick: number; other: number };

const valueArb = fc.constantFrom<RowSpec['value']>('A', 'B', null);
const groupsArb = fc.subarray<'alpha' | 'beta'>(['alpha', 'beta']);
const whereArb = fc.constantFrom<Where>('fresh', 'fresh', 'fresh', 'fresh', 'seeded', 'seeded', 'ambiguous');
const faultArb: fc.Arbitrary<FaultRule[]> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<FaultRule[]>([]) },
  {
    weight: 3,
    arbitrary: fc
      .record({
        rate: fc.double({ min: 0.05, max: 0.2, noNaN: true }),
        kinds: fc.subarray(['rate_limit', 'server_error', 'reset', 'lost_response', 'latency'] as const, { minLength: 1 }),
      })
      .map(({ rate, kinds }) =>
        kinds.map((kind): FaultRule => ({ kind, rate, retryAfterSec: 0.02, latencyMs: 30, status: 503, path: '^/(?!__emulator)' })),
      ),
  },
);
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), value: valueArb, groups: groupsArb, on: whereArb, pick: fc.nat() }),
  fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('edit' as const), pick: fc.nat(), value: valueArb }),
  fc.record({ kind: fc.constant('rekey' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('reid' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('handover' as const), pick: fc.nat(), value: valueArb, groups: groupsArb }),
  fc.record({ kind: fc.constant('takeover' as const), pick: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant('reborn' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('reuse' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('assume' as const), pick: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant('swapLooks' as const), pick: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant('swapEdit' as const), pick: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant('copy' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('toggle' as const), pick: fc.nat(), group: fc.constantFrom<'alpha' | 'beta'>('alpha', 'beta') }),
  fc.record({ kind: fc.constant('duplicate' as const), pick: fc.nat(), other: fc.nat() }),
);

/** Builds the rows of each step from the generated mutations (ids and keys handed out in order). */
class HistoryBuilder {
  private nextId = 0;
  private nextFresh = FRESH_BASE;
  private readonly usedSeeded = new Set<number>();

  constructor(
    private readonly options: HistoryOptions,
    private readonly seeded: readonly number[],
  ) {}

  /** A key for a new row: a free seeded record's, one of the shared keys, or its own. */
  private keyFor(on: Where, pick: number): number {
    if (on === 'ambiguous' && this.options.ambiguous) return (AMBIGUOUS_SEEDS[pick % AMBIGUOUS_SEEDS.length] as AmbiguousSeed).keyIndex;
    const free = this.seeded.find((k) => !this.usedSeeded.has(k));
    if (on !== 'fresh' && free !== undefined) {
      this.usedSeeded.add(free);
      return free;
    }
    return this.nextId;
  }

  newRow(value: RowSpec['value'], groups: RowSpec['groups'], on: Where, pick: number): RowSpec {
    const keyIndex = this.keyFor(on, pick);
    return { id: `r${this.nextId++}`, keyIndex, value, groups };
  }

  /** Applies one step's mutations to `rows`; returns the step's rows and its copies. */
  step(rows: readonly RowSpec[], mutations: readonly Mutation[]): { next: RowSpec[]; stepRows: RowSpec[]; copies: number[] } {
    let next = rows.map((r) => ({ ...r }));
    let duplicate: { id: string; keyIndex: number } | undefined;
    const copies: number[] = [];
    for (const m of mutations) {
      const target = next.length > 0 ? next[m.pick % next.length] : undefined;
      switch (m.kind) {
        case 'add':
          next.push(this.newRow(m.value, m.groups, m.on, m.pick));
          break;
        case 'remove':
          if (target && next.length > 1) next = next.filter((r) => r.id !== target.id);
          break;
        case 'edit':
          if (target) Object.assign(target, { value: m.value });
          break;
        case 'rekey':
          if (target && this.options.keyChanges) Object.assign(target, { keyIndex: this.nextFresh++ });
          break;
        case 'reid':
          // The same person under a new id (the old id leaves the source, its key stays).
          if (target) next = next.map((r) => (r === target ? { ...r, id: `r${this.nextId++}` } : r));
          break;
        case 'handover':
          // Its record moves to a fresh key while a new row arrives with its old key: both resolve to one destination record.
          if (target && this.options.keyChanges) {
            next.push({ id: `r${this.nextId++}`, keyIndex: target.keyIndex, value: m.value, groups: m.groups });
            Object.assign(target, { keyIndex: this.nextFresh++ });
          }
          break;
        case 'takeover': {
          // A row leaves while another row gets a new key and the leaving row's other values (an id reused for that person, or the other person's every value changed).
          const taker = next[m.other % Math.max(1, next.length)];
          if (target && taker && taker.id !== target.id && this.options.keyChanges) {
            next = next.filter((r) => r.id !== target.id);
            Object.assign(taker, { keyIndex: this.nextFresh++, looksIndex: target.looksIndex ?? target.keyIndex });
          }
          break;
        }
        case 'reborn':
          // A row leaves while a new id arrives with a fresh key and its other values (that person back under a new id and email, or someone else).
          if (target) {
            next = next.filter((r) => r.id !== target.id);
            next.push({ id: `r${this.nextId++}`, keyIndex: this.nextFresh++, looksIndex: target.looksIndex ?? target.keyIndex, value: target.value, groups: target.groups });
          }
          break;
        case 'reuse':
          // A row keeps its id and key but gets someone new's values, while a new id arrives with a fresh key and its old values (an id reused, its person back under a new id).
          if (target) {
            next.push({ id: `r${this.nextId++}`, keyIndex: this.nextFresh++, looksIndex: target.looksIndex ?? target.keyIndex, value: target.value, groups: target.groups });
            next = next.map((r) => (r === target ? { ...r, looksIndex: this.nextFresh++ } : r));
          }
          break;
        case 'assume': {
          // A row leaves while another row keeps its id and key but takes the leaving row's other values.
          const taker = next[m.other % Math.max(1, next.length)];
          if (target && taker && taker.id !== target.id) {
            next = next.filter((r) => r.id !== target.id).map((r) => (r === taker ? { ...r, looksIndex: target.looksIndex ?? target.keyIndex, value: target.value } : r));
          }
          break;
        }
        case 'swapLooks': {
          // Two rows keep their ids and keys but swap every other value (ids swapped where the key is the id itself).
          const other = next[m.other % Math.max(1, next.length)];
          if (target && other && other.id !== target.id) {
            const [a, b] = [{ looksIndex: target.looksIndex ?? target.keyIndex, value: target.value }, { looksIndex: other.looksIndex ?? other.keyIndex, value: other.value }];
            next = next.map((r) => (r === target ? { ...r, ...b } : r === other ? { ...r, ...a } : r));
          }
          break;
        }
        case 'swapEdit': {
          // As swapLooks, plus one ordinary edit: the first row's value becomes one neither row had (a swap the exact match misses).
          const other = next[m.other % Math.max(1, next.length)];
          if (target && other && other.id !== target.id) {
            const [a, b] = [{ looksIndex: target.looksIndex ?? target.keyIndex, value: target.value }, { looksIndex: other.looksIndex ?? other.keyIndex, value: other.value }];
            const edited = (['A', 'B', null] as const).find((v) => v !== a.value && v !== b.value) ?? null;
            next = next.map((r) => (r === target ? { ...r, ...b, value: edited } : r === other ? { ...r, ...a } : r));
          }
          break;
        }
        case 'copy':
          if (this.options.ambiguous) copies.push(m.pick);
          break;
        case 'toggle':
          if (target) Object.assign(target, { groups: target.groups.includes(m.group) ? target.groups.filter((g) => g !== m.group) : [...target.groups, m.group] });
          break;
        case 'duplicate': {
          const other = next[m.other % Math.max(1, next.length)];
          if (target && other && other.id !== target.id) duplicate = { id: target.id, keyIndex: other.keyIndex };
          break;
        }
      }
    }
    // Where a removed record's key stays taken (Intercom archives instead of deleting), or
    // keys cannot change (OneSignal's external_id), a row may only borrow the key of a row
    // still in the source (both then fail duplicate_match_key; otherwise it is a key change).
    if (duplicate && (this.options.reuseRemovedKeys === false || !this.options.keyChanges) && !next.some((r) => r.id !== duplicate?.id && r.keyIndex === duplicate?.keyIndex)) duplicate = undefined;
    const stepRows = duplicate ? next.map((r) => (r.id === duplicate?.id ? { ...r, keyIndex: duplicate.keyIndex } : r)) : next;
    return { next, stepRows, copies };
  }
}

/** Filler rows for step `s`: every one on its own seeded record, its value flipping each step (so each step updates them all). */
function fillerRows(count: number, s: number): RowSpec[] {
  return Array.from({ length: count }, (_, i) => ({ id: `f${i}`, keyIndex: FILLER_BASE + i, value: (s + i) % 2 === 0 ? 'A' : 'B', groups: [] }));
}

/**
 * Random histories: rows added, edited, removed, keys changed (to fresh keys) with stable
 * ids, ids changed with stable keys, a row's record moving to a new key while a new row
 * takes its old key (two rows resolving to one destination record), groups joined and left,
 * duplicate keys (for one run; a row borrowing a removed row's key moves it onto that
 * record's key), over 2–4 runs, with faults at rates of 5–20% of requests in about three
 * runs out of four. Removed ids never come back. Rows may point at seeded records (so
 * enrich has something to update) and, with `ambiguous`, at keys two or three seeded
 * records share; copies of synced records may appear between runs.
 */
export function historyArb(options: HistoryOptions): fc.Arbitrary<HistorySpec> {
  return fc
    .record({
      seededCount: fc.integer({ min: 1, max: 3 }),
      initial: fc.array(fc.record({ value: valueArb, groups: groupsArb, on: whereArb, pick: fc.nat() }), { minLength: 1, maxLength: 6 }),
      steps: fc.array(fc.record({ mutations: fc.array(mutationArb, { minLength: 1, maxLength: 4 }), faults: faultArb }), { minLength: 1, maxLength: 3 }),
      firstFaults: faultArb,
    })
    .map(({ seededCount, initial, steps, firstFaults }) => {
      const seeded = Array.from({ length: seededCount }, (_, i) => SEEDED_BASE + i);
      const builder = new HistoryBuilder(options, seeded);
      const filler = options.filler ?? 0;
      let rows: RowSpec[] = initial.map((r) => builder.newRow(r.value, r.groups, r.on, r.pick));
      const out: StepSpec[] = [{ rows: [...rows, ...fillerRows(filler, 0)], faults: firstFaults }];
      for (const step of steps) {
        const { next, stepRows, copies } = builder.step(rows, step.mutations);
        rows = next;
        out.push({ rows: [...stepRows, ...fillerRows(filler, out.length)], faults: step.faults, ...(copies.length > 0 ? { copies } : {}) });
      }
      return {
        seeded: [...seeded, ...Array.from({ length: filler }, (_, i) => FILLER_BASE + i)],
        ...(options.ambiguous ? { ambiguous: AMBIGUOUS_SEEDS } : {}),
        steps: out,
      };
    });
}

/**
 * Histories for the state-failure check: a random history (without network faults) whose
 * every run's state store refuses entry writes after 0–5 of them (a disk filling up at a
 * random point: before the write-ahead mark, between batches, at the end), each followed
 * by a repair run with a working store — except, half the time, the last: the source then
 * loses rows before the next run, which must reconcile what the failed run sent but could
 * not record. The last run (store working) drops every other row: in sync mode the sync
 * must still own, and delete, what the failed runs created.
 */
export function stateFaultHistoryArb(options: HistoryOptions): fc.Arbitrary<HistorySpec> {
  return fc.tuple(historyArb(options), fc.array(fc.nat({ max: 5 }), { minLength: 4, maxLength: 4 }), fc.boolean()).map(([history, fails, repairLast]) => {
    const steps: StepSpec[] = history.steps.map((step, i) => ({
      ...step,
      faults: [],
      stateFailsAfter: fails[i] ?? 0,
      ...(i === history.steps.length - 1 && !repairLast ? { repair: false } : {}),
    }));
    const last = history.steps[history.steps.length - 1]?.rows ?? [];
    const flip = (r: RowSpec): RowSpec => ({ ...r, value: r.value === 'A' ? 'B' : 'A' });
    // A row that borrowed another's key for the last run (duplicate_match_key) would keep it here
    // once the other is dropped: a key change, which a destination whose keys cannot change
    // (OneSignal's external_id) or stay taken must not get. Such rows leave instead.
    const shared = new Set(last.filter((r, i) => last.findIndex((o) => o.keyIndex === r.keyIndex) !== i).map((r) => r.keyIndex));
    const fixedKeys = !options.keyChanges || options.reuseRemovedKeys === false;
    const kept = last.filter((r, i) => (r.id.startsWith('f') || i % 2 === 0) && !(fixedKeys && shared.has(r.keyIndex)));
    steps.push({ rows: kept.map((r) => (r.id.startsWith('f') ? flip(r) : r)), faults: [] });
    return { ...history, steps };
  });
}
