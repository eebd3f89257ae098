import { isPromise, type MaybePromise } from '../async/maybe-promise.js';
import { LoginError } from '../errors/login-error.js';
import { describeFault } from '../errors/describe-fault.js';
import type { Identity } from '../identity/identity.js';

/** The app's side of a sign-in: find the user for an identity. */
export interface UserDirectoryOptions<User> {
  /** Returns the app's user for `identity`, or `null` when there is none; may be async. Required. */
  resolveUser: (identity: Identity) => User | null | undefined | Promise<User | null | undefined>;
  /** True when `user` must not sign in. @default user.disabled === true */
  isUserDisabled?: (user: User) => boolean;
  /** The user's id, for audit events and session records. @default String(user.id) */
  userIdOf?: (user: User) => string;
}

function lookupFailed(error: unknown): LoginError {
  return new LoginError('store_unavailable', { reason: `resolveUser failed: ${describeFault(error)}`, cause: error });
}

/** Wraps the app's resolver with the package's rules: unknown → `login_failed`, disabled → `user_deactivated`. */
export class UserDirectory<User> {
  readonly #options: UserDirectoryOptions<User>;

  constructor(options: UserDirectoryOptions<User>) {
    this.#options = options;
  }

  /**
   * Resolves an enabled user or throws (rejects with) a `LoginError`. Synchronous when the app's
   * `resolveUser` is.
   */
  resolve(identity: Identity): MaybePromise<User> {
    let answer: MaybePromise<User | null | undefined>;
    try {
      answer = this.#options.resolveUser(identity);
    } catch (error) {
      throw lookupFailed(error);
    }
    return isPromise(answer)
      ? answer.then(
          (user) => this.#enabled(user),
          (error: unknown) => {
            throw lookupFailed(error);
          },
        )
      : this.#enabled(answer);
  }

  #enabled(user: User | null | undefined): User {
    if (user === null || user === undefined) throw new LoginError('login_failed', { reason: 'no user for this identity' });
    const disabled = this.#options.isUserDisabled?.(user) ?? (user as { disabled?: unknown }).disabled === true;
    if (disabled) throw new LoginError('user_deactivated', { reason: 'user is disabled' });
    return user;
  }

  /** The user's id as a string. */
  idOf(user: User): string {
    return this.#options.userIdOf?.(user) ?? String((user as { id?: unknown }).id ?? '');
  }
}
