import type { ErrorRequestHandler, Request, Response } from 'express';
import { LoginError, isLoginError } from '../errors/login-error.js';

/**
 * An error handler for the router's own routes. Body-parser failures (malformed JSON, too large,
 * bad charset) become `invalid_request`, a `LoginError` is rendered as is, and anything else
 * passes on to the app.
 */
export function bodyErrorHandler(render: (req: Request, res: Response, error: LoginError) => void): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (isLoginError(error)) {
      render(req, res, error);
      return;
    }
    const status = (error as { status?: unknown } | null)?.status;
    const type = (error as { type?: unknown } | null)?.type;
    if (typeof type === 'string' && typeof status === 'number' && status >= 400 && status < 500) {
      render(req, res, new LoginError('invalid_request', { reason: `body rejected: ${type}` }));
      return;
    }
    next(error);
  };
}
