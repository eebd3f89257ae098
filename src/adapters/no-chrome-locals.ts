import type { RequestHandler } from 'express';
import { readSessionState } from './session-control.js';

/**
 * Exposes the session's noChrome flag to views as `res.locals.noChrome` (true inside an iframe
 * handoff). The router installs it for the routes it sees; mount it app-wide with `app.use` when
 * the router sits under a prefix.
 */
export const noChromeLocals: RequestHandler = (req, res, next) => {
  res.locals['noChrome'] = readSessionState(req)?.noChrome === true;
  next();
};
