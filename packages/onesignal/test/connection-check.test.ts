import { checkDestination } from '@syncmodes/connector-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { CONNECTION_CHECK_EXTERNAL_ID, onesignalDestination } from '../src/index';
import { startEmulator } from './onesignal-harness';

/**
 * `check` (and every run's `connect`) proves the REST API key and the app id with one
 * view-user read: 404 (or 200) = accepted, 401/403 = `authentication_failed`, no answer =
 * the kit's \`network_error\` (exit 3 from the CLI). Before, `connect` only built the SDK client, and `check` said
 * "ready" with a wrong key, a malformed app id or an unreachable host (reviewer 87).
 * https://documentation.onesignal.com/reference/view-user ,
 * https://documentation.onesignal.com/docs/en/keys-and-ids#api-keys
 */
describe('OneSignal connection check', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });
  const started = async () => {
    const env = await startEmulator();
    stops.push(() => env.emulator.stop());
    return env;
  };
  const quick = { retries: 1, minTimeoutMs: 10, maxTimeoutMs: 20 };

  it('passes with the right key and app, with one view-user read', async () => {
    const { config, admin } = await started();
    const result = await checkDestination({ destination: onesignalDestination, config, retry: quick });
    expect(result.ok).toBe(true);
    const requests = await admin.requests();
    expect(requests.map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([`GET /apps/${config.appId}/users/by/external_id/${CONNECTION_CHECK_EXTERNAL_ID} 404`]);
  });

  it('passes when a user has that external_id (200 naming it), fails on a 200 that is not a OneSignal user', async () => {
    const { config, admin } = await started();
    await admin.seed({ users: [{ identity: { external_id: CONNECTION_CHECK_EXTERNAL_ID } }] });
    expect((await checkDestination({ destination: onesignalDestination, config, retry: quick })).ok).toBe(true);
    await admin.setFaults([{ kind: 'foreign_body', method: 'GET', path: '/users/by/' }]);
    const foreign = await checkDestination({ destination: onesignalDestination, config, retry: { ...quick, retries: 0 } });
    expect(foreign.ok).toBe(false);
    expect(foreign.error?.code).toBe('unexpected_response');
  });

  it('fails authentication_failed with a wrong REST API key', async () => {
    const { config, admin } = await started();
    const result = await checkDestination({ destination: onesignalDestination, config: { ...config, restApiKey: 'not-the-key' }, retry: quick });
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('authentication_failed');
    expect(result.steps.find((s) => s.step === 'connect')?.status).toBe('failed');
    expect((await admin.requests()).map((e) => e.status)).toEqual([403]);
  });

  it('fails authentication_failed with an app id the key does not belong to, or a malformed one', async () => {
    const { config, admin } = await started();
    for (const appId of ['11111111-1111-4111-8111-111111111111', 'not-an-app-id']) {
      const result = await checkDestination({ destination: onesignalDestination, config: { ...config, appId }, retry: quick });
      expect(result.ok).toBe(false);
      expect(result.error?.code).toBe('authentication_failed');
      expect(result.error?.message).toContain(appId);
    }
    expect((await admin.requests()).map((e) => e.status)).toEqual([403, 403]);
  });

  it('fails with the kit\'s network error when nothing answers at baseUrl (a run stops destination_unreachable)', async () => {
    const { config, emulator } = await startEmulator();
    await emulator.stop();
    const result = await checkDestination({ destination: onesignalDestination, config: { ...config, requestTimeoutMs: 500 }, retry: quick });
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('network_error');
    expect(result.steps.find((s) => s.step === 'connect')?.status).toBe('failed');
  });
});
