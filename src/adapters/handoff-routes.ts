import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { LoginError, asLoginError } from '../errors/login-error.js';
import { isEmbeddedRequest, wantsNoChrome, type EmbeddingPolicy } from '../embedding/frame-ancestors.js';
import { redeemAuthToken, type HandoffDependencies } from '../handoff/redeem-auth-token.js';
import { safeReturnTo } from '../handoff/safe-return-to.js';
import { readParameter } from '../request/request-info.js';
import { bodyErrorHandler } from './body-error-handler.js';
import { sendFramePolicy, useEmbeddedCookie } from './embedding.js';
import { renderHandoffError } from './render-handoff-error.js';
import { hasPassportSession, passportSessionControl } from './passport-session.js';
import { writeSessionState } from './session-state.js';
import { toRequestInfo } from './to-request-info.js';

/** Path of the handoff route below the mount point. */
const handoffPath = '/authentication/login';

const bodyLimit = '16kb';

/**
 * Adds `GET|POST /authentication/login` to `router`. Success regenerates the session, logs the
 * user in and answers 303 to a clean same-origin `returnTo`; failure answers the catalogue's
 * status with an HTML page or JSON. HEAD is refused so link scanners cannot spend a token.
 * An embedded handoff (loaded in a frame, see `isEmbeddedRequest`) gets the embedded session
 * cookie and the tenant's frame policy; it needs https when that cookie is `Secure`. A top-level
 * `noChrome=true` handoff only renders without chrome.
 */
export function addHandoffRoutes<User>(router: Router, deps: HandoffDependencies<User>, defaultReturnTo: string, embedding: EmbeddingPolicy): void {
  const handle = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    res.set({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    if (!hasPassportSession(req)) {
      next(new Error('login-with-token: use express-session and passport.initialize() before the router'));
      return;
    }
    const request = toRequestInfo(req);
    const embedded = isEmbeddedRequest(request);
    const fail = (error: unknown) => {
      if (embedded) framePolicyForRequest(res, embedding, deps, request);
      renderHandoffError(req, res, asLoginError(error));
    };
    if (embedded && embedding.cookie.secure && !req.secure) {
      // The browser would never get the Secure cookie: refuse before the token is spent.
      fail(new LoginError('invalid_request', { reason: 'embedded handoff over http', description: 'embedded sign-in needs https' }));
      return;
    }
    const aborted = new AbortController();
    // Only a client that left before the answer cancels the partner call (an abort costs a DOMException).
    res.once('close', () => {
      if (!res.writableFinished) aborted.abort();
    });
    let tenant: string;
    try {
      tenant = (await redeemAuthToken(deps, request, passportSessionControl<User>(req), aborted.signal)).tenant;
    } catch (error) {
      fail(error);
      return;
    }
    writeSessionState(req, { noChrome: wantsNoChrome(request), embedded, tenant });
    if (embedded) {
      useEmbeddedCookie(req, embedding);
      sendFramePolicy(res, embedding, tenant);
    }
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

function framePolicyForRequest<User>(res: Response, embedding: EmbeddingPolicy, deps: HandoffDependencies<User>, request: ReturnType<typeof toRequestInfo>): void {
  try {
    sendFramePolicy(res, embedding, deps.tenants.forRequest(request));
  } catch {
    sendFramePolicy(res, embedding, '');
  }
}
