import type { Response } from 'express';
import type { LoginError } from '../errors/login-error.js';

/**
 * Answers a `LoginError` as `{"error":{"code","number","message","description"}}` with its status
 * and headers; used by the handoff (for JSON clients) and the LogonWithToken routes.
 */
export function sendJsonError(res: Response, error: LoginError): void {
  res
    .status(error.status)
    .set({ 'cache-control': 'no-store', ...error.headers })
    .json({ error: { code: error.code, number: error.number, message: error.message, description: error.description ?? null } });
}
