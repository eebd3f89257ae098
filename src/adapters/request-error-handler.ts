import type { ErrorRequestHandler } from 'express';
import { LoginError } from '../errors/login-error.js';
import { renderHandoffError } from './render-handoff-error.js';

/**
 * Turns body-parser failures inside the router (malformed JSON, too large, bad charset) into
 * `invalid_request` answers instead of the app's 500 page; other errors pass on.
 */
export const requestErrorHandler: ErrorRequestHandler = (error: unknown, req, res, next) => {
  const status = (error as { status?: unknown } | null)?.status;
  const type = (error as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && typeof status === 'number' && status >= 400 && status < 500) {
    renderHandoffError(req, res, new LoginError('invalid_request', { reason: `body rejected: ${type}` }));
    return;
  }
  next(error);
};
