import express, { type Request, type Response, type Router } from 'express';
import type { BearerRevocation } from '../bearer/bearer-revocation.js';
import { asLoginError, type LoginError } from '../errors/login-error.js';
import type { LogonWithToken } from '../logon/logon-with-token.js';
import { bodyErrorHandler } from './body-error-handler.js';
import { sendJsonError } from './json-error.js';
import { routePaths } from './route-paths.js';
import { toRequestInfo } from './to-request-info.js';

const logonPaths = routePaths.logon;

/**
 * Adds the vendor's JSON service methods: `POST Authentication/LogonWithToken` answering
 * `{"LogonWithToken": LogonResultContract}`, `GetAllTenantNames`, `GetTokenSettings` (a JWT
 * profile's public settings, never secrets) and `Logoff` (ends a connection and its JWT).
 * Failures answer `{"error":{"code","number","message"}}` with the catalogue's status.
 */
export function addLogonRoutes<User>(router: Router, logonWithToken: LogonWithToken<User>, revocation: BearerRevocation): void {
  const json = express.json({ limit: '32kb' });
  const fail = (res: Response, error: unknown) =>
    sendJsonError(res, asLoginError(error));

  router.post(logonPaths.logonWithToken, json, async (req, res) => {
    try {
      const result = await logonWithToken.logon(toRequestInfo(req));
      res.set('cache-control', 'no-store').json({ LogonWithToken: result });
    } catch (error) {
      fail(res, error);
    }
  });

  const tenantNames = logonWithToken.tenantNames();
  if (tenantNames !== undefined) {
    router.all(logonPaths.getAllTenantNames, (_req, res) => {
      res.json({ GetAllTenantNames: tenantNames });
    });
  }

  router.all(logonPaths.getTokenSettings, json, (req, res) => {
    try {
      res.json({ GetTokenSettings: logonWithToken.tokenSettings(toRequestInfo(req)) });
    } catch (error) {
      fail(res, error);
    }
  });

  router.post(logonPaths.logoff, json, async (req, res) => {
    try {
      await revocation.revoke(toRequestInfo(req));
      res.status(204).end();
    } catch (error) {
      fail(res, error);
    }
  });

  router.use(Object.values(logonPaths), bodyErrorHandler((_req: Request, res: Response, error: LoginError) => sendJsonError(res, error)));
}
