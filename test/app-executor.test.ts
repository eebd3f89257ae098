import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { appExecutor } from '../src/executor/app-executor.js';
import type { Command, CommandExecutor } from '../src/executor/command-executor.js';
import { neverAborted } from '../src/time/deadline.js';

const command = { name: 'LoginWithToken', tenant: 'default', definition: { kind: 'function' } } as unknown as Command;

/** An app's executor that leaves a listener on every signal it gets, as fetch can, and keeps the signals. */
function leakyExecutor(answer: (signal: AbortSignal) => Promise<unknown> = async () => ({ ContactId: '1' })) {
  const seen: AbortSignal[] = [];
  const executor: CommandExecutor = {
    run: (_command, _placeholders, signal) => {
      seen.push(signal);
      signal.addEventListener('abort', () => undefined);
      return answer(signal);
    },
  };
  return { executor, seen };
}

describe('appExecutor', () => {
  it('gives the app a new signal on every call and leaves no listener on the caller’s', async () => {
    const { executor, seen } = leakyExecutor();
    const wrapped = appExecutor(executor);
    const parent = new AbortController().signal;
    for (let call = 0; call < 3; call++) expect(await wrapped.run(command, {}, parent)).toEqual({ ContactId: '1' });
    expect(new Set(seen).size).toBe(3);
    expect(seen).not.toContain(parent);
    expect(getEventListeners(parent, 'abort')).toHaveLength(0);
  });

  it('aborts the call’s signal with the caller’s reason, also when the caller had aborted already', async () => {
    const held = leakyExecutor(
      (signal) => new Promise((_resolve, reject) => (signal.aborted ? reject(signal.reason) : signal.addEventListener('abort', () => reject(signal.reason)))),
    );
    const wrapped = appExecutor(held.executor);
    const caller = new AbortController();
    const running = wrapped.run(command, {}, caller.signal);
    caller.abort(new Error('client gone'));
    await expect(running).rejects.toThrow('client gone');
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    await expect(wrapped.run(command, {}, caller.signal)).rejects.toThrow('client gone');
  });

  it('passes on an executor that throws, without a listener left behind', async () => {
    const wrapped = appExecutor({
      run: () => {
        throw new Error('broken executor');
      },
    });
    const parent = new AbortController().signal;
    await expect(wrapped.run(command, {}, parent)).rejects.toThrow('broken executor');
    expect(getEventListeners(parent, 'abort')).toHaveLength(0);
  });

  it('gives its own signal for a call nobody can cancel, so nothing gathers on the shared never-aborted one', async () => {
    const { executor, seen } = leakyExecutor();
    await appExecutor(executor).run(command, {}, neverAborted);
    expect(seen[0]).not.toBe(neverAborted);
    expect(seen[0]!.aborted).toBe(false);
    expect(getEventListeners(neverAborted, 'abort')).toHaveLength(0);
  });
});
