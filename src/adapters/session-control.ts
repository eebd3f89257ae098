import type { Request } from 'express';
import type { SessionControl } from '../handoff/redeem-auth-token.js';

interface PassportRequest {
  logIn?: (user: unknown, done: (error?: unknown) => void) => void;
  logout?: (done: (error?: unknown) => void) => void;
  session?: Record<string, unknown>;
}

/**
 * Starts and ends the Passport login session of `req`. Passport's `logIn` regenerates the
 * session (a new id, nothing carried over) and saves it before calling back.
 */
export function passportSessionControl<User>(req: Request): SessionControl<User> {
  const request = req as unknown as PassportRequest;
  return {
    start: (user) => new Promise<void>((resolve, reject) => request.logIn!(user, (error) => (error ? reject(error) : resolve()))),
    end: () => new Promise<void>((resolve, reject) => request.logout!((error) => (error ? reject(error) : resolve()))),
  };
}

/** True when `passport.initialize()` and a session middleware ran before us. */
export function hasPassportSession(req: Request): boolean {
  const request = req as unknown as PassportRequest;
  return typeof request.logIn === 'function' && typeof request.session === 'object' && request.session !== null;
}

/** The package's own slot in the session. */
export interface SessionState {
  /** Whether the portal should render without header and navigation (`noChrome=true`). */
  noChrome?: boolean;
  /** Whether the session began inside an iframe: its pages carry the tenant's frame policy. */
  embedded?: boolean;
  /** The tenant the handoff was for. */
  tenant?: string;
}

/** Key of {@link SessionState} in `req.session`. */
export const sessionKey = 'loginWithToken';

/** Reads the package's slot in the session. */
export function readSessionState(req: Request): SessionState | undefined {
  const value = (req as unknown as PassportRequest).session?.[sessionKey];
  return typeof value === 'object' && value !== null ? (value as SessionState) : undefined;
}

/** Writes the package's slot in the session. */
export function writeSessionState(req: Request, state: SessionState): void {
  const session = (req as unknown as PassportRequest).session;
  if (session) session[sessionKey] = state;
}
