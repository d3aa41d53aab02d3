import { isRunStopping, SyncError, toSyncError, type ItemResult } from '@syncmodes/connector-kit';

/**
 * The code of an answer that is not Graph's (no `num_received`: a proxy's or front end's
 * page) — thrown by the users verbs' answer check, retryable.
 */
export const UNREADABLE_ANSWER = 'unexpected_response';

/** An answer to a users request that carries no `num_received` at all (an HTML page, another shape). */
export class UnreadableAnswerError extends SyncError {
  constructor(message: string) {
    super(UNREADABLE_ANSWER, message, { status: 200, retryable: true });
  }
}

/**
 * Whether a removal got no answer from Graph itself: the connection was cut (reset, closed
 * without a response: `network_error`) or the answer was not Graph's JSON
 * ({@link UnreadableAnswerError}). That is how Meta's front end answers a `DELETE …/users`
 * whose query string (the payload) is too long, far below what the request line allows:
 * "Remote end closed connection without response" from 300 rows while 250 work
 * (https://github.com/facebook/facebook-python-business-sdk/issues/717), broken pipes
 * (https://github.com/facebook/facebook-python-business-sdk/issues/367 — fine below about
 * 2,000 rows of one key), an HTML page read as JSON
 * (https://github.com/facebook/facebook-nodejs-business-sdk/issues/56). Resending the same
 * request fails the same way; a smaller one goes through.
 */
export function answerLost(error: unknown): boolean {
  return error instanceof UnreadableAnswerError || (error instanceof SyncError && error.code === 'network_error');
}

/** Sends one removal request for `rows` (indices); sets their results, or throws what the kit must handle. */
export type SendRemoval = (rows: readonly number[]) => Promise<void>;

/** What one verb call's halving has seen so far (see {@link removeHalving}). */
interface Progress {
  /** Whether Graph answered any request of the call. */
  answered: boolean;
  /** Requests of one person that got no answer. */
  lostAlone: number;
  /** The last of them. */
  lost?: unknown;
}

/**
 * People alone whose removal got no answer, while nothing else went through, after which
 * Facebook is taken for not answering at all (an outage, not a long query string).
 */
const LOST_ALONE_LIMIT = 2;

/**
 * Sends a removal of `rows` through `send`; when it got no answer from Graph
 * ({@link answerLost}), sends it again as two halves, each halved again the same way, down
 * to one row — so every person is removed or fails alone instead of the whole chunk failing
 * `network_error` after identical retries. A part that fails otherwise (or one row whose
 * answer is lost) sets its own rows' `results` to that failure (the kit retries the
 * retryable ones, row by row); only a run-stopping error, or a failure of the whole chunk
 * before any split, is thrown (the kit retries the chunk as before). When two people alone
 * got no answer and no request of the call was answered, Facebook is not answering at all:
 * the parts not yet sent fail with that error (retryable) without being sent, so an outage
 * costs about log2(rows) + 2 requests, not 2 × rows.
 *
 * Sending a half again after a lost answer is safe: Meta removes by identifying values and
 * a removal of someone no longer in the audience changes nothing (it is counted in
 * `num_received`, not as an invalid entry), so a row the first, cut request already applied
 * is answered removed, and a row counts as removed only when Graph's answer for a request
 * holding it said so.
 * https://developers.facebook.com/docs/marketing-api/reference/custom-audience/users
 *
 * @param onHalve called before a request of `people` rows is sent again as halves (for the log).
 */
export async function removeHalving(rows: readonly number[], send: SendRemoval, results: ItemResult[], onHalve: (people: number) => void, progress: Progress = { answered: false, lostAlone: 0 }): Promise<void> {
  if (!progress.answered && progress.lostAlone >= LOST_ALONE_LIMIT) throw progress.lost;
  try {
    await send(rows);
    progress.answered = true;
  } catch (error) {
    if (!answerLost(error)) throw error;
    if (rows.length < 2) {
      progress.lostAlone++;
      progress.lost = error;
      throw error;
    }
    onHalve(rows.length);
    const mid = Math.ceil(rows.length / 2);
    for (const half of [rows.slice(0, mid), rows.slice(mid)]) await sendHalf(half, send, results, onHalve, progress);
  }
}

/** One half of a removal that got no answer: its failure (unless it stops the run) becomes its rows' results. */
async function sendHalf(half: readonly number[], send: SendRemoval, results: ItemResult[], onHalve: (people: number) => void, progress: Progress): Promise<void> {
  try {
    await removeHalving(half, send, results, onHalve, progress);
  } catch (failed) {
    if (isRunStopping(failed)) throw failed;
    const error = toSyncError(failed);
    for (const i of half) results[i] = { ok: false, error };
  }
}
