import { EventEmitter } from 'node:events';

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
  return { signal: controller.signal, dispose: bound(parent, timeoutMs, (reason) => controller.abort(reason)) };
}

/** Calls `abort` once `parent` aborts or `timeoutMs` passes, whichever is first; returns what stops both. */
function bound(parent: AbortSignal, timeoutMs: number, abort: (reason: unknown) => void): () => void {
  const onAbort = () => abort(parent.reason);
  const linked = parent !== neverAborted;
  if (parent.aborted) abort(parent.reason);
  else if (linked) parent.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => abort(new DOMException('The deadline passed', 'TimeoutError')), timeoutMs).unref();
  return () => {
    clearTimeout(timer);
    if (linked) parent.removeEventListener('abort', onAbort);
  };
}

/**
 * What undici takes as a request's `signal` besides an AbortSignal: an EventEmitter that says
 * whether, and why, it aborted and emits `abort` once.
 */
export class RequestSignal extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  /** Aborts once, with `reason`. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}

/** A deadline for an undici request; `dispose()` once the answer is read. */
export interface RequestDeadline {
  readonly signal: RequestSignal;
  dispose(): void;
}

/**
 * {@link deadline} for undici requests: the same bound — `parent` or `timeoutMs`, whichever
 * comes first — on an EventEmitter instead of an AbortController, whose EventTarget costs
 * about 10 µs per call more (a tenth of an introspection call's CPU; bench/README.md). The
 * signal is undici's only: code the package does not own gets a real AbortSignal (`deadline`).
 */
export function requestDeadline(parent: AbortSignal, timeoutMs: number): RequestDeadline {
  const signal = new RequestSignal();
  return { signal, dispose: bound(parent, timeoutMs, (reason) => signal.abort(reason)) };
}
