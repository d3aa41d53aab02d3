import type { Middleware, RequestContext, ResponseContext } from '@onesignal/node-onesignal';

/**
 * Keeps the raw text of error responses. The SDK deserialises error bodies into its own
 * models and drops fields they do not know; the connector needs details such as the
 * rate-limit `limit` name, so it reads the raw body through an SDK middleware (no change
 * to the SDK). Bodies are keyed by the response's headers object, which the SDK hands on
 * to `ApiException.headers`.
 */
export class RawBodies {
  private readonly bodies = new WeakMap<object, string>();

  /** The SDK middleware that records error bodies (status ≥ 400). */
  readonly middleware: Middleware = {
    pre: async (context: RequestContext) => context,
    post: async (context: ResponseContext) => {
      if (context.httpStatusCode < 400) return context;
      const text = await context.body.text();
      this.bodies.set(context.headers, text);
      context.body = { text: async () => text, binary: async () => Buffer.from(text) };
      return context;
    },
  };

  /** The raw body of the error response whose headers are `headers`, if recorded. */
  of(headers: object | undefined): string | undefined {
    return headers ? this.bodies.get(headers) : undefined;
  }
}
