/** Statuses after which a retry may succeed; their `Retry-After` is passed on. */
const transientStatuses = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Reads a `Retry-After` header given in seconds, clamped to 1 s … 1 h; dates and junk are ignored. */
export function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || !/^\d{1,9}$/.test(text.trim())) return undefined;
  return Math.min(3600, Math.max(1, Number(text)));
}

/** The `Retry-After` (seconds) worth passing on from an upstream answer: only a transient status's. */
export function upstreamRetryAfter(statusCode: number, header: string | string[] | undefined): number | undefined {
  return transientStatuses.has(statusCode) ? parseRetryAfter(header) : undefined;
}
