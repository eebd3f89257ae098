import { describe, expect, it } from 'vitest';
import { isLoginError } from '../src/errors/login-error.js';
import { InFlightLimit } from '../src/rate-limit/in-flight-limit.js';

const never = () => new Promise<never>(() => undefined);

describe('InFlightLimit', () => {
  it('refuses a call past the bound with rate_limited, per key, and frees the slot when a call ends', async () => {
    const limit = new InFlightLimit({ partnerCallsInFlightPerIp: 2 });
    let finish!: () => void;
    const first = limit.run('net-a', () => new Promise<void>((resolve) => (finish = resolve)));
    const second = limit.run('net-a', never);
    const third = await limit.run('net-a', async () => 'ran').catch((error: unknown) => error);
    expect(isLoginError(third) && third.code === 'rate_limited' && third.headers['retry-after'] === '1').toBe(true);
    expect(await limit.run('net-b', async () => 'other network')).toBe('other network');
    finish();
    await first;
    expect(await limit.run('net-a', async () => 'after')).toBe('after');
    void second;
  });

  it('frees a slot whose call never settles after maxHoldMs', async () => {
    const limit = new InFlightLimit({ partnerCallsInFlightPerIp: 1 }, 50);
    void limit.run('net', never);
    await expect(limit.run('net', async () => 'x')).rejects.toMatchObject({ code: 'rate_limited' });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await limit.run('net', async () => 'free again')).toBe('free again');
  });

  it('takes a plain value from a task written without promises (an app executor in JavaScript), and frees its slot', async () => {
    const limit = new InFlightLimit({ partnerCallsInFlightPerIp: 1 });
    expect(await limit.run('net', (() => null) as unknown as () => Promise<null>)).toBeNull();
    expect(await limit.run('net', async () => 'slot free again')).toBe('slot free again');
  });

  it("hands back the task's own promise, settled as the task settled", async () => {
    const limit = new InFlightLimit({ partnerCallsInFlightPerIp: 1 });
    const answer = Promise.resolve('answer');
    expect(limit.run('net', () => answer)).toBe(answer);
    await answer;
    expect(await limit.run('net', async () => 'slot free again')).toBe('slot free again');
  });

  it('frees the slot of a task that throws before it returns a promise', async () => {
    const limit = new InFlightLimit({ partnerCallsInFlightPerIp: 1 });
    await expect(
      limit.run('net', () => {
        throw new Error('no promise');
      }),
    ).rejects.toThrow('no promise');
    expect(await limit.run('net', async () => 'ok')).toBe('ok');
  });

  it('frees the slot of a call that throws', async () => {
    const limit = new InFlightLimit({ partnerCallsInFlightPerIp: 1 });
    await expect(limit.run('net', async () => Promise.reject(new Error('partner down')))).rejects.toThrow('partner down');
    expect(await limit.run('net', async () => 'ok')).toBe('ok');
  });
});
