import { z } from 'zod';

/** A zod schema accepting any function of type `F` (zod cannot check signatures at run time). */
export function functionSchema<F extends (...args: never[]) => unknown>() {
  return z.custom<F>((value) => typeof value === 'function', { message: 'must be a function' });
}

/** Positive whole milliseconds with an upper bound, for timeouts and TTLs. */
export function durationMs(max: number) {
  return z.number().int().positive().max(max);
}

/** Turns a failed parse into one `TypeError` that names every offending option path. */
export function toConfigError(error: z.ZodError, prefix = ''): TypeError {
  const lines = error.issues.map((issue) => {
    const path = formatPath([...(prefix ? [prefix] : []), ...issue.path]);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${formatPath([...(prefix ? [prefix] : []), ...issue.path, key])}: unknown option`).join('; ');
    }
    return `${path || '(options)'}: ${issue.message}`;
  });
  return new TypeError(`login-with-token: invalid options: ${lines.join('; ')}`);
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? String(key) : `.${String(key)}`))
    .join('');
}
