import express, { type RequestHandler, type Router } from 'express';
import type { BearerRevocation } from '../bearer/bearer-revocation.js';
import type { SessionTokens } from '../credentials/session-tokens.js';
import type { EmbeddingPolicy } from '../embedding/embedding-policy.js';
import type { Handoff } from '../handoff/handoff.js';
import type { LogonWithToken } from '../logon/logon-with-token.js';
import type { TenantResolver } from '../request/tenant-resolver.js';
import { addHandoffRoutes } from './handoff-routes.js';
import { addLogonRoutes } from './logon-routes.js';
import { addTokenRoutes } from './token-routes.js';

/** The flows the router's routes serve. */
export interface RouterParts<User> {
  /** The handoff, when a `LoginWithToken` command is configured. */
  readonly handoff: Handoff<User> | undefined;
  readonly sessionTokens: SessionTokens<User>;
  readonly revocation: BearerRevocation;
  readonly logon: LogonWithToken<User>;
  readonly tenants: TenantResolver;
  readonly embedding: EmbeddingPolicy;
  readonly embeddingMiddleware: RequestHandler;
}

/** The package's router: the embedding policy for every request it sees, then the three flows' routes. */
export function createRouter<User>(parts: RouterParts<User>): Router {
  const router = express.Router();
  router.use(parts.embeddingMiddleware);
  if (parts.handoff !== undefined) addHandoffRoutes(router, parts.handoff, parts.embedding, parts.tenants);
  addTokenRoutes(router, parts.sessionTokens, parts.revocation);
  addLogonRoutes(router, parts.logon, parts.revocation);
  return router;
}
