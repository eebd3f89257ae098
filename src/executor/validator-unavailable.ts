import { LoginError } from '../errors/login-error.js';

/** Builds the `validator_unavailable` error, carrying a `Retry-After` when one is known. */
export function validatorUnavailable(reason: string, options: { retryAfterSeconds?: number; cause?: unknown } = {}): LoginError {
  const headers: Record<string, string> = {};
  if (options.retryAfterSeconds !== undefined) headers['retry-after'] = String(options.retryAfterSeconds);
  return new LoginError('validator_unavailable', { reason, headers, cause: options.cause });
}
