import type { ErrorRequestHandler, Request, Response } from 'express';
import { LoginError, isLoginError } from '../errors/login-error.js';

/**
 * An error handler for the router's own routes. Body-parser failures (malformed JSON, too large,
 * bad charset or encoding) become `invalid_request`, a `LoginError` is rendered as is, and anything else
 * passes on to the app.
 */
export function bodyErrorHandler(render: (req: Request, res: Response, error: LoginError) => void): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (isLoginError(error)) {
      render(req, res, error);
      return;
    }
    // body-parser marks what it refuses with a 4xx status (a bad gzip stream has no `type`).
    const status = (error as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const type = (error as { type?: unknown }).type;
      render(req, res, new LoginError('invalid_request', { reason: `body rejected: ${typeof type === 'string' ? type : status}` }));
      return;
    }
    next(error);
  };
}
