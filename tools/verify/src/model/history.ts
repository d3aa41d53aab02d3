import fc from 'fast-check';
import type { FaultRule } from '@syncmodes/connector-kit/emulator';

/** One logical source record in a history step. */
export interface RowSpec {
  /** Stable record id (`r<n>`). */
  readonly id: string;
  /** Which harness record provides its key and base properties (see `buildRecord`). */
  readonly keyIndex: number;
  /** The clearable property: a value or empty. */
  readonly value: 'A' | 'B' | null;
  readonly groups: readonly ('alpha' | 'beta')[];
}

/** A step: the source of one run, and the faults injected into its first attempt. */
export interface StepSpec {
  readonly rows: readonly RowSpec[];
  readonly faults: readonly FaultRule[];
}

/** A scenario: seeded foreign records, then runs. */
export interface HistorySpec {
  /** A name for reports (random histories are named by their seed). */
  readonly label?: string | undefined;
  /** Key indexes of records made by people or other tools before the first run. */
  readonly seeded: readonly number[];
  readonly steps: readonly StepSpec[];
}

/** First key index of seeded records; sync-made keys are below, fresh keys above. */
export const SEEDED_BASE = 100;
const FRESH_BASE = 200;

type Mutation =
  | { kind: 'add'; value: RowSpec['value']; groups: RowSpec['groups']; onSeeded: boolean }
  | { kind: 'remove'; pick: number }
  | { kind: 'edit'; pick: number; value: RowSpec['value'] }
  | { kind: 'rekey'; pick: number }
  | { kind: 'toggle'; pick: number; group: 'alpha' | 'beta' }
  | { kind: 'duplicate'; pick: number; other: number };

const valueArb = fc.constantFrom<RowSpec['value']>('A', 'B', null);
const groupsArb = fc.subarray<'alpha' | 'beta'>(['alpha', 'beta']);
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
  fc.record({ kind: fc.constant('add' as const), value: valueArb, groups: groupsArb, onSeeded: fc.boolean() }),
  fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('edit' as const), pick: fc.nat(), value: valueArb }),
  fc.record({ kind: fc.constant('rekey' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('toggle' as const), pick: fc.nat(), group: fc.constantFrom<'alpha' | 'beta'>('alpha', 'beta') }),
  fc.record({ kind: fc.constant('duplicate' as const), pick: fc.nat(), other: fc.nat() }),
);

/**
 * Random histories: rows added, edited, removed, keys changed (to fresh keys), groups
 * joined and left, duplicate keys (for one run; a row borrowing a removed row's key moves
 * it onto that record's key), over 2–4 runs, with faults at rates of
 * 5–20% of requests in about three runs out of four. Removed ids never come back. Rows may
 * point at seeded records (so enrich has something to update).
 */
export function historyArb(options: { keyChanges: boolean; reuseRemovedKeys?: boolean }): fc.Arbitrary<HistorySpec> {
  return fc
    .record({
      seededCount: fc.integer({ min: 1, max: 3 }),
      initial: fc.array(fc.record({ value: valueArb, groups: groupsArb, onSeeded: fc.boolean() }), { minLength: 1, maxLength: 6 }),
      steps: fc.array(fc.record({ mutations: fc.array(mutationArb, { minLength: 1, maxLength: 4 }), faults: faultArb }), { minLength: 1, maxLength: 3 }),
      firstFaults: faultArb,
    })
    .map(({ seededCount, initial, steps, firstFaults }) => {
      const seeded = Array.from({ length: seededCount }, (_, i) => SEEDED_BASE + i);
      let nextId = 0;
      let nextFresh = FRESH_BASE;
      const usedSeeded = new Set<number>();
      const keyFor = (onSeeded: boolean) => {
        const free = seeded.find((k) => !usedSeeded.has(k));
        if (onSeeded && free !== undefined) {
          usedSeeded.add(free);
          return free;
        }
        return nextId;
      };
      let rows: RowSpec[] = initial.map((r) => {
        const keyIndex = keyFor(r.onSeeded);
        return { id: `r${nextId++}`, keyIndex, value: r.value, groups: r.groups };
      });
      const out: StepSpec[] = [{ rows, faults: firstFaults }];
      for (const step of steps) {
        let next = rows.map((r) => ({ ...r }));
        let duplicate: { id: string; keyIndex: number } | undefined;
        for (const m of step.mutations) {
          const target = next.length > 0 ? next[m.kind === 'add' ? 0 : (m as { pick: number }).pick % next.length] : undefined;
          switch (m.kind) {
            case 'add': {
              const keyIndex = keyFor(m.onSeeded);
              next.push({ id: `r${nextId}`, keyIndex: keyIndex === nextId ? nextId : keyIndex, value: m.value, groups: m.groups });
              nextId++;
              break;
            }
            case 'remove':
              if (target && next.length > 1) next = next.filter((r) => r.id !== target.id);
              break;
            case 'edit':
              if (target) Object.assign(target, { value: m.value });
              break;
            case 'rekey':
              if (target && options.keyChanges) Object.assign(target, { keyIndex: nextFresh++ });
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
        rows = next;
        // Where a removed record's key stays taken (Intercom archives instead of deleting),
        // a row may only borrow the key of a row still in the source.
        if (duplicate && options.reuseRemovedKeys === false && !next.some((r) => r.id !== duplicate?.id && r.keyIndex === duplicate?.keyIndex)) duplicate = undefined;
        const stepRows = duplicate ? next.map((r) => (r.id === duplicate?.id ? { ...r, keyIndex: duplicate.keyIndex } : r)) : next;
        out.push({ rows: stepRows, faults: step.faults });
      }
      return { seeded, steps: out };
    });
}
