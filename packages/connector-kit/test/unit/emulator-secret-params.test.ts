import { afterEach, describe, expect, it } from 'vitest';
import { EmulatorClient, EmulatorServer } from '../../src/emulator/index';

describe('EmulatorServer secretParams', () => {
  let server: EmulatorServer | undefined;
  afterEach(async () => {
    await server?.stop();
  });

  it('writes credential query parameters as [redacted] in the request log, keeping the rest', async () => {
    server = new EmulatorServer({
      name: 'secret-params',
      secretParams: ['access_token'],
      data: { snapshot: () => ({}), seed: () => undefined, load: () => undefined, reset: () => undefined },
      vendor: {
        rateLimited: () => ({ status: 429 }),
        serverError: (status) => ({ status }),
        authExpired: () => ({ status: 401 }),
        notFound: () => ({ status: 404 }),
      },
      routes: [{ method: 'GET', path: '/ping', handler: (req) => ({ status: 200, body: { token: req.query.get('access_token') } }) }],
    });
    const url = await server.start();
    const answer = (await (await fetch(`${url}/ping?access_token=SECRET-123&fields=id`)).json()) as { token: string };
    expect(answer.token).toBe('SECRET-123');
    const log = await new EmulatorClient(url).requests();
    expect(log[0]?.query).toEqual({ access_token: '[redacted]', fields: 'id' });
    expect(JSON.stringify(log)).not.toContain('SECRET-123');
  });
});
