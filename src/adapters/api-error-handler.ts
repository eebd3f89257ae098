import type { ErrorRequestHandler } from 'express';
import { isLoginError } from '../errors/login-error.js';
import { sendApiError } from './api-envelope.js';

/**
 * Renders a `LoginError` from the bearer middleware or strategy in the API envelope with its
 * status and headers (`WWW-Authenticate`, `Retry-After`); other errors pass on. Mount it after
 * the API routes: `app.use('/api', login.bearer, apiRoutes, login.apiErrorHandler)`.
 */
export const apiErrorHandler: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  if (isLoginError(error) && !res.headersSent) sendApiError(res, error);
  else next(error);
};
