import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

/** What `http.request` needs of an agent: jsforce's proxy agent, or Node's global one. */
type AnyAgent = http.Agent & { addRequest(req: http.ClientRequest, options: object): void };

/**
 * The error an answer fails with when the server closed the connection before the body its
 * headers announced had ended: `ECONNRESET`, which the kit reads as a retryable `network_error`.
 */
export function cutAnswerError(method: string, url: string): Error {
  return Object.assign(new Error(`Salesforce closed the connection before the answer to ${method.toUpperCase()} ${new URL(url).pathname} had ended.`), { code: 'ECONNRESET' });
}

/**
 * An agent for one request that sends it through `base` (same sockets, same keep-alive) and
 * calls `onCut` when the answer's connection closes before its body ended
 * (`IncomingMessage.complete` false at `close`). node-fetch 2, which jsforce's transport
 * uses, pipes the answer into its body stream and leaves that stream open forever in this
 * case (it only checks chunked answers), so the call waited for its deadline (trial 19b F7:
 * 122 s for 20 rows with a 120 s timeout, the server had closed at once).
 */
export function watchedAgent(url: string, base: http.Agent | undefined, onCut: () => void): http.Agent {
  const agent = (base ?? (new URL(url).protocol === 'https:' ? https.globalAgent : http.globalAgent)) as AnyAgent;
  const watched = Object.create(agent) as AnyAgent;
  watched.addRequest = (req, options) => {
    req.once('response', (res: IncomingMessage) => res.once('close', () => res.complete || onCut()));
    agent.addRequest(req, options);
  };
  return watched;
}
