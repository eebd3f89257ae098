import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { LoginError, asLoginError } from '../errors/login-error.js';
import { isEmbeddedRequest, wantsNoChrome } from '../embedding/embedded-request.js';
import type { EmbeddingPolicy } from '../embedding/embedding-policy.js';
import type { Handoff } from '../handoff/handoff.js';
import type { RequestInfo } from '../request/request-info.js';
import type { TenantResolver } from '../request/tenant-resolver.js';
import { bodyErrorHandler } from './body-error-handler.js';
import { clientGoneSignal } from './client-gone.js';
import { sendFramePolicy, useEmbeddedCookie } from './embedding.js';
import { renderHandoffError } from './render-handoff-error.js';
import { routePaths } from './route-paths.js';
import { hasPassportSession, passportSessionControl } from './passport-session.js';
import { writeSessionState } from './session-state.js';
import { toRequestInfo } from './to-request-info.js';

const handoffPath = routePaths.handoff;

const bodyLimit = '16kb';

/**
 * Adds `GET|POST /authentication/login` to `router`. Success regenerates the session, logs the
 * user in and answers 303 to a clean same-origin `returnTo`; failure answers the catalogue's
 * status with an HTML page or JSON. HEAD is refused so link scanners cannot spend a token.
 * An embedded handoff (loaded in a frame, see `isEmbeddedRequest`) gets the embedded session
 * cookie and the tenant's frame policy; it needs https when that cookie is `Secure`. A top-level
 * `noChrome=true` handoff only renders without chrome.
 */
export function addHandoffRoutes<User>(router: Router, handoff: Handoff<User>, embedding: EmbeddingPolicy, tenants: TenantResolver): void {
  const handle = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    res.set({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    if (!hasPassportSession(req)) {
      next(new Error('login-with-token: use express-session and passport.initialize() before the router'));
      return;
    }
    const request = toRequestInfo(req);
    const embedded = isEmbeddedRequest(request);
    const fail = (error: unknown) => {
      if (embedded) framePolicyForRequest(res, embedding, tenants, request);
      renderHandoffError(req, res, asLoginError(error));
    };
    if (embedded && embedding.cookie.secure && !req.secure) {
      // The browser would never get the Secure cookie: refuse before the token is spent.
      fail(new LoginError('invalid_request', { reason: 'embedded handoff over http', description: 'embedded sign-in needs https' }));
      return;
    }
    let tenant: string;
    try {
      // A client that leaves during the partner call cancels it: the token stays usable.
      tenant = (await handoff.redeem(request, passportSessionControl<User>(req), clientGoneSignal(req))).tenant;
    } catch (error) {
      fail(error);
      return;
    }
    writeSessionState(req, { noChrome: wantsNoChrome(request), embedded, tenant });
    if (embedded) {
      useEmbeddedCookie(req, embedding);
      sendFramePolicy(res, embedding, tenant);
    }
    res.redirect(303, handoff.returnTo(request));
  };

  router.head(handoffPath, (_req, res) => {
    res.set('allow', 'GET, POST').status(405).end();
  });
  router.get(handoffPath, handle);
  router.post(handoffPath, express.urlencoded({ extended: false, limit: bodyLimit }), express.json({ limit: bodyLimit }), handle);
  router.use(handoffPath, bodyErrorHandler(renderHandoffError));
}

function framePolicyForRequest(res: Response, embedding: EmbeddingPolicy, tenants: TenantResolver, request: RequestInfo): void {
  try {
    sendFramePolicy(res, embedding, tenants.forRequest(request));
  } catch {
    sendFramePolicy(res, embedding, '');
  }
}
