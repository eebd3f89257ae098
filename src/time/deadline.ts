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
  return { signal: controller.signal, dispose: bound(parent, timeoutMs, controller) };
}

/** What a deadline aborts: an AbortController, or a {@link RequestSignal}. */
interface Abortable {
  abort(reason: unknown): void;
}

function abortOnTimeout(target: Abortable): void {
  target.abort(new DOMException('The deadline passed', 'TimeoutError'));
}

/**
 * A signal of its own that aborts when `parent` does (at once if it already has), with no
 * timeout; `dispose()` stops following `parent`. For code that may leave listeners on the
 * signal it is given (an app's executor): they go with this signal, never gather on `parent`.
 */
export function childSignal(parent: AbortSignal): Deadline {
  const controller = new AbortController();
  return { signal: controller.signal, dispose: follow(parent, controller) };
}

function stopNothing(): void {}

/**
 * The followers of each shared parent ({@link shareAbortListener}), which its one listener aborts.
 * The entry goes with the parent, or when it aborts.
 */
const followersOf = new WeakMap<AbortSignal, Set<Abortable>>();

/**
 * Gives `parent` one abort listener for everything that follows it, kept until it aborts,
 * instead of one added and removed per follower. For a long-lived signal the package owns and
 * many calls follow (a client connection's): a listener per call cost 3 µs of CPU in process
 * and about 17 µs per handoff over HTTP (bench/README.md), a Set next to nothing. Never for a
 * signal an app made: Node.js keeps an `AbortSignal.any()` or `AbortSignal.timeout()` signal
 * alive while it has a listener, so a kept one would never be collected.
 */
export function shareAbortListener(parent: AbortSignal): void {
  if (parent === neverAborted || parent.aborted || followersOf.has(parent)) return;
  const followers = new Set<Abortable>();
  followersOf.set(parent, followers);
  parent.addEventListener(
    'abort',
    () => {
      followersOf.delete(parent);
      // One follower that throws stops none of the others: its error is thrown on the next
      // tick, as an EventTarget does with a listener's.
      for (const target of followers) {
        try {
          target.abort(parent.reason);
        } catch (error) {
          process.nextTick(rethrow, error);
        }
      }
      followers.clear();
    },
    { once: true },
  );
}

/** Aborts `target` once `parent` aborts, with its reason; returns what stops following. */
function follow(parent: AbortSignal, target: Abortable): () => void {
  if (parent === neverAborted) return stopNothing;
  if (parent.aborted) {
    target.abort(parent.reason);
    return stopNothing;
  }
  const followers = followersOf.get(parent);
  if (followers !== undefined) {
    followers.add(target);
    return () => followers.delete(target);
  }
  const onAbort = () => target.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  return () => parent.removeEventListener('abort', onAbort);
}

function rethrow(error: unknown): never {
  throw error;
}

/** Aborts `target` once `parent` aborts or `timeoutMs` passes, whichever is first; returns what stops both. */
function bound(parent: AbortSignal, timeoutMs: number, target: Abortable): () => void {
  const timer = setTimeout(abortOnTimeout, timeoutMs, target).unref();
  if (parent === neverAborted) return () => clearTimeout(timer);
  const unfollow = follow(parent, target);
  return () => {
    clearTimeout(timer);
    unfollow();
  };
}

type Listener = () => void;

/**
 * What undici takes as a request's `signal` besides an AbortSignal: an EventEmitter, of which it
 * uses `on` (to tell the two kinds apart), `once` and `removeListener`, for its one `abort`
 * listener, and `aborted` and `reason`. This is that much of one and no more — a real
 * EventEmitter, and undici's wrapper around a `once` listener, cost more per call than the rest
 * of the deadline. `abort` fires once.
 */
export class RequestSignal {
  aborted = false;
  reason: unknown = undefined;
  /** Undici's one listener; any more (none expected) wait in `#more`. */
  #listener: Listener | undefined = undefined;
  #more: Listener[] | undefined = undefined;

  /** Adds an `abort` listener (other events never fire). */
  on(event: string, listener: Listener): this {
    if (event !== 'abort') return this;
    if (this.#listener === undefined) this.#listener = listener;
    else (this.#more ??= []).push(listener);
    return this;
  }

  /** As {@link on}: `abort` fires at most once. */
  once(event: string, listener: Listener): this {
    return this.on(event, listener);
  }

  /** As {@link on}. */
  addListener(event: string, listener: Listener): this {
    return this.on(event, listener);
  }

  /** Removes an `abort` listener. */
  removeListener(event: string, listener: Listener): this {
    if (event !== 'abort') return this;
    if (this.#listener === listener) this.#listener = this.#more?.shift();
    else {
      const at = this.#more?.indexOf(listener) ?? -1;
      if (at !== -1) this.#more!.splice(at, 1);
    }
    return this;
  }

  /** As {@link removeListener}. */
  off(event: string, listener: Listener): this {
    return this.removeListener(event, listener);
  }

  /** Aborts once, with `reason`, and tells every listener. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const first = this.#listener;
    const more = this.#more;
    this.#listener = undefined;
    this.#more = undefined;
    first?.();
    if (more !== undefined) for (const listener of more) listener();
  }
}

/** A deadline for an undici request; `dispose()` once the answer is read. */
export interface RequestDeadline {
  readonly signal: RequestSignal;
  dispose(): void;
}

/**
 * {@link deadline} for undici requests: the same bound — `parent` or `timeoutMs`, whichever
 * comes first — on a {@link RequestSignal} instead of an AbortController, whose EventTarget
 * costs about 10 µs per call more (a tenth of an introspection call's CPU; bench/README.md). The
 * signal is undici's only: code the package does not own gets a real AbortSignal (`deadline`).
 */
export function requestDeadline(parent: AbortSignal, timeoutMs: number): RequestDeadline {
  const signal = new RequestSignal();
  return { signal, dispose: bound(parent, timeoutMs, signal) };
}
