import { SqliteStateStore, runSync } from '@syncmodes/connector-kit';
import { memorySource } from '@syncmodes/connector-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { facebookDestination } from '../src/index';
import { emailOf, isUsers, startFacebook } from './facebook-harness';
import { FAST_RETRY, recordingLogger } from './helpers';

/**
 * Values sent empty are reported once per record: an add sent again (its first attempt answered
 * 503) logged the warning a second time (customers-10000 under load, new-user check 132).
 */
describe('Facebook: values sent empty, with the add sent again', () => {
  let env: Awaited<ReturnType<typeof startFacebook>> | undefined;
  afterEach(async () => {
    await env?.emulator.stop();
    env = undefined;
  });

  it('one warning and one notice naming each record once, though the add went out twice', async () => {
    env = await startFacebook();
    env.emulator.setFaults([{ kind: 'server_error', method: 'POST', path: '/users$', times: 1, status: 503 }]);
    const { logger, entries } = recordingLogger();
    const source = memorySource(Array.from({ length: 3 }, (_, i) => ({ id: `p${i}`, snapshot: { properties: { EMAIL: emailOf(i), PHONE: i === 0 ? '+44 20 7946 0958' : 'x' }, groups: ['A'] } })));
    const summary = await runSync({ collectResults: true, destination: facebookDestination, config: env.config, source, state: new SqliteStateStore(':memory:'), retry: FAST_RETRY, logger });
    expect(summary.counts).toMatchObject({ created: 3, failed: 0 });
    expect((await env.admin.requests()).filter((e) => isUsers(e, 'POST'))).toHaveLength(2);
    const warned = entries.filter((e) => e.level === 'warn' && e.message.includes('sent empty'));
    expect(warned).toHaveLength(1);
    expect(warned[0]?.fields.PHONE).toBe(2);
    expect(summary.notices.find((n) => n.code === 'values_sent_empty')?.message).toMatch(/PHONE: 2 record\(s\) \("p1", "p2"\)/);
  });
});
