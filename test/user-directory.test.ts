import { describe, expect, it } from 'vitest';
import { isPromise } from '../src/async/maybe-promise.js';
import { isLoginError, type LoginError } from '../src/errors/login-error.js';
import type { Identity } from '../src/identity/identity.js';
import { UserDirectory } from '../src/users/user-directory.js';
import { recordSecret } from './support/secrets.js';

interface User {
  id: number;
  name: string;
  disabled?: unknown;
}

const identity: Identity = { contactId: '1001', tenant: 'acme', tokenType: 'authToken' };
const alice: User = { id: 1001, name: 'Alice' };

function thrown(run: () => unknown): LoginError {
  let error: unknown;
  try {
    run();
  } catch (caught) {
    error = caught;
  }
  expect(isLoginError(error)).toBe(true);
  return error as LoginError;
}

async function rejection(promise: unknown): Promise<LoginError> {
  const error = await Promise.resolve(promise).then(() => undefined, (caught: unknown) => caught);
  expect(isLoginError(error)).toBe(true);
  return error as LoginError;
}

describe('UserDirectory', () => {
  describe('resolve', () => {
    it('answers synchronously when resolveUser does, with the identity it was given', () => {
      const seen: Identity[] = [];
      const users = new UserDirectory<User>({ resolveUser: (given) => (seen.push(given), alice) });
      const user = users.resolve(identity);
      expect(isPromise(user)).toBe(false);
      expect(user).toBe(alice);
      expect(seen).toEqual([identity]);
    });

    it('resolves the user when resolveUser is async', async () => {
      const users = new UserDirectory<User>({ resolveUser: async () => alice });
      const user = users.resolve(identity);
      expect(isPromise(user)).toBe(true);
      expect(await user).toBe(alice);
    });

    it('refuses an identity without a user with login_failed', async () => {
      expect(thrown(() => new UserDirectory<User>({ resolveUser: () => null }).resolve(identity)).code).toBe('login_failed');
      expect(thrown(() => new UserDirectory<User>({ resolveUser: () => undefined }).resolve(identity)).code).toBe('login_failed');
      expect((await rejection(new UserDirectory<User>({ resolveUser: async () => null }).resolve(identity))).code).toBe('login_failed');
    });

    it('refuses a user whose disabled is true with user_deactivated, and only then', async () => {
      const disabled = { ...alice, disabled: true };
      expect(thrown(() => new UserDirectory<User>({ resolveUser: () => disabled }).resolve(identity)).code).toBe('user_deactivated');
      expect((await rejection(new UserDirectory<User>({ resolveUser: async () => disabled }).resolve(identity))).code).toBe('user_deactivated');
      const truthy = { ...alice, disabled: 'false' };
      expect(new UserDirectory<User>({ resolveUser: () => truthy }).resolve(identity)).toBe(truthy);
    });

    it('asks isUserDisabled instead of the disabled field when given', () => {
      const suspended = new UserDirectory<User>({ resolveUser: () => alice, isUserDisabled: (user) => user.name === 'Alice' });
      expect(thrown(() => suspended.resolve(identity)).code).toBe('user_deactivated');
      const enabled = new UserDirectory<User>({ resolveUser: () => ({ ...alice, disabled: true }), isUserDisabled: () => false });
      expect(enabled.resolve(identity)).toMatchObject({ id: 1001 });
    });

    it('turns a resolveUser that throws or rejects into store_unavailable, keeping its message out of the reason', async () => {
      const secret = recordSecret('db-password-6c2e91f4');
      const fault = Object.assign(new Error(`auth failed for postgres://app:${secret}@db`), { code: 'ECONNRESET' });
      const sync = thrown(() => new UserDirectory<User>({ resolveUser: () => { throw fault; } }).resolve(identity));
      const async = await rejection(new UserDirectory<User>({ resolveUser: () => Promise.reject(fault) }).resolve(identity));
      for (const error of [sync, async]) {
        expect(error.code).toBe('store_unavailable');
        expect(error.cause).toBe(fault);
        expect(error.reason).toContain('ECONNRESET');
        expect(`${error.reason} ${error.message}`).not.toContain(secret);
      }
    });
  });

  describe('idOf', () => {
    it('uses userIdOf when given, else String(user.id)', () => {
      expect(new UserDirectory<User>({ resolveUser: () => null }).idOf(alice)).toBe('1001');
      expect(new UserDirectory<User>({ resolveUser: () => null, userIdOf: (user) => `u-${user.name}` }).idOf(alice)).toBe('u-Alice');
    });

    it('gives an empty id for a user without one', () => {
      expect(new UserDirectory<object>({ resolveUser: () => null }).idOf({})).toBe('');
    });
  });
});
