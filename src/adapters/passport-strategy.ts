import type { Request } from 'express';
import { isPromise } from '../async/maybe-promise.js';

/**
 * The shape Passport expects of a strategy (`passport.use(strategy)`), declared here so the
 * package's types do not require `@types/passport`.
 */
export interface PassportStrategy {
  readonly name: string;
  authenticate(req: unknown, options?: unknown): void;
}

/** What Passport gives a strategy for one request (Passport's strategy contract). */
export interface StrategyActions {
  success(user: unknown, info?: unknown): void;
  /**
   * Refuses the credentials: a challenge — a `WWW-Authenticate` value, or an object whose
   * `message` Passport's `failureMessage` shows — and the status (Passport's default: 401).
   */
  fail(challenge?: unknown, status?: number): void;
  error(error: unknown): void;
}

/**
 * A Passport strategy named `name` that decides each request with `check`. Passport needs no
 * base class: it reads `name` and calls `authenticate` on a per-request copy of the strategy
 * that carries the actions. (passport-custom, which the strategies used before, can only `fail`
 * with a challenge *or* a status, never both.)
 *
 * `check` decides synchronously or returns the promise whose callbacks decide. What throws —
 * `check`, or the app's code that Passport runs inside an action, such as a custom callback —
 * goes to `error`, as Express does with a handler that throws, rather than leaving the request
 * hanging on a rejected promise.
 */
export function passportStrategy(name: string, check: (req: Request, actions: StrategyActions) => void | Promise<void>): PassportStrategy {
  return {
    name,
    authenticate(this: StrategyActions, req: unknown) {
      try {
        const decided = check(req as Request, this);
        if (isPromise(decided)) decided.catch((error: unknown) => this.error(error));
      } catch (error) {
        this.error(error);
      }
    },
  };
}
