import type { Response } from 'express';
import type { LoginError } from '../errors/login-error.js';

/**
 * Answers in the envelope of the vendor's Web API (seed 001):
 * `{"status":{"code":"OK","message":null,"description":null},"data":…}`.
 */
export function sendApiOk(res: Response, data: unknown): void {
  res.set({ 'cache-control': 'no-store', pragma: 'no-cache' }).json({ status: { code: 'OK', message: null, description: null }, data });
}

/**
 * Answers a failure in the same envelope: the catalogue code, its number, the public message
 * and a public description (e.g. the offending fields), with the error's status and headers.
 */
export function sendApiError(res: Response, error: LoginError): void {
  res
    .status(error.status)
    .set({ 'cache-control': 'no-store', pragma: 'no-cache', ...error.headers })
    .json({
      status: { code: error.code, number: error.number, message: error.message, description: error.description ?? null },
      data: null,
    });
}
