import type { FoundRecord, LookupRequest } from '../../destination/verbs';
import { isRunStopping, type SyncError } from '../../errors/sync-error';
import { toSyncError } from '../../errors/to-sync-error';
import type { RecordRunContext } from '../run/run-context';

/** What one lookup batch came to: the records found, by request `ref`, and the requests whose lookup failed, with the error. */
export interface FindOutcome {
  readonly found: ReadonlyMap<number, readonly FoundRecord[]>;
  readonly failed: ReadonlyMap<number, SyncError>;
}

/** A part of the batch whose lookup failed, with its error. */
interface Failing {
  readonly requests: readonly LookupRequest[];
  readonly error: SyncError;
}

/** One call's answer: found, failed with an error, or the run is stopping. */
type Attempt = { readonly found: ReadonlyMap<number, readonly FoundRecord[]> } | { readonly error: SyncError } | undefined;

/**
 * Up to this many records (records), a refused batch is always split down to the bad records;
 * a larger one none of whose parts was answered yet, every part of a level of
 * {@link WHOLE_LEVEL} parts failing with the same error, is refused whole (a refusal of every
 * key, which would otherwise cost a call per record).
 */
const SPLIT_ALWAYS = 16;

/** The parts of a level at which a refusal of every part is taken for the batch's: eighths, after 1 + 2 + 4 + 8 = 15 calls. */
const WHOLE_LEVEL = 8;

/**
 * Looks one batch up through the run's `Caller` (paced, retried, counted). A batch refused as a
 * whole (an error that is not retryable: a 400 answering one bad key) is split in halves, level
 * by level, and only the parts that fail are split again, so only the bad records' lookups fail,
 * as a write batch's are (`sendBatch`): one OneSignal user whose view answered 400 failed the
 * nine looked up beside it, on every run (fresh trial 140, F1). A part failing with a retryable
 * error fails retryable, but for a destination whose lookup call is a request per record
 * (`DestinationLimits.lookupPerRecord`), where it is split as a refusal is; the same error on every part of a level of {@link WHOLE_LEVEL}, no part
 * answered yet, over {@link SPLIT_ALWAYS} records, and on three records looked up alone (a
 * {@link probe}), is the batch's: 18 calls, not one per record. Returns undefined
 * when the run is stopping (nothing is failed then: the records stay unsent).
 */
export async function findSplitting(ctx: RecordRunContext, batch: readonly LookupRequest[]): Promise<FindOutcome | undefined> {
  const first = await attempt(ctx, batch);
  if (first === undefined) return undefined;
  if ('found' in first) return { found: first.found, failed: new Map() };
  const found = new Map<number, readonly FoundRecord[]>();
  const failed = new Map<number, SyncError>();
  const fail = (part: Failing) => part.requests.forEach((r) => failed.set(r.ref, part.error));
  // A call of one request per record, failing retryably: which read failed cannot be told, so it is split too (fresh trial 153, F3).
  const perRecord = ctx.limits.lookupPerRecord === true;
  let failing: Failing[] = [{ requests: batch, error: first.error }];
  let answered = false;
  while (failing.length > 0) {
    let again: LookupRequest[][] = [];
    // Once any part of the batch answered, it is no outage: failing parts are split without probes.
    if (perRecord && !answered) {
      const probed = await probeRetryable(ctx, failing, found, fail);
      if (probed === undefined) return undefined;
      ({ failing, again } = probed);
      if (again.length > 0) answered = true;
    }
    const parts = [...again, ...failing.flatMap((part) => ((part.error.retryable && !perRecord) || part.requests.length === 1 ? (fail(part), []) : halves(part.requests)))];
    if (parts.length === 0) break;
    const tries = await Promise.all(parts.map((part) => attempt(ctx, part)));
    if (tries.some((t) => t === undefined)) return undefined;
    failing = [];
    tries.forEach((t, i) => {
      if (t !== undefined && 'found' in t) {
        answered = true;
        for (const [ref, records] of t.found) found.set(ref, records);
      }
      else if (t !== undefined) failing.push({ requests: parts[i] as readonly LookupRequest[], error: t.error });
    });
    if (!answered && refusedWhole(batch, parts.length, failing)) {
      const probed = await probe(ctx, failing);
      if (probed === undefined) return undefined;
      if (probed) failing.splice(0).forEach(fail);
      else answered = true;
    }
  }
  return { found, failed };
}

