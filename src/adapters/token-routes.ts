import express, { type Request, type Response, type Router } from 'express';
import type { BearerRevocation } from '../bearer/bearer-revocation.js';
import type { SessionTokens } from '../credentials/session-tokens.js';
import { LoginError, asLoginError } from '../errors/login-error.js';
import { sendApiError, sendApiOk } from './api-envelope.js';
import { bodyErrorHandler } from './body-error-handler.js';
import { routePaths } from './route-paths.js';
import { toRequestInfo } from './to-request-info.js';

const { token: tokenPath, logout: logoutPath } = routePaths;

/**
 * Adds `POST /authentication/token` (JSON body as in the vendor's Web API; answers
 * `{"status":{"code":"OK",…},"data":{"token":"…"}}`) and `POST /authentication/logout`
 * (revokes the bearer token presented).
 */
export function addTokenRoutes<User>(router: Router, sessionTokens: SessionTokens<User>, revocation: BearerRevocation): void {
  const renderApiError = (_req: Request, res: Response, error: LoginError) => sendApiError(res, error);
  const fail = (res: Response, error: unknown) =>
    sendApiError(res, asLoginError(error));

  router.post(tokenPath, express.json({ limit: '16kb' }), async (req, res) => {
    if (!req.is('application/json')) {
      sendApiError(res, new LoginError('invalid_request', { description: 'body: must be JSON (content-type: application/json)' }));
      return;
    }
    try {
      const issued = await sessionTokens.issue(toRequestInfo(req));
      sendApiOk(res, { token: issued.token });
    } catch (error) {
      fail(res, error);
    }
  });

  router.post(logoutPath, express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    try {
      await revocation.revoke(toRequestInfo(req));
      sendApiOk(res, null);
    } catch (error) {
      fail(res, error);
    }
  });

  router.use([tokenPath, logoutPath], bodyErrorHandler(renderApiError));
}
