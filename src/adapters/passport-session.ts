import type { Request } from 'express';
import type { SessionControl } from '../handoff/handoff.js';

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
