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

/** A signal that never aborts, for work no client can cancel; `deadline` skips listening to it. */
export const neverAborted: AbortSignal = new AbortController().signal;

/** A signal bounded by a deadline; `dispose()` once the work is done. */
export interface Deadline {
  readonly signal: AbortSignal;
  dispose(): void;
}

/**
 * A signal that aborts when `parent` does or `timeoutMs` passes. One controller and one timer,
 * disposed when the work ends — `AbortSignal.any` with `AbortSignal.timeout` costs several times
 * more per call and keeps its timer alive for the whole timeout.
 */
export function deadline(parent: AbortSignal, timeoutMs: number): Deadline {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent.reason);
  const linked = parent !== neverAborted;
  if (parent.aborted) controller.abort(parent.reason);
  else if (linked) parent.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new DOMException('The deadline passed', 'TimeoutError')), timeoutMs).unref();
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      if (linked) parent.removeEventListener('abort', onAbort);
    },
  };
}
