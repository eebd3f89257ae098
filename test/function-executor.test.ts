import { describe, expect, it } from 'vitest';
import { commandDefinitionSchema, type FunctionCommandDefinition } from '../src/config/command-schema.js';
import { createFunctionExecutor } from '../src/executor/function-executor.js';
import { expectOptionsError } from './support/options-error.js';
import { LoginError } from '../src/errors/login-error.js';

const executor = createFunctionExecutor({ timeoutMs: 100 });
const run = (fn: FunctionCommandDefinition['run']) =>
  executor.run({ name: 'LoginWithToken', tenant: 't', definition: commandDefinitionSchema.parse({ run: fn }) }, { authToken: 'x' }, new AbortController().signal);

describe('createFunctionExecutor', () => {
  it('checks its options like the factory does', () => {
    expectOptionsError(() => createFunctionExecutor({ timeoutMs: -1 }), { code: 'LWT_INVALID_OPTION', path: 'timeoutMs', message: /^createFunctionExecutor: / });
    expectOptionsError(() => createFunctionExecutor({ timeout: 5 } as never), { code: 'LWT_UNKNOWN_OPTION', path: 'timeout' });
  });

  it('passes placeholders and returns the answer', async () => {
    await expect(run(async ({ authToken }) => ({ ContactId: authToken }))).resolves.toEqual({ ContactId: 'x' });
  });

  it('treats null and undefined as a rejection', async () => {
    await expect(run(() => null)).resolves.toBeNull();
    await expect(run(() => undefined)).resolves.toBeNull();
  });

  it('turns a thrown error into validator_unavailable without its message', async () => {
    const error = await run(() => {
      throw new Error('secret-detail');
    }).catch((caught: unknown) => caught as LoginError);
    expect(error).toMatchObject({ code: 'validator_unavailable' });
    expect(String((error as LoginError).reason)).not.toContain('secret-detail');
  });

  it('lets a LoginError through', async () => {
    await expect(run(() => Promise.reject(new LoginError('user_deactivated')))).rejects.toMatchObject({ code: 'user_deactivated' });
  });

  it('stops waiting at the deadline even if the function ignores the signal', async () => {
    const started = Date.now();
    await expect(run(() => new Promise(() => undefined))).rejects.toMatchObject({ code: 'validator_unavailable' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('aborts the signal it hands to the function at the deadline', async () => {
    let seen: AbortSignal | undefined;
    await run((_p, signal) => {
      seen = signal;
      return new Promise(() => undefined);
    }).catch(() => undefined);
    expect(seen?.aborted).toBe(true);
  });
});
