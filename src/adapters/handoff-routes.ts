import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { LoginError, isLoginError } from '../errors/login-error.js';
import { redeemAuthToken, type HandoffDependencies } from '../handoff/redeem-auth-token.js';
import { safeReturnTo } from '../handoff/safe-return-to.js';
import { readParameter } from '../request/request-info.js';
import { bodyErrorHandler } from './body-error-handler.js';
import { renderHandoffError } from './render-handoff-error.js';
import { hasPassportSession, passportSessionControl, writeSessionState } from './session-control.js';
import { toRequestInfo } from './to-request-info.js';

/** Path of the handoff route below the mount point. */
export const handoffPath = '/authentication/login';

const bodyLimit = '16kb';

/**
 * Adds `GET|POST /authentication/login` to `router`. Success regenerates the session, logs the
 * user in and answers 303 to a clean same-origin `returnTo`; failure answers the catalogue's
 * status with an HTML page or JSON. HEAD is refused so link scanners cannot spend a token.
 */
export function addHandoffRoutes<User>(router: Router, deps: HandoffDependencies<User>, defaultReturnTo: string): void {
  const handle = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    res.set({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    if (!hasPassportSession(req)) {
      next(new Error('login-with-token: use express-session and passport.initialize() before the router'));
      return;
    }
    const request = toRequestInfo(req);
    const aborted = new AbortController();
    res.once('close', () => aborted.abort());
    try {
      await redeemAuthToken(deps, request, passportSessionControl<User>(req), aborted.signal);
    } catch (error) {
      renderHandoffError(req, res, isLoginError(error) ? error : new LoginError('store_unavailable', { cause: error }));
      return;
    }
    writeSessionState(req, { noChrome: /^(true|1)$/i.test(readParameter(request, 'noChrome') ?? '') });
    const authToken = readParameter(request, 'authToken');
    res.redirect(303, safeReturnTo(readParameter(request, 'returnTo'), defaultReturnTo, authToken));
  };

  router.head(handoffPath, (_req, res) => {
    res.set('allow', 'GET, POST').status(405).end();
  });
  router.get(handoffPath, handle);
  router.post(handoffPath, express.urlencoded({ extended: false, limit: bodyLimit }), express.json({ limit: bodyLimit }), handle);
  router.use(handoffPath, bodyErrorHandler(renderHandoffError));
}
