import { isPromise } from '../async/maybe-promise.js';
import type { BearerAuthentication } from '../bearer/bearer-authentication.js';
import { isLoginError } from '../errors/login-error.js';
import { passportStrategy, type PassportStrategy } from './passport-strategy.js';
import { toRequestInfo } from './to-request-info.js';

/** Fixed name of the bearer strategy: `passport.authenticate('login-with-token-bearer', { session: false })`. */
export const bearerStrategyName = 'login-with-token-bearer';

/**
 * The bearer strategy as Passport expects it (the contract of passport-http-bearer): missing
 * or invalid tokens `fail` with the `WWW-Authenticate` challenge (401), malformed requests
 * `fail(400)` (Passport sends no challenge with a 400; the plain middleware does), everything
 * else — a missing scope (403, with its challenge), an unknown tenant (404), rate limits (429),
 * outages (503) — goes to `error` as a
 * `LoginError`. Success sets `req.user` with the token's facts as `info`.
 */
export function createBearerStrategy<User>(bearer: BearerAuthentication<User>): PassportStrategy {
  return passportStrategy(bearerStrategyName, (req, actions) => {
    const outcome = bearer.authenticate(toRequestInfo(req));
    if (!isPromise(outcome)) {
      actions.success(outcome.user, outcome.info);
      return;
    }
    return outcome.then(
      (result) => actions.success(result.user, result.info),
      (error: unknown) => {
        if (!isLoginError(error) || (error.status !== 400 && error.status !== 401)) actions.error(error);
        else if (error.status === 400) actions.fail(400);
        else actions.fail(error.headers['www-authenticate']);
      },
    );
  });
}
