import { isLoginError } from '../errors/login-error.js';
import { noSession, type Handoff, type SessionControl } from '../handoff/handoff.js';
import { passportStrategy, type PassportStrategy } from './passport-strategy.js';
import { toRequestInfo } from './to-request-info.js';

/** Fixed name of the one-time token strategy: `passport.authenticate('login-with-token')`. */
export const authTokenStrategyName = 'login-with-token';

/**
 * A Passport strategy redeeming `authToken` from the query (GET) or body (POST), for apps that
 * build their own handoff route. A refused token `fail`s with the catalogue entry as challenge
 * and the catalogue's status (401 `token_invalid`, 400 `invalid_request`, 403
 * `user_deactivated`, …); transient faults (`validator_unavailable`, `store_unavailable`,
 * `rate_limited`) go to `error`. Passport starts the session after success, so here the token
 * is marked used just before that.
 */
export function createAuthTokenStrategy<User>(handoff: Handoff<User>): PassportStrategy {
  return passportStrategy(authTokenStrategyName, (req, actions) =>
    handoff.redeem(toRequestInfo(req), noSession as SessionControl<User>).then(
      (result) => actions.success(result.user),
      (error: unknown) => {
        if (isLoginError(error) && !error.retryable) actions.fail({ code: error.code, number: error.number, message: error.message }, error.status);
        else actions.error(error);
      },
    ),
  );
}
