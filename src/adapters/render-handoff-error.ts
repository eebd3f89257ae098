import type { Request, Response } from 'express';
import type { LoginError } from '../errors/login-error.js';
import { errorPage } from './error-page.js';

/**
 * Answers a failed handoff: the error's status and headers, then JSON when the client prefers
 * it (`{ "error": { "code", "number", "message" } }`), else a small HTML page.
 */
export function renderHandoffError(req: Request, res: Response, error: LoginError): void {
  res.status(error.status).set(error.headers);
  if (req.accepts(['html', 'json']) === 'json') {
    res.json({ error: { code: error.code, number: error.number, message: error.message } });
  } else {
    res.type('html').send(errorPage(error));
  }
}
