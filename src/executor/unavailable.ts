import { LoginError } from '../errors/login-error.js';

/** Builds the `validator_unavailable` error, carrying a `Retry-After` when one is known. */
export function validatorUnavailable(reason: string, options: { retryAfterSeconds?: number; cause?: unknown } = {}): LoginError {
  const headers: Record<string, string> = {};
  if (options.retryAfterSeconds !== undefined) headers['retry-after'] = String(options.retryAfterSeconds);
  return new LoginError('validator_unavailable', { reason, headers, cause: options.cause });
}

/** Reads a `Retry-After` header given in seconds, clamped to 1 s … 1 h; dates and junk are ignored. */
export function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || !/^\d{1,9}$/.test(text.trim())) return undefined;
  return Math.min(3600, Math.max(1, Number(text)));
}

/** Combines the caller's signal with a deadline. */
export function withDeadline(signal: AbortSignal, timeoutMs: number): AbortSignal {
  return AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
}
