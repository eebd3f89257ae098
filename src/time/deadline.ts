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
