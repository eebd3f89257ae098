/**
 * A value, or a promise of it. The bearer check runs on every API call; with the memory store
 * and a synchronous `resolveUser` it completes without a single promise, which is most of its
 * cost otherwise.
 */
export type MaybePromise<T> = T | Promise<T>;

/** True for promises and other thenables. */
export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** Runs `next` on `value` now when it is a plain value, or when the promise settles. */
export function andThen<T, R>(value: MaybePromise<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return isPromise(value) ? value.then(next) : next(value);
}
