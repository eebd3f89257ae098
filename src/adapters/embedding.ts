import type { Request, RequestHandler, Response } from 'express';
import type { EmbeddingPolicy } from '../embedding/embedding-policy.js';
import { frameAncestorsPolicy } from '../embedding/frame-ancestors.js';
import { readSessionState } from './session-state.js';

/**
 * Sends the tenant's `frame-ancestors` policy (as an additional CSP header, so the app's own
 * policy still applies) and exposes the list as `res.locals.frameAncestors` for apps that build
 * their CSP themselves (e.g. helmet).
 */
export function sendFramePolicy(res: Response, policy: EmbeddingPolicy, tenant: string): void {
  const origins = policy.frameAncestors(tenant);
  res.locals['frameAncestors'] = origins;
  res.append('content-security-policy', frameAncestorsPolicy(origins));
}

/**
 * Gives the regenerated session the cookie an iframe needs — by default `SameSite=None; Secure;
 * Partitioned` (CHIPS), which browsers that block third-party cookies still accept — instead of
 * the app's top-level default. express-session stores these with the session, so every later
 * response inside the frame keeps them.
 */
export function useEmbeddedCookie(req: Request, policy: EmbeddingPolicy): void {
  const cookie = (req as unknown as { session?: { cookie?: Record<string, unknown> } }).session?.cookie;
  if (cookie === undefined) return;
  cookie['sameSite'] = policy.cookie.sameSite;
  cookie['secure'] = policy.cookie.secure;
  cookie['partitioned'] = policy.cookie.partitioned;
  cookie['httpOnly'] = true;
}

/**
 * Per request: `res.locals.noChrome` from the session (true after a `noChrome=true` handoff), and for
 * embedded sessions the tenant's `frame-ancestors` policy, so only listed partner origins can
 * frame the signed-in portal. Other pages keep the app's defaults. The router installs it for the
 * routes it sees; mount it with `app.use` when the router sits under a prefix.
 */
export function createEmbeddingMiddleware(policy: EmbeddingPolicy): RequestHandler {
  return (req, res, next) => {
    const state = readSessionState(req);
    res.locals['noChrome'] = state?.noChrome === true;
    if (state?.embedded === true && typeof state.tenant === 'string') sendFramePolicy(res, policy, state.tenant);
    next();
  };
}
