import CustomStrategy from 'passport-custom';
import { isLoginError } from '../errors/login-error.js';
import { noSession, redeemAuthToken, type HandoffDependencies, type SessionControl } from '../handoff/redeem-auth-token.js';
import { named, type PassportStrategy } from './passport-strategy.js';
import { toRequestInfo } from './to-request-info.js';

/** Fixed name of the one-time token strategy: `passport.authenticate('login-with-token')`. */
export const authTokenStrategyName = 'login-with-token';

/**
 * A Passport strategy redeeming `authToken` from the query (GET) or body (POST), for apps that
 * build their own handoff route. Invalid tokens `fail` with the catalogue entry as challenge;
 * transient faults (`validator_unavailable`, `store_unavailable`) go to `error`. Passport starts
 * the session after success, so here the token is marked used just before that.
 */
export function createAuthTokenStrategy<User>(deps: HandoffDependencies<User>): PassportStrategy {
  const strategy = new CustomStrategy((req, done) => {
    redeemAuthToken(deps, toRequestInfo(req), noSession as SessionControl<User>).then(
      (result) => done(null, result.user),
      (error: unknown) => {
        if (isLoginError(error) && !error.retryable) done(null, false, { code: error.code, number: error.number, message: error.message });
        else done(error);
      },
    );
  });
  return named(strategy, authTokenStrategyName);
}
