import { Connection, OAuth2 } from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SalesforceApi } from '../src/client/salesforce-api';
import { EMULATOR_ACCESS_TOKEN } from '../src/emulator/index';
import { startEmulator } from './salesforce-harness';

/**
 * Why the connector sends Bulk API 2.0 and the token refresh as its own calls (through
 * jsforce's `Connection#request` and transport) instead of jsforce's `conn.bulk2` and
 * `OAuth2#refreshToken`: each test shows, against the emulator, one guarantee jsforce 3.10.16
 * cannot give there — and that the connector's path gives it. See the header of
 * src/client/bulk-api.ts.
 */
const JOB = '^/services/data/v62.0/jobs/ingest/[^/]+$';

describe('what jsforce bulk2 and OAuth2 cannot be told (the reasons for our own calls)', () => {
  let env: Awaited<ReturnType<typeof startEmulator>>;
  let conn: Connection;
  const api = (timeoutMs = 30_000) => new SalesforceApi({ instanceUrl: env.url, accessToken: EMULATOR_ACCESS_TOKEN, apiVersion: '62.0', timeoutMs });
  const jobRequests = () => env.emulator.requests.filter((e) => new RegExp(JOB).test(e.path) && e.method === 'GET');

  beforeEach(async () => {
    env = await startEmulator();
    conn = new Connection({ instanceUrl: env.url, accessToken: EMULATOR_ACCESS_TOKEN, version: '62.0' });
  });
  afterEach(async () => {
    await env.emulator.stop();
  });

  const closedJob = async () => {
    const job = conn.bulk2.createJob({ object: 'Contact', operation: 'insert' });
    await job.open();
    await job.uploadData('LastName,Email\nAda,ada@example.com\n');
    await job.close();
    env.emulator.clearRequests();
    return job;
  };

  it('bulk2 retries a poll answered 503 on its own (3 requests for one check); our request is one request, retried by the kit', async () => {
    const job = await closedJob();
    env.emulator.setFaults([{ kind: 'server_error', method: 'GET', path: JOB, times: 2 }]);
    await job.check();
    expect(jobRequests().map((e) => e.status)).toEqual([503, 503, 200]);

    env.emulator.clearRequests();
    env.emulator.setFaults([{ kind: 'server_error', method: 'GET', path: JOB, times: 1 }]);
    await expect(api().request({ method: 'GET', url: `/services/data/v62.0/jobs/ingest/${job.id}` })).rejects.toMatchObject({ code: 'server_error', retryable: true });
    expect(jobRequests().map((e) => e.status)).toEqual([503]);
  });

  it('bulk2 requests have no timeout of ours: a hung poll holds until the server cuts it (then jsforce retries); ours is cut at the timeout', async () => {
    const job = await closedJob();
    env.emulator.setFaults([{ kind: 'timeout', method: 'GET', path: JOB, times: 1, latencyMs: 2_000 }]);
    const started = Date.now();
    await job.check();
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(jobRequests()).toHaveLength(2);

    env.emulator.setFaults([{ kind: 'timeout', method: 'GET', path: JOB, times: 1, latencyMs: 60_000 }]);
    const ours = Date.now();
    await expect(api(300).request({ method: 'GET', url: `/services/data/v62.0/jobs/ingest/${job.id}` })).rejects.toMatchObject({ code: 'timeout', retryable: true });
    expect(Date.now() - ours).toBeLessThan(60_000);
  });

  it('loadAndWaitForResults deletes a job whose close answer was lost: its records are written but its results can never be read', async () => {
    env.emulator.setFaults([{ kind: 'lost_response', method: 'PATCH', path: JOB, times: 1 }]);
    await expect(
      conn.bulk2.loadAndWaitForResults({ object: 'Contact', operation: 'insert', input: [{ LastName: 'Ada', Email: 'ada@example.com' }] }),
    ).rejects.toThrow();
    // jsforce fires the delete without waiting for it.
    for (let i = 0; i < 200 && !env.emulator.requests.some((e) => e.method === 'DELETE'); i++) await new Promise((r) => setTimeout(r, 10));
    const deleted = env.emulator.requests.find((e) => e.method === 'DELETE' && new RegExp(JOB).test(e.path));
    expect(deleted?.status).toBe(204);
    for (let i = 0; i < 200 && env.emulator.org.all('Contact').length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(env.emulator.org.all('Contact')).toHaveLength(1);
    await expect(api().request({ method: 'GET', url: deleted?.path as string })).rejects.toMatchObject({ code: 'not_found' });
  });

  it("OAuth2#refreshToken has no timeout: a hung token endpoint holds it; the connector's refresh is cut at its timeout and stops the run", async () => {
    await env.emulator.stop();
    env = await startEmulator({ refreshToken: 'refresh-me', clientId: 'app-key', expireTokenAfterCalls: 0 });
    const TOKEN = '^/services/oauth2/token$';
    env.emulator.setFaults([{ kind: 'timeout', method: 'POST', path: TOKEN, times: 1, latencyMs: 2_000 }]);
    const started = Date.now();
    await expect(new OAuth2({ loginUrl: env.url, clientId: 'app-key' }).refreshToken('refresh-me')).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);

    env.emulator.setFaults([{ kind: 'timeout', method: 'POST', path: TOKEN, times: 1, latencyMs: 60_000 }]);
    const ours = new SalesforceApi({
      instanceUrl: env.url,
      accessToken: 'expired',
      apiVersion: '62.0',
      timeoutMs: 300,
      refresh: { refreshToken: 'refresh-me', clientId: 'app-key', loginUrl: env.url },
    });
    const mine = Date.now();
    await expect(ours.describe('Contact')).rejects.toMatchObject({ code: 'authentication_failed' });
    expect(Date.now() - mine).toBeLessThan(60_000);
  });
});
