import { z } from 'zod';

/** A zod schema accepting any function of type `F` (zod cannot check signatures at run time). */
export function functionSchema<F extends (...args: never[]) => unknown>() {
  return z.custom<F>((value) => typeof value === 'function', { message: 'must be a function' });
}

/** Positive whole milliseconds with an upper bound, for timeouts and TTLs. */
export function durationMs(max: number) {
  return z.number().int().positive().max(max);
}
