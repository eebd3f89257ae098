import { z } from 'zod';

/** A zod schema accepting any function of type `F` (zod cannot check signatures at run time). */
export function functionSchema<F extends (...args: never[]) => unknown>() {
  return z.custom<F>((value) => typeof value === 'function', { message: 'must be a function' });
}

/**
 * Whether `value` is text every store can keep: well-formed (no lone surrogate) and without
 * NUL, which PostgreSQL refuses. Identities and labels from partners or input pass through it.
 */
export function isStorableText(value: unknown): value is string {
  return typeof value === 'string' && value.isWellFormed() && !value.includes('\u0000');
}

/** A zod string that {@link isStorableText} accepts. */
export function storableText() {
  return z.string().refine(isStorableText, 'must be well-formed text without NUL characters');
}

/** Positive whole milliseconds with an upper bound, for timeouts and TTLs. */
export function durationMs(max: number) {
  return z.number().int().positive().max(max);
}
