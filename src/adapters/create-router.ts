import express, { type RequestHandler, type Router } from 'express';
import type { RevokeDependencies } from '../bearer/revoke-bearer-token.js';
import type { CredentialDependencies } from '../credentials/issue-session-token.js';
import type { EmbeddingPolicy } from '../embedding/frame-ancestors.js';
import type { HandoffDependencies } from '../handoff/redeem-auth-token.js';
import type { LogonDependencies } from '../logon/logon-with-token.js';
import type { TokenTypeRegistry } from '../logon/token-type-registry.js';
import { addHandoffRoutes } from './handoff-routes.js';
import { addLogonRoutes } from './logon-routes.js';
import { addTokenRoutes } from './token-routes.js';

/** Everything the router's routes need. */
export interface RouterParts<User> {
  /** The handoff, when a `LoginWithToken` command is configured. */
  readonly handoff: { readonly deps: HandoffDependencies<User>; readonly defaultReturnTo: string } | undefined;
  readonly credentials: CredentialDependencies<User>;
  readonly revoke: RevokeDependencies;
  readonly logon: LogonDependencies<User>;
  readonly tokenTypes: TokenTypeRegistry;
  readonly embedding: EmbeddingPolicy;
  readonly embeddingMiddleware: RequestHandler;
}

/** The package's router: the embedding policy for every request it sees, then the three flows' routes. */
export function createRouter<User>(parts: RouterParts<User>): Router {
  const router = express.Router();
  router.use(parts.embeddingMiddleware);
  if (parts.handoff !== undefined) addHandoffRoutes(router, parts.handoff.deps, parts.handoff.defaultReturnTo, parts.embedding);
  addTokenRoutes(router, parts.credentials, parts.revoke);
  addLogonRoutes(router, parts.logon, parts.tokenTypes, parts.revoke);
  return router;
}
