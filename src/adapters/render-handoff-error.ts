import type { Request, Response } from 'express';
import type { LoginError } from '../errors/login-error.js';
import { errorPage } from './error-page.js';
import { sendJsonError } from './json-error.js';

/**
 * Answers a failed handoff: the error's status and headers, then JSON when the client prefers
 * it (see `sendJsonError`), else a small HTML page.
 */
export function renderHandoffError(req: Request, res: Response, error: LoginError): void {
  if (req.accepts(['html', 'json']) === 'json') sendJsonError(res, error);
  else res.status(error.status).set(error.headers).type('html').send(errorPage(error));
}