/**
 * For a lookup call of one request per record, while no part of the batch has answered: each
 * part failing retryably has its first record looked up alone, then its middle, then its
 * last. All failing, the part fails whole (an outage: a 503 on every read was split down to
 * single records, about 15 times the reads: fresh reviewer 155, F4); one answered, the rest
 * of the part is split, and so is every later failing part of the batch, without probes (two
 * bad records at a part's ends failed the good ones between: fresh reviewer 156, F1). Parts refused (not retryable) go on as they are. Returns
 * the parts left to split (`failing`) and those to look up again (`again`), or undefined when
 * the run is stopping.
 */
async function probeRetryable(ctx: RecordRunContext, failing: readonly Failing[], found: Map<number, readonly FoundRecord[]>, fail: (part: Failing) => void): Promise<{ failing: Failing[]; again: LookupRequest[][] } | undefined> {
  const left: Failing[] = [];
  const again: LookupRequest[][] = [];
  for (const part of failing) {
    if (!part.error.retryable || part.requests.length === 1) {
      left.push(part);
      continue;
    }
    // Its first record alone, then its middle, then its last: all failing is an outage (two bad records fail two of them).
    const at = [0, Math.floor(part.requests.length / 2), part.requests.length - 1];
    const ends = [...new Set(at)].map((i) => part.requests[i] as LookupRequest);
    const answered: LookupRequest[] = [];
    for (const alone of ends) {
      const t = await attempt(ctx, [alone]);
      if (t === undefined) return undefined;
      if ('error' in t) continue;
      for (const [ref, records] of t.found) found.set(ref, records);
      answered.push(alone);
      break;
    }
    if (answered.length === 0) {
      fail(part);
      continue;
    }
    const rest = part.requests.filter((r) => !answered.includes(r));
    again.push(...(rest.length > 1 ? halves(rest) : [rest]));
  }
  return { failing: left, again };
}

/** True when every part of a level of {@link WHOLE_LEVEL} or more failed with the same error, the batch over {@link SPLIT_ALWAYS} records. */
function refusedWhole(batch: readonly LookupRequest[], parts: number, failing: readonly Failing[]): boolean {
  if (batch.length <= SPLIT_ALWAYS || parts < WHOLE_LEVEL || failing.length < parts) return false;
  const [one] = failing;
  return failing.every((f) => f.error.code === one?.error.code && f.error.message === one.error.message && !f.error.retryable);
}

/**
 * Whether a refusal that looks like the batch's is: one record of the first, middle and last
 * failing parts looked up alone, all refused alike (a record answered: several bad keys,
 * spread one to each part, which split further; fresh reviewer 143, F1: eight bad keys among
 * 200 failed all 200). Undefined when the run is stopping.
 */
async function probe(ctx: RecordRunContext, failing: readonly Failing[]): Promise<boolean | undefined> {
  const picks = [...new Set([0, Math.floor(failing.length / 2), failing.length - 1])].map((i) => failing[i] as Failing);
  const tries = await Promise.all(picks.map((part) => attempt(ctx, [part.requests[part.requests.length - 1] as LookupRequest])));
  if (tries.some((t) => t === undefined)) return undefined;
  const [one] = failing;
  return tries.every((t) => t !== undefined && 'error' in t && t.error.code === one?.error.code && t.error.message === one.error.message);
}

function halves(requests: readonly LookupRequest[]): LookupRequest[][] {
  const mid = Math.ceil(requests.length / 2);
  return [requests.slice(0, mid), requests.slice(mid)];
}

async function attempt(ctx: RecordRunContext, batch: readonly LookupRequest[]): Promise<Attempt> {
  try {
    return { found: await ctx.caller.call('find', () => ctx.destination.verbs.find(ctx.verbs, batch)) };
  } catch (thrown) {
    const error = toSyncError(thrown);
    return isRunStopping(error) ? undefined : { error };
  }
}
