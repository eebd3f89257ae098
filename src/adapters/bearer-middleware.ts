import type { RequestHandler } from 'express';
import { isPromise } from '../async/maybe-promise.js';
import type { BearerAuthentication, BearerResult } from '../bearer/bearer-authentication.js';
import { toRequestInfo } from './to-request-info.js';

/**
 * Express middleware guarding a route with a bearer token: sets `req.user` and `req.authInfo`
 * and calls `next()`, or hands a `LoginError` (with `status` and `WWW-Authenticate`) to
 * `next(err)` — render it with `apiErrorHandler` or your own handler.
 */
export function createBearerMiddleware<User>(bearer: BearerAuthentication<User>): RequestHandler {
  return (req, _res, next) => {
    const accept = (result: BearerResult<User>) => {
      // Both at once: each property added to an Express request (whose prototype Express swaps
      // in) copies its hidden class, and one Object.assign costs less than two assignments.
      Object.assign(req, { user: result.user, authInfo: result.info });
      next();
    };
    const outcome = bearer.authenticate(toRequestInfo(req));
    if (isPromise(outcome)) outcome.then(accept, next);
    else accept(outcome);
  };
}
