import { describe, expect, it } from 'vitest';
import { UserPacer } from '../src/client/user-pacer';

describe('UserPacer', () => {
  it('lets a user\'s first request go at once, holds the next one, and never holds other users', async () => {
    const pacer = new UserPacer(60_000);
    await pacer.wait('a');
    pacer.answered('a');
    await pacer.wait('b'); // another user: not held
    const controller = new AbortController();
    const held = pacer.wait('a', controller.signal);
    controller.abort(new Error('stopped'));
    await expect(held).rejects.toThrow('stopped');
    pacer.forget('a');
    await pacer.wait('a'); // forgotten: goes at once
  });

  it('queues concurrent requests for one user one interval apart', async () => {
    const pacer = new UserPacer(30);
    const order: string[] = [];
    await Promise.all([pacer.wait('a').then(() => order.push('first')), pacer.wait('a').then(() => order.push('second'))]);
    expect(order).toEqual(['first', 'second']);
  });
});
