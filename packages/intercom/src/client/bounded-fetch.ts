import { answerTooLarge, maxAnswerBytes } from '@syncmodes/connector-kit';

/** Statuses whose answer has no body (`new Response` refuses one for them). */
const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * `fetch` for the Intercom SDK (its `fetch` option) whose answers are read at most
 * `maxAnswerBytes()` bytes (decompressed): past that the body fails with
 * `unexpected_response` — an endless answer, or a gzip bomb, aborted Node with no summary and
 * no report (second trial of stop 32). `tooLarge` is called when that happens, as the SDK
 * reports a failed body as an unknown error.
 */
export function boundedFetch(tooLarge: () => void): typeof fetch {
  return async (input, init) => {
    const answer = await fetch(input, init);
    if (!answer.body || NO_BODY.has(answer.status)) return answer;
    const limit = maxAnswerBytes();
    let size = 0;
    const counted = answer.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          size += chunk.byteLength;
          if (size <= limit) return controller.enqueue(chunk);
          tooLarge();
          controller.error(answerTooLarge('Intercom', limit));
        },
      }),
    );
    return new Response(counted, { status: answer.status, statusText: answer.statusText, headers: answer.headers });
  };
}
