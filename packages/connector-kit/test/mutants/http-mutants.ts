import { RetryableError, SyncError } from '../../src/index';
import { tinyCall, tinyVerbs, type TinyCall } from '../tiny/tiny-destination';
import { callMapping, declared, mutate, type Mutant } from './mutant';

/** A connector that resends a request on its own, up to 3 times, when the connection fails (an SDK's own retries left on). */
const resendOnNetworkFailure: TinyCall = async (config, method, path, body) => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await tinyCall(config, method, path, body);
    } catch (error) {
      if (error instanceof SyncError || attempt > 3) throw error;
    }
  }
};

/** Mutants in how HTTP answers become the kit's errors. */
export const HTTP_MUTANTS: readonly Mutant[] = [
  {
    name: 'auth-as-record-failure',
    breaks: 'a 401 fails the records of that call (a plain SyncError) instead of stopping the run: every later call is sent and refused too',
    caughtBy: { check: 'auth-mid-run' },
    destination: mutate({
      verbs: tinyVerbs(callMapping((a) => (a.status === 401 ? new SyncError('unauthorized', 'token refused') : undefined))),
      codes: { unauthorized: declared('The token was refused.') },
    }),
  },
  {
    name: 'auth-swallowed-in-lookup',
    breaks: 'a 401 on the lookup is read as "nothing found": enrich skips everyone as not_found and the run completes',
    caughtBy: { check: 'auth-refused', modes: ['enrich'] },
    destination: mutate({ verbs: { find: tinyVerbs(callMapping((a) => (a.status === 401 ? { records: [] } : undefined))).find } }),
  },
  {
    name: 'rate-limit-as-failure',
    breaks: 'a 429 fails the records (a plain SyncError) instead of being a RateLimitError the kit waits for',
    caughtBy: { check: 'retries-faults' },
    destination: mutate({
      verbs: tinyVerbs(callMapping((a) => (a.status === 429 ? new SyncError('too_many_requests', 'slow down') : undefined))),
      codes: { too_many_requests: declared('The API asked to slow down.') },
    }),
  },
  {
    name: 'rate-limit-as-server-error',
    breaks: 'a 429 is a RetryableError: retried after the kit’s short backoff, ignoring Retry-After and never holding the other calls',
    caughtBy: { check: 'retries-faults' },
    destination: mutate({ verbs: tinyVerbs(callMapping((a) => (a.status === 429 ? new RetryableError('server_error', 'HTTP 429') : undefined))) }),
  },
  {
    name: 'server-error-as-record-failure',
    breaks: 'a 5xx is a non-retryable failure: a record alone in its write fails instead of being retried',
    caughtBy: { check: 'server-error-one-record' },
    destination: mutate({ verbs: tinyVerbs(callMapping((a) => (a.status >= 500 ? new SyncError('server_error', `HTTP ${a.status}`) : undefined))) }),
  },
  {
    name: 'create-resent-by-connector',
    breaks: 'the connector resends a create itself when the connection drops: after a lost answer the record is created twice',
    caughtBy: { check: 'retries-faults', modes: ['sync', 'additive'] },
    destination: mutate({ verbs: { create: tinyVerbs(resendOnNetworkFailure).create } }),
    emulator: { uniqueKeys: false },
  },
];
