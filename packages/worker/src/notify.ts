import { redactText, type Logger, type RunRecord } from '@syncmodes/connector-kit';

/** What a notification says about a run (JSON body of the POST): never credentials, never records' data. */
export interface RunNotification {
  readonly event: 'run_failed' | 'run_refused' | 'run_stopped';
  readonly runId: string;
  readonly sync: string;
  readonly syncId: string;
  readonly destination: string;
  readonly mode: string;
  readonly status: string;
  readonly reason?: { readonly code: string; readonly message: string } | undefined;
  /** Whether the queue will run it again (a retryable stop on a run with retries left). */
  readonly willRetry: boolean;
  readonly counts: RunRecord['counts'];
  readonly worker?: string | undefined;
  readonly jobId?: string | undefined;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly finishedAt?: string | undefined;
}

/** The notification of a run that did not complete. */
export function notificationOf(run: RunRecord, willRetry: boolean): RunNotification {
  const event = run.status === 'refused' ? 'run_refused' : run.status === 'failed' ? 'run_failed' : 'run_stopped';
  return {
    event,
    runId: run.runId,
    sync: run.syncName,
    syncId: run.syncId,
    destination: run.destination,
    mode: run.mode,
    status: run.status,
    ...(run.reason ? { reason: { code: run.reason.code, message: run.reason.message } } : {}),
    willRetry,
    counts: run.counts,
    ...(run.worker ? { worker: run.worker } : {}),
    ...(run.jobId ? { jobId: run.jobId } : {}),
    startedAt: new Date(run.startedAt).toISOString(),
    ...(run.finishedAt !== undefined ? { finishedAt: new Date(run.finishedAt).toISOString() } : {}),
  };
}

/**
 * POSTs `notification` as JSON to `url` (10 s timeout), scrubbed of `secrets`. A failure to
 * deliver is logged and never fails the run. Resolves with the HTTP status, or undefined.
 */
export async function postNotification(url: string, notification: RunNotification, secrets: readonly string[], logger: Logger): Promise<number | undefined> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'syncmodes-worker' },
      body: redactText(JSON.stringify(notification), secrets),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) logger.warn('the run notification was refused', { status: response.status });
    return response.status;
  } catch (error) {
    logger.warn('could not deliver the run notification', { message: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}
