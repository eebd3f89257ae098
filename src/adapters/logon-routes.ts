import express, { type Request, type Response, type Router } from 'express';
import { revokeBearerToken, type RevokeDependencies } from '../bearer/revoke-bearer-token.js';
import { LoginError, asLoginError } from '../errors/login-error.js';
import { logonWithToken, type LogonDependencies } from '../logon/logon-with-token.js';
import type { TokenTypeRegistry } from '../logon/token-type-registry.js';
import { readParameter } from '../request/request-info.js';
import { bodyErrorHandler } from './body-error-handler.js';
import { sendJsonError } from './json-error.js';
import { toRequestInfo } from './to-request-info.js';

/** Paths of the vendor's Authentication service below the mount point. */
const logonPaths = {
  logonWithToken: '/Authentication/LogonWithToken',
  getAllTenantNames: '/Authentication/GetAllTenantNames',
  getTokenSettings: '/Authentication/GetTokenSettings',
  logoff: '/Authentication/Logoff',
} as const;

/**
 * Adds the vendor's JSON service methods: `POST Authentication/LogonWithToken` answering
 * `{"LogonWithToken": LogonResultContract}`, `GetAllTenantNames`, `GetTokenSettings` (a JWT
 * profile's public settings, never secrets) and `Logoff` (ends a connection and its JWT).
 * Failures answer `{"error":{"code","number","message"}}` with the catalogue's status.
 */
export function addLogonRoutes<User>(
  router: Router,
  logon: LogonDependencies<User>,
  tokenTypes: TokenTypeRegistry,
  revoke: RevokeDependencies,
): void {
  const json = express.json({ limit: '32kb' });
  const fail = (res: Response, error: unknown) =>
    sendJsonError(res, asLoginError(error));

  router.post(logonPaths.logonWithToken, json, async (req, res) => {
    try {
      const result = await logonWithToken(logon, toRequestInfo(req));
      res.set('cache-control', 'no-store').json({ LogonWithToken: result });
    } catch (error) {
      fail(res, error);
    }
  });

  if (!logon.hideTenantNames) {
    router.all(logonPaths.getAllTenantNames, (_req, res) => {
      res.json({ GetAllTenantNames: logon.tenants.names });
    });
  }

  router.all(logonPaths.getTokenSettings, json, (req, res) => {
    try {
      const request = toRequestInfo(req);
      const tenant = logon.tenants.byClientName(readParameter(request, 'tenantName'), logon.hideTenantNames);
      const profileId = readParameter(request, 'profileId') ?? readParameter(request, 'tokenType') ?? '';
      const settings = tokenTypes.resolve(tenant, profileId)?.publicSettings?.();
      if (settings === undefined) throw new LoginError('token_type_unknown', { reason: 'no JWT profile with this id' });
      res.json({ GetTokenSettings: settings });
    } catch (error) {
      fail(res, error);
    }
  });

  router.post(logonPaths.logoff, json, async (req, res) => {
    try {
      await revokeBearerToken(revoke, toRequestInfo(req));
      res.status(204).end();
    } catch (error) {
      fail(res, error);
    }
  });

  router.use(Object.values(logonPaths), bodyErrorHandler((_req: Request, res: Response, error: LoginError) => sendJsonError(res, error)));
}
