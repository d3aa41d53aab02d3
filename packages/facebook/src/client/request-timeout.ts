import { createRequire } from 'node:module';
import type { AxiosStatic } from 'axios';
import { maxAnswerBytes } from '@syncmodes/connector-kit';

/**
 * The axios the SDK itself loads: its CommonJS build, required from the SDK's own location
 * (an ESM `import` would give a second axios instance, whose interceptors the SDK never sees).
 */
function sdkAxios(): AxiosStatic {
  const here = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
  return createRequire(here.resolve('facebook-nodejs-business-sdk'))('axios') as AxiosStatic;
}

/**
 * Gives every SDK request to `target` a timeout that also closes its socket. The official
 * SDK sends through axios's shared instance and takes no per-request options, so a
 * timed-out call used to leave its socket open (and a server that never answers kept the
 * process alive after the run). An axios request interceptor, limited to URLs under
 * `target` and removed by the returned function, sets axios's own `timeout` (the request is
 * destroyed when it fires) and an abort signal of the same length, which also follows
 * `signal` (the run's: it aborts when the run abandons its calls in flight after an
 * interrupt, or ends, so an abandoned request closes its socket too).
 * https://axios-http.com/docs/req_config (`timeout`, `signal`)
 *
 * @param target - base URL of the Graph API (or the emulator), no trailing slash.
 * @param ms - the timeout, ms.
 * @param signal - cancels every request still in flight when it aborts.
 * @param onTooLarge - called when an answer passed `maxAnswerBytes()` (axios's `maxContentLength`, also set here).
 * @returns a function that removes the interceptor (called on disconnect).
 */
export function timeoutRequestsTo(target: string, ms: number, signal?: AbortSignal, onTooLarge?: () => void): () => void {
  const axios = sdkAxios();
  const under = (config: { baseURL?: string | undefined; url?: string | undefined }) => `${config.baseURL && !/^https?:/.test(config.url ?? '') ? config.baseURL : ''}${config.url ?? ''}`.startsWith(target);
  const id = axios.interceptors.request.use((config) => {
    if (!under(config)) return config;
    config.timeout = ms;
    // Bounded answers (decompressed): a gzip bomb aborted Node with no summary (second trial of stop 32).
    config.maxContentLength = maxAnswerBytes();
    config.signal ??= signal ? AbortSignal.any([AbortSignal.timeout(ms), signal]) : AbortSignal.timeout(ms);
    return config;
  });
  // The SDK reports an answer cut at maxContentLength as "no response was received": told apart here.
  const tooLarge = axios.interceptors.response.use(undefined, (error: { message?: string; config?: { baseURL?: string; url?: string } }) => {
    if (error.config && under(error.config) && /maxContentLength size of/.test(error.message ?? '')) onTooLarge?.();
    return Promise.reject(error);
  });
  return () => {
    axios.interceptors.request.eject(id);
    axios.interceptors.response.eject(tooLarge);
  };
}
