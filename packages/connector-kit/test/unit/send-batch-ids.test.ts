import { describe, expect, it } from 'vitest';
import { Caller } from '../../src/engine/calls/caller';
import { Pacer } from '../../src/engine/calls/pacer';
import { DEFAULT_RETRY_POLICY } from '../../src/engine/calls/retry-policy';
import { sendBatch } from '../../src/engine/calls/send-batch';
import { silentLogger } from '../../src/logging/logger';

const policy = { ...DEFAULT_RETRY_POLICY, minTimeoutMs: 1, maxTimeoutMs: 5 };

/** Second trial of stop 32: a create answer giving every record the same Salesforce Id was taken as it was; state mapped 20 records to one Contact. */
describe('sendBatch: a create answered with one id for several records', () => {
  it('is not taken: the records are looked up (reconcile) and get the ids the lookup finds; nothing is sent twice', async () => {
    const pacer = new Pacer({ concurrency: 1 });
    const caller = new Caller(pacer, policy, silentLogger, new AbortController().signal);
    let sent = 0;
    const send = async (items: readonly string[]) => {
      sent++;
      return items.map(() => ({ ok: true as const, id: 'same' }));
    };
    const reconcile = async (items: readonly string[]) => items.map((item) => `id-${item}`);
    const results = await sendBatch(caller, 'create', ['a', 'b', 'c'], send, { reconcile });
    expect(results).toEqual([
      { ok: true, id: 'id-a' },
      { ok: true, id: 'id-b' },
      { ok: true, id: 'id-c' },
    ]);
    expect(sent).toBe(1);
    pacer.release();
  });

  it('without reconcile (upserts), every record fails unexpected_response, retryable, none taken', async () => {
    const pacer = new Pacer({ concurrency: 1 });
    const caller = new Caller(pacer, policy, silentLogger, new AbortController().signal);
    const send = async (items: readonly string[]) => items.map(() => ({ ok: true as const, id: 'same' }));
    const results = await sendBatch(caller, 'create', ['a', 'b'], send);
    expect(results.map((r) => (r.ok ? 'ok' : `${r.error.code}:${r.error.retryable}`))).toEqual(['unexpected_response:true', 'unexpected_response:true']);
    pacer.release();
  });

  it('distinct ids pass as they are', async () => {
    const pacer = new Pacer({ concurrency: 1 });
    const caller = new Caller(pacer, policy, silentLogger, new AbortController().signal);
    const created = await sendBatch(caller, 'create', ['a', 'b'], async (items) => items.map((i) => ({ ok: true as const, id: i })));
    expect(created).toEqual([
      { ok: true, id: 'a' },
      { ok: true, id: 'b' },
    ]);
    pacer.release();
  });
});
