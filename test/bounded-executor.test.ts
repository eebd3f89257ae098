import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Command, CommandExecutor } from '../src/executor/command-executor.js';
import { boundedExecutor } from '../src/executor/bounded-executor.js';
import { isLoginError } from '../src/errors/login-error.js';
import { neverAborted } from '../src/time/deadline.js';

const command = { name: 'ValidateBearer', tenant: 'default', definition: {} } as unknown as Command;

function executorOf(run: CommandExecutor['run']): CommandExecutor {
  return { run };
}

describe('boundedExecutor', () => {
  afterEach(() => vi.useRealTimers());

  it('gives up a call that never settles as validator_unavailable once its bound has passed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const stuck = boundedExecutor(executorOf(() => new Promise<never>(() => undefined)));
    const outcome = stuck.run(command, {}, neverAborted).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(120_999);
    let settled = false;
    void outcome.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(2_000);
    const error = await outcome;
    expect(isLoginError(error) && error.code === 'validator_unavailable').toBe(true);
    expect((error as Error).message).not.toMatch(/stuck/);
  });

  it('passes answers, rejections and the signal through unchanged, and leaves no timer behind', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const seen: AbortSignal[] = [];
    const answering = boundedExecutor(executorOf(async (_command, placeholders, signal) => (seen.push(signal), { ContactId: placeholders['authToken'] })), 50);
    expect(await answering.run(command, { authToken: '1001' }, neverAborted)).toEqual({ ContactId: '1001' });
    expect(seen).toEqual([neverAborted]);
    const failure = new Error('partner down');
    const failing = boundedExecutor(executorOf(() => Promise.reject(failure)), 50);
    await expect(failing.run(command, {}, neverAborted)).rejects.toBe(failure);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('turns an executor that throws instead of rejecting into a rejection', async () => {
    const throwing = boundedExecutor(
      executorOf(() => {
        throw new TypeError('not a promise');
      }),
    );
    await expect(throwing.run(command, {}, neverAborted)).rejects.toThrow('not a promise');
  });

  it('closes the executor it bounds, and has no close when the executor has none', async () => {
    const close = vi.fn(async () => undefined);
    await boundedExecutor({ run: async () => null, close }).close?.();
    expect(close).toHaveBeenCalledOnce();
    expect(boundedExecutor(executorOf(async () => null)).close).toBeUndefined();
  });
});
